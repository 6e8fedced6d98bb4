"""tools.pyunit classifies pyunit-style tests run against a server: pass, fail, no data, NOPASS.

The tests here are tiny synthetic files written the way h2o-3's are (``sys.path.insert``,
``from tests import pyunit_utils``, ``standalone_test`` under ``__main__``), in a fake
``h2o-py/tests`` tree whose ``pyunit_utils`` offers the few helpers they use, so no h2o-3
checkout is needed.
"""
from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from tools import pyunit

pytest.importorskip("h2o")

PYUNIT_UTILS = '''
import h2o

def locate(path):
    raise ValueError("File not found: " + path)

def standalone_test(test):
    if not h2o.connection() or not h2o.connection().connected:
        h2o.init(strict_version_check=False)
    test()

def pyunit_exec(test_name):
    with open(test_name) as t:
        code = compile(t.read(), test_name, "exec")
    exec(code, dict(__name__="__main__", __file__=test_name))
'''

HEADER = '''
import sys
sys.path.insert(1, "../../")
import h2o
from tests import pyunit_utils
'''

TESTS = {
    "pyunit_frame_shape.py": '''
def frame_shape():
    frame = h2o.H2OFrame({"a": [1, 2, 3], "b": [4, 5, 6]})
    assert frame.dim == [3, 2], frame.dim
''',
    "pyunit_wrong_shape.py": '''
def wrong_shape():
    frame = h2o.H2OFrame({"a": [1, 2, 3]})
    assert frame.nrow == 4, "expected 4 rows, got %d" % frame.nrow
''',
    "pyunit_needs_data.py": '''
def needs_data():
    frame = h2o.import_file(pyunit_utils.locate("smalldata/jira/not_here.csv"))
    assert frame.nrow > 0
''',
    "pyunit_NOPASS_known_bug.py": '''
def known_bug():
    assert False
''',
}


def _fake_h2o_py_tests(root: Path) -> Path:
    """An ``h2o-py/tests`` tree with a minimal ``pyunit_utils`` and the TESTS above."""
    tests = root / "h2o-py" / "tests"
    (tests / "pyunit_utils").mkdir(parents=True)
    (tests / "__init__.py").write_text("from .pyunit_utils import *\n")
    (tests / "pyunit_utils" / "__init__.py").write_text("from .utilsPY import *\n")
    (tests / "pyunit_utils" / "utilsPY.py").write_text(PYUNIT_UTILS)
    folder = tests / "testdir_fake"
    folder.mkdir()
    for name, body in TESTS.items():
        fn = body.split("def ")[1].split("(")[0]
        main = f'\nif __name__ == "__main__":\n    pyunit_utils.standalone_test({fn})\n'
        (folder / name).write_text(HEADER + textwrap.dedent(body) + main)
    return tests


def test_classifies_pass_fail_no_data_and_nopass(tmp_path, embedded_url):
    tests_root = _fake_h2o_py_tests(tmp_path)
    out = tmp_path / "results.json"

    code = pyunit.main(["--tests", str(tests_root), "--select", "testdir_fake",
                        "--url", embedded_url, "--data", str(tmp_path / "data"),
                        "--timeout", "120", "--python", sys.executable, "--json", str(out)])

    assert code == 0
    report = json.loads(out.read_text())
    by_name = {Path(r["test"]).name: r for r in report["results"]}
    assert by_name["pyunit_frame_shape.py"]["status"] == "pass"
    wrong = by_name["pyunit_wrong_shape.py"]
    assert wrong["status"] == "fail"
    assert "expected 4 rows, got 3" in wrong["message"]
    assert "pyunit_wrong_shape.py:" in wrong["message"]       # where in the test it failed
    assert by_name["pyunit_needs_data.py"]["status"] == "no data"
    assert by_name["pyunit_needs_data.py"]["missing"] == ["smalldata/jira/not_here.csv"]
    assert by_name["pyunit_NOPASS_known_bug.py"]["status"] == "skipped"
    assert report["totals"] == {"pass": 1, "fail": 1, "error": 0, "timeout": 0, "no data": 1,
                                "skipped": 1, "total": 4}


def test_assembles_prostate_and_its_zip(tmp_path):
    made = pyunit.assemble_data(tmp_path, checkout=tmp_path / "no-checkout")

    # Without an h2o-3 checkout only the h2o package's own prostate.csv is at hand.
    assert made["smalldata/logreg/prostate.csv"] == "pkg:h2o_data/prostate.csv"
    assert made["smalldata/prostate/prostate.csv.zip"] == "zip of smalldata/prostate/prostate.csv"
    assert (tmp_path / "smalldata/prostate/prostate.csv").read_text().startswith("ID,CAPSULE,AGE")
    assert "smalldata/iris/iris.csv" not in made


def test_selection_and_sample(tmp_path):
    tests_root = _fake_h2o_py_tests(tmp_path)

    chosen = pyunit.select_tests(tests_root, ["*shape*"])

    assert [p.name for p in chosen] == ["pyunit_frame_shape.py", "pyunit_wrong_shape.py"]
    assert pyunit.spread(list(range(10)), 3) == [0, 3, 6]
