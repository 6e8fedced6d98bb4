"""``segment_models_as_frame``: the table of a segments job's models (h2o-py's
``H2OSegmentModels.as_frame()``)."""
from __future__ import annotations

from h2odash.engine.segments import SegmentModels

from ..interpreter import Interpreter, prim
from .keys import _key_name


@prim("segment_models_as_frame", lazy=True)
def segment_models_as_frame(ix: Interpreter, key):
    """(segment_models_as_frame id): the segment columns, then model, status, errors, warnings.
    Lazy, since the id names segment models, which are not frames."""
    name = _key_name(key[0], "segment_models_as_frame")
    return ix.engine.store.get(name, SegmentModels, "segment_models_id").as_frame("")
