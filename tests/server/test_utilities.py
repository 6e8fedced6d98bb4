"""LogAndEcho, CreateFrame and MissingInserter over HTTP on the embedded server: shapes, column
types and fractions checked statistically, errors as H2OErrorV3 400s."""
import io
from collections import Counter

import numpy as np
import pandas as pd
import requests

from tests.server.conftest import assert_h2o_error, wait_job


def download(url, key) -> pd.DataFrame:
    answer = requests.get(f"{url}/3/DownloadDataset", params={"frame_id": key})
    assert answer.status_code == 200, answer.text
    return pd.read_csv(io.StringIO(answer.text))


def columns(url, key):
    frame = requests.get(f"{url}/3/Frames/{key}", params={"row_count": 0}).json()["frames"][0]
    return frame["rows"], [(c["label"], c["type"]) for c in frame["columns"]]


def create(url, **body):
    answer = requests.post(f"{url}/3/CreateFrame", json=body)
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["key"]["name"])
    assert job["status"] == "DONE", job["exception"]
    return job["dest"]["name"]


def test_log_and_echo(url):
    answer = requests.post(f"{url}/3/LogAndEcho", data={"message": "Starting test pyunit_x.py"})
    assert answer.status_code == 200
    assert answer.json()["message"] == "Starting test pyunit_x.py"


def test_create_frame_shape_types_and_fractions(url):
    key = create(url, dest="cf_mix", rows=4000, cols=20, seed=5, categorical_fraction=0.2, factors=7,
                 integer_fraction=0.2, integer_range=9, binary_fraction=0.1, binary_ones_fraction=0.3,
                 time_fraction=0.1, string_fraction=0.1, missing_fraction=0.1, has_response=True,
                 response_factors=3)
    rows, cols = columns(url, key)
    assert rows == 4000 and [c[0] for c in cols] == ["response"] + [f"C{i}" for i in range(1, 21)]
    kinds = Counter(t for _, t in cols[1:])
    assert kinds == {"enum": 4, "int": 4 + 2, "real": 6, "time": 2, "string": 2}   # binary columns are ints
    assert cols[0][1] == "enum"
    df = download(url, key)
    assert abs(df.isna().to_numpy().mean() - 0.1) < 0.02
    ints = [name for name, t in cols[1:] if t == "int"]
    values = df[ints].to_numpy(float)
    binary = [name for name in ints if set(df[name].dropna().unique()) <= {0, 1}]
    assert len(binary) >= 2
    for name in binary:
        assert abs(df[name].mean() - 0.3) < 0.05
    assert np.nanmin(values) >= -9 and np.nanmax(values) <= 9
    assert set(df["response"].dropna().unique()) <= {0, 1, 2}
    assert create(url, dest="cf_mix2", rows=4000, cols=20, seed=5, categorical_fraction=0.2, factors=7,
                  integer_fraction=0.2, integer_range=9, binary_fraction=0.1, binary_ones_fraction=0.3,
                  time_fraction=0.1, string_fraction=0.1, missing_fraction=0.1, has_response=True,
                  response_factors=3)
    assert download(url, "cf_mix2").equals(df)          # one seed, one frame


def test_create_frame_defaults_and_reals(url):
    key = create(url, rows=1000, cols=10, seed=1, categorical_fraction=0, integer_fraction=0, binary_fraction=0,
                 missing_fraction=0, real_range=5)
    rows, cols = columns(url, key)
    assert rows == 1000 and [t for _, t in cols] == ["real"] * 10
    values = download(url, key).to_numpy(float)
    assert -5 <= values.min() < -4 and 4 < values.max() <= 5
    assert abs(values.mean()) < 0.2


def test_create_frame_constant(url):
    key = create(url, dest="cf_const", rows=50, cols=3, randomize=False, value=7, categorical_fraction=0,
                 integer_fraction=0, binary_fraction=0, missing_fraction=0)
    assert (download(url, key).to_numpy() == 7).all()


def test_create_frame_errors(url):
    answer = requests.post(f"{url}/3/CreateFrame", json={"rows": 10, "cols": 5, "categorical_fraction": 0.6,
                                                         "integer_fraction": 0.6})
    assert_h2o_error(answer, 400, "must add up to <= 1")
    answer = requests.post(f"{url}/3/CreateFrame", json={"rows": 0, "cols": 5})
    assert_h2o_error(answer, 400, "rows > 0")
    answer = requests.post(f"{url}/3/CreateFrame", json={"randomize": False, "value": 3})
    assert_h2o_error(answer, 400, "unless randomize=true")


def test_missing_inserter_replaces_the_frame(url):
    key = create(url, dest="mi_src", rows=3000, cols=5, seed=3, categorical_fraction=0.2, integer_fraction=0.2,
                 binary_fraction=0, missing_fraction=0)
    before = download(url, key)
    assert not before.isna().any().any()
    answer = requests.post(f"{url}/3/MissingInserter", data={"dataset": key, "fraction": 0.25, "seed": 9})
    assert answer.status_code == 200, answer.text
    job = wait_job(url, answer.json()["key"]["name"])
    assert job["status"] == "DONE" and job["dest"]["name"] == key
    after = download(url, key)
    assert abs(after.isna().to_numpy().mean() - 0.25) < 0.03
    kept = after.notna()
    pd.testing.assert_frame_equal(after[kept], before[kept], check_dtype=False)
    assert columns(url, key)[1] == columns(url, "mi_src")[1]


def test_missing_inserter_errors(url):
    assert_h2o_error(requests.post(f"{url}/3/MissingInserter", data={"dataset": "nope", "fraction": 0.1}), 404)
    create(url, dest="mi_bad", rows=10, cols=2, seed=1)
    assert_h2o_error(requests.post(f"{url}/3/MissingInserter", data={"dataset": "mi_bad", "fraction": 1.5}),
                     400, "fraction must be between 0 and 1")
