"""The h2odash command: ``h2odash serve`` starts the embedded engine's REST server."""

import argparse
import logging
import sys

DEFAULT_PORT = 54321


def main(argv=None):
    parser = argparse.ArgumentParser(prog="h2odash", description="Machine learning dashboards over H2O's REST API.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="Start the embedded engine's REST server (H2O-3's API).")
    serve.add_argument("--host", default="127.0.0.1",
                       help="Interface to listen on (default 127.0.0.1: this machine only).")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"Port (default {DEFAULT_PORT}).")
    serve.add_argument("--name", default="h2odash", help="Cloud name reported by /3/Cloud.")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve_forever(args.host, args.port, args.name, args.log_level)
    return 2


def serve_forever(host, port, name="h2odash", log_level="info"):
    """Run the server in this process until interrupted; logs one line per request."""
    import uvicorn

    from h2odash.engine import Engine
    from h2odash.server.app import create_app

    logging.basicConfig(level=getattr(logging, log_level.upper()), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(Engine(cloud_name=name))
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, access_log=True,
                            timeout_keep_alive=30)
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 1


if __name__ == "__main__":
    sys.exit(main())
