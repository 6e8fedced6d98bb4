"""Run h2o-3's own pyunit tests (``h2o-py/tests/testdir_*/pyunit_*.py``) against any server.

The tests are read from a checkout you give (never copied into this repository), for instance::

    git --git-dir=<h2o-3 git dir> archive rel-3.46.0 h2o-py/tests h2o-r/h2o-package/inst/extdata \\
        | tar x -C /work/h2o-3-tests
    python -m tools.pyunit --tests /work/h2o-3-tests/h2o-py/tests --select testdir_munging \\
        --url http://127.0.0.1:54321 --json munging.json

Each test runs in its own subprocess, the way h2o-3's ``scripts/run.py`` runs it through
``h2o-py/scripts/h2o-py-test-setup.py --usecloud ip:port``: connect to the server, then
``pyunit_utils.pyunit_exec(test)``, which executes the file as ``__main__`` (the test then calls
``pyunit_utils.standalone_test``, which finds the connection already made).

Data: the tests find their files with ``pyunit_utils.locate("smalldata/...")``, which searches
upward from the working folder and then falls back to H2O's S3 bucket.  Here ``locate`` answers
from a data root only (see :func:`assemble_data`), and a test that asked for a file the root does
not hold and did not pass is reported as ``no data``, not as a failure.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATUSES = ("pass", "fail", "error", "timeout", "no data", "skipped")

# Where the smalldata files whose exact content is known come from.  Sources are tried in order;
# "pkg:" names a file of the installed h2o package, other paths are relative to the h2o-3 checkout
# (the R package and h2o-core ship byte-identical copies of a few smalldata files).
R_EXTDATA = "h2o-r/h2o-package/inst/extdata"
PROSTATE = ["pkg:h2o_data/prostate.csv", f"{R_EXTDATA}/prostate.csv",
            "h2o-core/src/main/resources/extdata/prostate.csv"]
IRIS_WHEADER = [f"{R_EXTDATA}/iris_wheader.csv", "h2o-core/src/main/resources/extdata/iris.csv"]
SMALLDATA_COPIES = {
    "smalldata/iris/iris.csv": [f"{R_EXTDATA}/iris.csv"],            # no header, 150 rows
    "smalldata/iris/iris_wheader.csv": IRIS_WHEADER,
    "smalldata/extdata/iris_wheader.csv": IRIS_WHEADER,
    "smalldata/iris/iris_header.csv": [f"{R_EXTDATA}/iris_header.csv"],
    "smalldata/extdata/australia.csv": [f"{R_EXTDATA}/australia.csv",
                                        "h2o-core/src/main/resources/extdata/australia.csv"],
    "smalldata/extdata/prostate.csv": PROSTATE,
    "smalldata/logreg/prostate.csv": PROSTATE,
    "smalldata/prostate/prostate.csv": PROSTATE,
    "smalldata/testng/prostate.csv": PROSTATE,
}
# Archives whose member is known exactly: H2O parses the member, so the zip wrapper may differ.
SMALLDATA_ZIPS = {
    "smalldata/prostate/prostate.csv.zip": "smalldata/prostate/prostate.csv",
}


# -- data --------------------------------------------------------------------------------------
def _source_file(source: str, checkout: Path) -> Path | None:
    if source.startswith("pkg:"):
        try:
            import h2o
        except ImportError:
            return None
        path = Path(h2o.__file__).parent / source[4:]
    else:
        path = checkout / source
    return path if path.is_file() else None


def assemble_data(data_root: Path, checkout: Path) -> dict[str, str]:
    """Fill ``data_root/smalldata`` with every file whose exact content can be had offline.

    Parameters
    ----------
    data_root : Path
        Folder that receives ``smalldata/...`` (keep it outside this repository).
    checkout : Path
        The h2o-3 checkout (or archive extract) the tests come from; its R package data are
        used when present.

    Returns
    -------
    dict
        Each file written (relative path) and where it came from.
    """
    made: dict[str, str] = {}
    for target, sources in SMALLDATA_COPIES.items():
        for source in sources:
            path = _source_file(source, checkout)
            if path is not None:
                out = data_root / target
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, out)
                made[target] = source
                break
    for target, member in SMALLDATA_ZIPS.items():
        if member in made:
            out = data_root / target
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.write(data_root / member, arcname=Path(member).name)
            made[target] = f"zip of {member}"
    return made


# -- the child process -------------------------------------------------------------------------
# Runs in the test's folder with the project's interpreter.  argv: url tests_root data_root
# test_path result_path.  It writes one JSON result; the parent reads it after the process ends.
CHILD = r'''
import json, os, sys, traceback
url, tests_root, data_root, test_path, result_path = sys.argv[1:6]
missing = []
result = {"status": "pass", "message": "", "missing": missing}

def first_line(text):
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    # "HTTP 500 Server Error:" says nothing until the line after it.
    return " ".join(lines[:2]) if lines and lines[0].endswith(":") else (lines or [""])[0]

def shim_past():
    """h2o-3's tests import past.utils.old_div from the `future` package; stand in when absent."""
    try:
        import past.utils
    except ImportError:
        import numbers, types
        def old_div(a, b):   # future's own definition: floor division for two integers
            if isinstance(a, numbers.Integral) and isinstance(b, numbers.Integral):
                return a // b
            return a / b
        past, utils = types.ModuleType("past"), types.ModuleType("past.utils")
        utils.old_div, past.utils = old_div, utils
        sys.modules.update({"past": past, "past.utils": utils})

