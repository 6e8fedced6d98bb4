"""SegmentModelsBuilders over HTTP: what is refused before the job starts, and the result read
back through Rapids' segment_models_as_frame."""

import pytest
import requests

from tests.server.conftest import assert_h2o_error, import_and_parse, wait_job


@pytest.fixture(scope="module")
def prostate(embedded_url, data_dir):
    assert import_and_parse(embedded_url, data_dir / "prostate.csv", "prostate_seg")["status"] == "DONE"
    return "prostate_seg"


def start(url, **body):
    return requests.post(f"{url}/3/SegmentModelsBuilders/gbm", data=body)


@pytest.mark.parametrize("body, fragments", [
    ({"segment_columns": '["PSA"]'}, ("categorical or integer", "PSA")),
    ({"segment_columns": '["nope"]'}, ("nope",)),
    ({}, ("segment_columns",)),
    ({"segment_columns": '["RACE"]', "parallelism": "0"}, ("parallelism",)),
])
def test_bad_requests_are_refused_before_any_job(embedded_url, prostate, body, fragments):
    answer = start(embedded_url, training_frame=prostate, response_column="CAPSULE", **body)
    assert_h2o_error(answer, 400, *fragments)


def test_unknown_segment_models_are_not_found(embedded_url):
    answer = requests.post(f"{embedded_url}/99/Rapids", data={"ast": "(segment_models_as_frame nothing)"})
    assert_h2o_error(answer, 404, "nothing")


def test_the_job_answers_with_its_segment_models(embedded_url, prostate):
    answer = start(embedded_url, training_frame=prostate, response_column="CAPSULE", segment_columns='["RACE"]',
                   ntrees="2", min_rows="2", segment_models_id="by_race")
    assert answer.status_code == 200, answer.text
    job = answer.json()
    assert job["__meta"]["schema_name"] == "JobV3" and job["dest"]["name"] == "by_race"
    assert wait_job(embedded_url, job["key"]["name"])["status"] == "DONE"
    result = requests.post(f"{embedded_url}/99/Rapids", data={"ast": "(segment_models_as_frame by_race)"}).json()
    frame = requests.get(f"{embedded_url}/3/Frames/{result['key']['name']}").json()["frames"][0]
    assert [c["label"] for c in frame["columns"]] == ["RACE", "model", "status", "errors", "warnings"]
    assert [c["type"] for c in frame["columns"]] == ["int", "string", "enum", "string", "string"]
    assert frame["rows"] == 3
