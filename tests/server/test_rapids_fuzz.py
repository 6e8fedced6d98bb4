"""Property-based fuzzing of POST /99/Rapids (issue 14): random expressions built from every
operation the engine has (and some it lacks), and h2o-py's own expressions mutated character by
character, never get a 5xx, always get an H2OErrorV3 with a message when refused, and never change
a stored frame they do not name as a result."""
import string

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from h2odash.engine.rapids import PRIMS

from .conftest import import_and_parse

GUARD = "rapids_guard.hex"
# Operations whose first argument names the key they write or remove: aimed at a scratch key, so
# that a generated expression removing the guard would be legitimate work, not a bug.
WRITES = {"tmp=", "assign", "rm", "rename", "h2o.impute"}
# Expressions h2o-py sends (tmp/h2opy-protocol.md), with the guard frame's name.
H2OPY = [
    "(tmp= py_1_sid (rows {g} [0:10]))", "(tmp= py_2_sid (rows (cols_py {g} [0:4]) [0:3]))",
    "(rows {g} (> (cols_py {g} 'AGE') 60))", "(:= {g} (as.factor (cols_py {g} 'RACE')) 3 [])",
    "(GB {g} [3] 'mean' 2 'all')", "(GB {g} [3 1] 'nrow' 0 'all' 'sum' 6 'ignore' 'mean' 2 'all')",
    "(sort {g} ['AGE' 'PSA'] [1 -1])", "(merge {g} {g} False False [3] [0] 'auto')",
    "(rows {g} (<= (h2o.runif {g} 1) 0.8))", "(cbind (cols_py {g} ['AGE']) (cols_py {g} ['PSA']))",
    "(rbind {g} {g})", "(mean (cols_py {g} 'AGE') True 0)", "(sumNA (ifelse (> (cols_py {g} 'AGE') 60) 1 0))",
    "(quantile (cols_py {g} 'AGE') [0.1 0.5 0.9] 'interpolate' '_')", "(table (cols_py {g} 'RACE') True)",
    "(apply {g} 2 {{x . (mean x True)}})", "(levels {g})", "(unique (cols_py {g} 'AGE') False)",
]


@pytest.fixture(scope="module")
def guarded(embedded_url, data_dir):
    assert import_and_parse(embedded_url, data_dir / "prostate.csv", GUARD)["status"] == "DONE"
    yield embedded_url
    requests.delete(f"{embedded_url}/3/Frames/{GUARD}")


def _fingerprint(url):
    frame = requests.get(f"{url}/3/Frames/{GUARD}", params={"row_count": 0}).json()["frames"][0]
    return frame["checksum"], frame["rows"], [c["type"] for c in frame["columns"]]


def _check(answer):
    assert answer.status_code < 500, (answer.status_code, answer.text[:500])
    if answer.status_code >= 400:
        body = answer.json()
        assert body["__meta"]["schema_name"] == "H2OErrorV3" and body["msg"].strip()


WORDS = st.sampled_from(sorted(PRIMS) + ["nosuchop", "+", "%%", "GB", "sort"])
ATOMS = st.one_of(
    st.integers(-5, 12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from([GUARD, "no_such_frame", "'AGE'", "'x'", "[]", "[0:3]", "[1 2]", "['AGE' 'PSA']",
                     "[-1]", "[0:nan]", "True", "False", "nan", "{x . x}"]),
    st.text(string.printable, max_size=6).map(lambda t: "'" + t.replace("'", "").replace("\\", "") + "'"),
)


def _call(children):
    return st.tuples(WORDS, st.lists(children, max_size=4)).map(
        lambda pair: f"({pair[0]} {'scratch' if pair[0] in WRITES else ''} {' '.join(pair[1])})".replace("  ", " "))


EXPRESSIONS = st.recursive(ATOMS, _call, max_leaves=10)


def _mutated(draw_index, text, char):
    position = draw_index % (len(text) + 1)
    return text[:position] + char + text[position + 1:]


MUTATIONS = st.builds(
    _mutated, st.integers(0, 10_000), st.sampled_from(H2OPY).map(lambda t: t.format(g=GUARD)),
    st.sampled_from(list("()[]{}'\" :-.0x") + ["", "((", "]]", "nan"]))


@pytest.mark.timeout(900)
def test_random_and_mutated_expressions_never_break_the_server(guarded):
    before = _fingerprint(guarded)
    session = requests.post(f"{guarded}/4/sessions").json()["session_key"]

    @settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.one_of(EXPRESSIONS, MUTATIONS))
    def run(expression):
        _check(requests.post(f"{guarded}/99/Rapids", data={"ast": expression, "session_id": session}, timeout=60))
        assert _fingerprint(guarded) == before, expression

    run()
    requests.delete(f"{guarded}/4/sessions/{session}")
    assert requests.get(f"{guarded}/3/Cloud").status_code == 200