def where(tb):
    """file:line of the deepest frame inside the test file itself."""
    place = ""
    for frame in traceback.extract_tb(tb):
        if os.path.abspath(frame.filename) == test_path:
            place = "%s:%d" % (os.path.basename(frame.filename), frame.lineno)
    return place

def describe(exc):
    err = exc.args[0] if exc.args else None
    if hasattr(err, "msg") and hasattr(err, "endpoint"):      # H2OResponseError(H2OErrorV3)
        text = "%s [%s]" % (first_line(err.msg), err.endpoint)
    else:
        text = first_line(exc)
    name = type(exc).__name__
    place = where(exc.__traceback__)
    return "%s%s: %s" % (name, " at " + place if place else "", text)

try:
    shim_past()
    import h2o   # the installed client, before the tests' "../../" can shadow it
    sys.path.insert(1, os.path.dirname(tests_root))   # h2o-py: `from tests import pyunit_utils`
    from tests import pyunit_utils
    from tests.pyunit_utils import utilsPY

    def locate(path):
        found = os.path.join(data_root, path)
        if os.path.exists(found):
            return found
        missing.append(path)
        raise ValueError("File not found: " + path)

    for module in (sys.modules["tests"], pyunit_utils, utilsPY):
        module.locate = locate
    h2o.connect(url=url, verbose=False)
    h2o.utils.config.H2OConfigReader.get_config()["general.allow_breaking_changes"] = True
    h2o.init = lambda *args, **kwargs: None      # a test's own init must not start a local JVM
    h2o.remove_all()
    pyunit_utils.pyunit_exec(test_path)
except SystemExit as exc:
    if exc.code not in (None, 0):
        result.update(status="error", message="SystemExit(%r)" % (exc.code,))
except AssertionError as exc:
    result.update(status="fail", message=describe(exc))
except BaseException as exc:
    result.update(status="error", message=describe(exc))
with open(result_path, "w") as out:
    json.dump(result, out)
