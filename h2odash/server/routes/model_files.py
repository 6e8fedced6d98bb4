"""Model files: save to and load from the server's disk, download and upload (H2O-3's
``/99/Models.bin``, ``/3/Models.fetch.bin``, ``/99/Models.upload.bin``), and the MOJO
endpoint, which says why it has nothing to give."""

from starlette.responses import Response

from h2odash.engine import model_files
from h2odash.engine.errors import NotImplementedFeature
from h2odash.server.endpoint import Endpoint
from h2odash.server.model_schemas import models_v3
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope


def save(call):
    p = call.params
    path = model_files.save_model(call.engine, p["model_id"], p["dir"], force=p["force"],
                                  with_cv_predictions=p["export_cross_validation_predictions"])
    return envelope("ModelExportV3", "Iced", dir=path, force=p["force"],
                    export_cross_validation_predictions=p["export_cross_validation_predictions"])


def load(call):
    model = model_files.load_model(call.engine, call.params["dir"], call.params.get("model_id") or None)
    return models_v3([model], full=True)


def upload(call):
    model = model_files.upload_model(call.engine, call.params["dir"], call.params.get("model_id") or None)
    return models_v3([model], full=True)


def download(call):
    p = call.params
    model_files.refuse_cv_predictions(p["export_cross_validation_predictions"])
    data = model_files.model_bytes(call.engine, p["model_id"])
    filename = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in p["model_id"])
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def mojo(call):
    call.engine.model(call.params["model_id"])   # an unknown model is still a 404
    raise NotImplementedFeature(
        "MOJOs are H2O-3's Java scoring artifacts; the embedded engine does not make them. Save the model "
        "with GET /99/Models.bin/{model_id} (h2o.save_model) or download it with GET /3/Models.fetch.bin/"
        "{model_id} (model.download_model): h2odash's own model file, which h2o.load_model reads back.",
        {"argument": "model_id"})


_CV = Param("export_cross_validation_predictions", "bool", False,
            help="Also keep the cross-validation holdout predictions (not implemented: refused when true).")
_SAVE = Schema("ModelExportV3", (
    Param("model_id", "key", required=True, help="The model to save."),
    Param("dir", "str", required=True, help="The file to write on the server's disk (a file, not a folder)."),
    Param("force", "bool", False, help="Overwrite the file if it exists."),
    _CV,
))
_LOAD = Schema("ModelImportV3", (
    Param("model_id", "str", help="Keep the model under this id instead of the one in the file."),
    Param("dir", "str", required=True, help="The model file on the server's disk (for upload: the PostFile.bin key)."),
    Param("force", "bool", True, help="Replace a model of the same id (H2O-3 always does)."),
))
_DOWNLOAD = Schema("ModelsV3", (Param("model_id", "key", required=True, help="The model to download."), _CV))

ENDPOINTS = [
    Endpoint("GET", "/99/Models.bin/{model_id}", save, "Save a model to a file on the server's disk.", _SAVE,
             "ModelExportV3"),
    Endpoint("POST", "/99/Models.bin/", load, "Load a model from a file on the server's disk.", _LOAD, "ModelsV3"),
    Endpoint("POST", "/99/Models.bin/{model_id}", load, "Load a model from a file on the server's disk.", _LOAD,
             "ModelsV3"),
    Endpoint("POST", "/99/Models.upload.bin/", upload, "Load a model from a file uploaded with POST /3/PostFile.bin.",
             _LOAD, "ModelsV3"),
    Endpoint("POST", "/99/Models.upload.bin/{model_id}", upload,
             "Load a model from a file uploaded with POST /3/PostFile.bin.", _LOAD, "ModelsV3"),
    Endpoint("GET", "/3/Models.fetch.bin/{model_id}", download, "Download a model file.", _DOWNLOAD, "ModelsV3"),
    Endpoint("GET", "/3/Models/{model_id}/mojo", mojo, "MOJO download: refused, the engine makes no MOJOs.",
             Schema("ModelsV3", (Param("model_id", "key", required=True, help="The model."),)), "ModelsV3"),
]
