#!/usr/bin/env bash
# Set up h2odash in ./.venv. With --test, also the test tools, Java for the reference H2O-3,
# and the reference H2O-3 itself (PyPI h2o==3.46.0.12, in .cache/h2o-venv).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [[ "${1:-}" == "--test" ]]; then
  .venv/bin/python -m pip install -q -e ".[test]"
  if ! command -v java >/dev/null 2>&1; then
    # The reference H2O-3 is a Java program; Debian's JRE runs it.
    if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO apt-get update -q && $SUDO apt-get install -y -q openjdk-17-jre-headless
  fi
  .venv/bin/python -c "import tools.h2o3 as h; print('reference H2O-3 jar:', h.ensure_installed())"
else
  .venv/bin/python -m pip install -q -e .
fi
