"""``makeLeaderboard``: a leaderboard frame of any models (h2o-py's ``h2o.make_leaderboard``)."""
from __future__ import annotations

import pyarrow as pa

from h2odash.engine.leaderboards import make_leaderboard

from ..interpreter import Interpreter, prim
from .. import values as v


@prim("makeLeaderboard")
def leaderboard(ix: Interpreter, models, leaderboard_frame, sort_metric, extensions, scoring_data):
    """(makeLeaderboard [model ids] frame-or-"" sort_metric [extra columns] scoring_data)"""
    op = "makeLeaderboard"
    model_ids = v.strings(models, op, "the model ids")
    # No leaderboard frame is h2o-py's "", which Rapids reads as a missing value.
    frame_key = leaderboard_frame if isinstance(leaderboard_frame, str) else ""
    asked = [extensions] if isinstance(extensions, str) else v.strings(extensions or [], op, "the extra columns")
    table, types = make_leaderboard(ix.engine, model_ids, frame_key or None, v.string(sort_metric, op),
                                    asked, v.string(scoring_data, op))
    arrays = [pa.array(values, pa.string() if kind == "string" else pa.float64())
              for values, kind in zip(table.values(), types)]
    return v.make_frame(list(table), arrays, types)
