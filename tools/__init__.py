"""Developer tools for h2odash: the reference H2O-3 used by tests and benchmarks."""
