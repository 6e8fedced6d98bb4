"""The engine's model and workspace files: what goes in comes back bitwise, and a file from
someone else is data, never code (crafted files are refused with a reason and run nothing)."""

import hashlib
import io
import json
import pickle
import zipfile

import numpy as np
import pytest

from h2odash.engine import object_files
from h2odash.engine.frames import Frame
from h2odash.engine.object_files import ObjectFileError
from tests.engine.algos.training_sets import frame_of, prostate


@pytest.fixture(scope="module")
def trained():
    """A store with prostate and a GBM (LightGBM booster) and a DRF (XGBoost boosters) on it."""
    from h2odash.engine import Engine

    engine = Engine()
    frame = frame_of(prostate(), enums=("RACE", "CAPSULE"))
    engine.store.put("prostate", Frame("prostate", frame.table, frame.types))
    keys = []
    for algo in ("gbm", "drf", "glm"):
        job = engine.train(algo, {"training_frame": "prostate", "response_column": "CAPSULE", "seed": 1,
                                  "ignored_columns": ["ID"], **({"ntrees": 7} if algo != "glm" else {})})
        assert job.wait(120) and job.status == "DONE", job.exception
        keys.append(job.dest_key)
    yield engine, keys
    engine.shutdown()


def _rebuilt(manifest_edit=None, members_edit=None, data=None):
    """A copy of a real model file with its manifest or members changed (checksums refreshed
    unless the edit is about them)."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(archive.read("manifest.json"))
    members = {n: archive.read(n) for n in archive.namelist() if n != "manifest.json"}
    if members_edit:
        members_edit(members)
        manifest["members"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()}
    if manifest_edit:
        manifest_edit(manifest)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:
        rebuilt.writestr("manifest.json", json.dumps(manifest))
        for name, content in members.items():
            rebuilt.writestr(name, content)
    return out.getvalue()


def test_a_model_read_back_predicts_bitwise_and_keeps_its_metrics(trained):
    engine, keys = trained
    frame = engine.frame("prostate")
    for key in keys:
        model = engine.model(key)
        copy, manifest = object_files.load(object_files.dump(model, "model", key), "model")
        assert manifest["key"] == key and manifest["kind"] == "model"
        assert copy is not model and copy.fitted is not model.fitted
        assert np.array_equal(copy.predict_raw(frame), model.predict_raw(frame)), key
        assert json.dumps(copy.training_metrics, default=repr) == json.dumps(model.training_metrics, default=repr)
        assert copy.params == model.params and copy.history_rows == model.history_rows


def test_a_frame_read_back_is_equal_with_its_types(trained):
    engine, _ = trained
    frame = engine.frame("prostate")
    copy, _ = object_files.load(object_files.dump(frame, "frame", "prostate"), "frame")
    assert copy.table.equals(frame.table) and copy.types == frame.types and copy.names == frame.names


class _Payload:
    """What a pickle-based loader would run: it writes a marker file when unpickled."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def test_a_pickle_payload_is_refused_and_runs_nothing(tmp_path, trained):
    engine, keys = trained
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(str(marker)))
    with pytest.raises(ObjectFileError, match="not a readable h2odash"):
        object_files.load(payload, "model")
    # ... nor when smuggled inside a file of ours as an array member (np.load without pickle)
    good = object_files.dump(engine.model(keys[2]), "model", keys[2])
    first_array = next(n for n in zipfile.ZipFile(io.BytesIO(good)).namelist() if n.startswith("arrays/"))
    smuggled = io.BytesIO()
    np.save(smuggled, np.array([_Payload(str(marker))], dtype=object), allow_pickle=True)
    crafted = _rebuilt(members_edit=lambda m: m.__setitem__(first_array, smuggled.getvalue()), data=good)
    with pytest.raises(ObjectFileError):
        object_files.load(crafted, "model")
    assert not marker.exists()


@pytest.mark.parametrize("target", ["os:system", "builtins:eval", "subprocess:Popen",
                                    "h2odash.engine.engine:_local_path", "h2odash.engine.errors:EngineError",
                                    "h2odash.engine.models:Model.__init__.__globals__"])
def test_an_object_graph_may_only_build_engine_classes(trained, target):
    engine, keys = trained
    good = object_files.dump(engine.model(keys[0]), "model", keys[0])

    def swap_root(members):
        graph = json.loads(members["object.json"])
        graph["$object"] = target
        members["object.json"] = json.dumps(graph).encode()

    with pytest.raises(ObjectFileError, match="not one of h2odash's engine objects|does not have"):
        object_files.load(_rebuilt(members_edit=swap_root, data=good), "model")


def test_a_member_path_outside_the_archive_layout_is_refused(trained):
    engine, keys = trained
    good = object_files.dump(engine.model(keys[0]), "model", keys[0])
    crafted = _rebuilt(members_edit=lambda m: m.__setitem__("../../etc/evil.npy", b"x"), data=good)
    with pytest.raises(ObjectFileError, match="never writes"):
        object_files.load(crafted, "model")


def test_a_truncated_or_empty_file_is_refused(trained):
    engine, keys = trained
    good = object_files.dump(engine.model(keys[0]), "model", keys[0])
    for cut in (0, 10, len(good) // 2, len(good) - 30):
        with pytest.raises(ObjectFileError):
            object_files.load(good[:cut], "model")


def test_a_member_that_fails_its_checksum_is_refused(trained):
    engine, keys = trained
    good = object_files.dump(engine.model(keys[0]), "model", keys[0])

    def flip(members):
        name = next(n for n in members if n.startswith("lightgbm/"))
        text = bytearray(members[name])
        text[len(text) // 2] ^= 1
        members[name] = bytes(text)

    archive = zipfile.ZipFile(io.BytesIO(good))
    manifest = json.loads(archive.read("manifest.json"))
    members = {n: archive.read(n) for n in archive.namelist() if n != "manifest.json"}
    flip(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as rebuilt:   # the manifest keeps the original checksums
        rebuilt.writestr("manifest.json", json.dumps(manifest))
        for name, content in members.items():
            rebuilt.writestr(name, content)
    with pytest.raises(ObjectFileError, match="does not match its checksum"):
        object_files.load(out.getvalue(), "model")


def test_a_newer_format_version_is_refused_with_what_to_do(trained):
    engine, keys = trained
    good = object_files.dump(engine.model(keys[0]), "model", keys[0])
    newer = _rebuilt(manifest_edit=lambda m: m.__setitem__("version", object_files.VERSION + 1), data=good)
    with pytest.raises(ObjectFileError, match="newer h2odash.*Upgrade"):
        object_files.load(newer, "model")


def test_a_frame_file_is_not_taken_for_a_model(trained):
    engine, _ = trained
    data = object_files.dump(engine.frame("prostate"), "frame", "prostate")
    with pytest.raises(ObjectFileError, match="holds a frame, not a model"):
        object_files.load(data, "model")
