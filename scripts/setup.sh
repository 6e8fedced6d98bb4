#!/usr/bin/env bash
# Set up h2odash in ./.venv, with the web app (`h2odash app`, Voilà). With --test, also the test
# tools, Java for the reference H2O-3, the reference H2O-3 itself (PyPI h2o==3.46.0.12, in
# .cache/h2o-venv), and Debian's chromium for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) == 0 ]]; then SUDO=""; else SUDO="sudo"; fi
apt_install() {
  # One `apt-get update` per run, only when something is missing.
  if [[ -z "${APT_UPDATED:-}" ]]; then $SUDO apt-get update -q; APT_UPDATED=1; fi
  $SUDO apt-get install -y -q "$@"
}

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [[ "${1:-}" == "--test" ]]; then
  .venv/bin/python -m pip install -q -e ".[test]"
  if ! command -v java >/dev/null 2>&1; then
    # The reference H2O-3 is a Java program; Debian's JRE runs it.
    apt_install openjdk-17-jre-headless
  fi
  if [[ ! -x /usr/bin/chromium ]]; then
    # The browser tests drive Debian's chromium through playwright (`playwright install`
    # downloads its own browsers, which these machines cannot).
    apt_install chromium
  fi
  .venv/bin/python -c "import tools.h2o3 as h; print('reference H2O-3 jar:', h.ensure_installed())"
else
  .venv/bin/python -m pip install -q -e ".[app]"
fi
