"""The embedded engine's HTTP server: H2O-3's REST API over Starlette and uvicorn."""