'''


@dataclass
class TestResult:
    """What one pyunit test did on the server."""

    test: str                      # path relative to the tests root
    status: str                    # one of STATUSES
    message: str = ""              # first line of the failure
    seconds: float = 0.0
    missing: list[str] = field(default_factory=list)   # data files it asked for and lacked
    log: str = ""                  # the test's stdout+stderr


def select_tests(tests_root: Path, patterns: list[str]) -> list[Path]:
    """Pyunit files under ``tests_root`` whose relative path contains or matches a pattern.

    ``testdir_munging`` selects that folder and its subfolders; globs (``*sort*``) match the
    relative path.
    """
    found = []
    for path in sorted(tests_root.glob("testdir_*/**/pyunit_*.py")):
        rel = path.relative_to(tests_root).as_posix()
        if not patterns or any(p in rel or fnmatch.fnmatch(rel, p) for p in patterns):
            found.append(path)
    return found


def spread(items: list, n: int) -> list:
    """``n`` items spread evenly over the list (a deterministic sample)."""
    if n <= 0 or n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["MPLBACKEND"] = "Agg"
    env["PYTHONUNBUFFERED"] = "1"
    # The tests' own helpers may reach for the internet (S3); fail fast instead of hanging.
    env.setdefault("no_proxy", "127.0.0.1,localhost")
    return env


LOCATE_LITERAL = re.compile(r"""locate\(\s*(?:path\s*=\s*)?["']([^"']+)["']""")


def missing_data(test: Path, data_root: Path) -> list[str]:
    """Data files the test names literally in ``locate("...")`` that the data root lacks.

    Checking before the run makes "no data" the same on every server: otherwise a server that
    fails earlier in the test would turn the same test into an error.
    """
    named = LOCATE_LITERAL.findall(test.read_text(errors="replace"))
    return sorted({path for path in named if not (data_root / path).exists()})


def run_test(test: Path, tests_root: Path, url: str, data_root: Path, timeout: float,
             python: str = sys.executable, log_dir: Path | None = None,
             include_nopass: bool = False) -> TestResult:
    """Run one pyunit file in a subprocess and classify what happened.

    Files named NOPASS are ones h2o-3's runner leaves out; they are skipped unless asked for.
    """
    rel = test.relative_to(tests_root).as_posix()
    if "NOPASS" in test.name and not include_nopass:
        return TestResult(rel, "skipped", "named NOPASS: h2o-3 itself does not expect it to pass")
    missing = missing_data(test, data_root)
    if missing:
        return TestResult(rel, "no data", "", 0.0, missing)
    with tempfile.TemporaryDirectory(prefix="pyunit-") as scratch:
        result_path = Path(scratch) / "result.json"
        log_path = (log_dir / (rel.replace("/", "__") + ".log")) if log_dir else Path(scratch) / "log"
        cmd = [python, "-c", CHILD, url, str(tests_root.resolve()), str(data_root.resolve()),
               str(test.resolve()), str(result_path)]
        start = time.monotonic()
        with open(log_path, "wb") as log:
            # Its own session, so a timeout kills whatever the test started as well.
            proc = subprocess.Popen(cmd, cwd=test.parent, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=_child_env(),
                                    start_new_session=True)
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                code = None
        seconds = time.monotonic() - start
        output = log_path.read_text(errors="replace")
        if code is None:
            return TestResult(rel, "timeout", f"no answer within {timeout:.0f} s", seconds, log=output)
        try:
            child = json.loads(result_path.read_text())
        except (OSError, ValueError):
            tail = [line for line in output.splitlines() if line.strip()][-1:] or [""]
            return TestResult(rel, "error", f"exit code {code}: {tail[0].strip()}", seconds, log=output)
    status, missing = child["status"], child["missing"]
    if missing and status != "pass":
        status = "no data"
    return TestResult(rel, status, child["message"], seconds, missing, output)


def run_all(tests: list[Path], tests_root: Path, url: str, data_root: Path, timeout: float,
            jobs: int = 1, python: str = sys.executable, log_dir: Path | None = None,
            include_nopass: bool = False, progress=None) -> list[TestResult]:
    """Run every test, ``jobs`` at a time, and return results in the order of ``tests``.

    With ``jobs > 1`` tests share the server, and ``standalone_test``'s ``h2o.remove_all()``
    can delete another test's frames: keep 1 for numbers you publish.
    """
    def one(test):
        result = run_test(test, tests_root, url, data_root, timeout, python, log_dir, include_nopass)
        if progress:
            progress(result)
        return result

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return list(pool.map(one, tests))


def totals(results: list[TestResult]) -> dict[str, int]:
    """Count of results per status (every status present, zeros included)."""
    counts = {status: 0 for status in STATUSES}
    for r in results:
        counts[r.status] += 1
    counts["total"] = len(results)
    return counts


def format_line(r: TestResult) -> str:
    detail = r.message if r.status != "no data" else "missing " + ", ".join(sorted(set(r.missing)))
    return f"{r.status.upper():8} {r.seconds:6.1f}s  {r.test}" + (f"\n{'':17}{detail}" if detail else "")


def report(results: list[TestResult]) -> str:
    """The text report: one line per test (two when it did not pass), then the totals."""
    lines = [format_line(r) for r in results]
    counts = totals(results)
    with_data = counts["total"] - counts["no data"] - counts["skipped"]
    lines.append("")
    lines.append("  ".join(f"{s}={counts[s]}" for s in STATUSES) + f"  total={counts['total']}")
    if with_data:
        lines.append(f"passed {counts['pass']} of {with_data} tests that have their data "
                     f"({100 * counts['pass'] / with_data:.0f}%)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.pyunit", description=__doc__.split("\n")[0])
    parser.add_argument("--tests", required=True, type=Path,
                        help="h2o-3's h2o-py/tests folder (from an archive or checkout of h2o-3)")
    parser.add_argument("--select", action="append", default=[],
                        help="folder, substring or glob of the tests to run (repeatable)")
    parser.add_argument("--url", required=True, help="server to test, e.g. http://127.0.0.1:54321")
    parser.add_argument("--data", type=Path, default=None,
                        help="data root holding smalldata/ (default: the h2o-3 checkout, two "
                             "folders above --tests); files known offline are assembled into it")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per test")
    parser.add_argument("--jobs", type=int, default=1, help="tests at a time (keep 1, see run_all)")
    parser.add_argument("--sample", type=int, default=0, help="run only N tests spread over the selection")
    parser.add_argument("--include-nopass", action="store_true", help="also run tests named NOPASS")
    parser.add_argument("--python", default=sys.executable, help="interpreter with h2o installed")
    parser.add_argument("--logs", type=Path, default=None, help="keep each test's output here")
    parser.add_argument("--json", type=Path, default=None, help="write the results here as JSON")
    args = parser.parse_args(argv)

    tests_root = args.tests.resolve()
    checkout = tests_root.parent.parent
    data_root = (args.data or checkout).resolve()
    assemble_data(data_root, checkout)
    tests = spread(select_tests(tests_root, args.select), args.sample)
    if not tests:
        parser.error(f"no pyunit_*.py under {tests_root} matches {args.select}")
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    print(f"{len(tests)} tests against {args.url}, data from {data_root}", flush=True)
    results = run_all(tests, tests_root, args.url.rstrip("/"), data_root, args.timeout, args.jobs,
                      args.python, args.logs, args.include_nopass,
                      progress=lambda r: print(f"{r.status:8} {r.test}", flush=True))
    print("\n" + report(results))
    if args.json:
        payload = {"url": args.url, "tests": str(tests_root), "data": str(data_root),
                   "totals": totals(results),
                   "results": [{k: v for k, v in asdict(r).items() if k != "log"} for r in results]}
        args.json.write_text(json.dumps(payload, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
