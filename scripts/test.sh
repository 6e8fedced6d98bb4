#!/usr/bin/env bash
# Set up everything the tests need, then run them all (engine, server, client against the
# embedded engine and against a real H2O-3, benchmarks smoke test).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
exec .venv/bin/python -m pytest -q -rs "$@"
