"""Partial dependence and ICE: start the computation (a job), then read its tables."""

from h2odash.engine.partial_dependence import Request
from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope, job_v3, key_ref, two_dim_table


def start(call):
    p = call.params
    request = Request(
        cols=p.get("cols"), nbins=int(p.get("nbins") or 20),
        weight_column_index=int(-1 if p.get("weight_column_index") is None else p["weight_column_index"]),
        add_missing_na=bool(p.get("add_missing_na")),
        row_index=int(-1 if p.get("row_index") is None else p["row_index"]),
        col_pairs_2dpdp=p.get("col_pairs_2dpdp"), user_splits=p.get("user_splits"), user_cols=p.get("user_cols"),
        num_user_splits=p.get("num_user_splits"), targets=p.get("targets"),
    )
    job = call.engine.partial_dependence(p["model_id"], p["frame_id"], request, p.get("destination_key"))
    return job_v3(job)


def fetch(call):
    result = call.engine.partial_dependence_result(call.params["name"])
    r = result.request
    return envelope(
        "PartialDependenceV3", "PartialDependence",
        model_id=key_ref(result.model_key, "Model"), frame_id=key_ref(result.frame_key),
        row_index=r.row_index, cols=r.cols, weight_column_index=r.weight_column_index,
        add_missing_na=r.add_missing_na, nbins=r.nbins, user_splits=r.user_splits, user_cols=r.user_cols,
        num_user_splits=r.num_user_splits, partial_dependence_data=[two_dim_table(t) for t in result.tables],
        col_pairs_2dpdp=r.col_pairs_2dpdp, destination_key=None, targets=r.targets,
    )


_START = Schema("PartialDependenceV3", (
    Param("model_id", "key", required=True, help="The model whose predictions are followed."),
    Param("frame_id", "key", required=True, help="The rows the predictions are averaged over."),
    Param("cols", "strs", help="Columns to plot one by one (the ten most important when unset)."),
    Param("nbins", "int", 20, help="Grid points per numeric column (at least 2)."),
    Param("weight_column_index", "int", -1, help="Index of a column of row weights (-1: none)."),
    Param("add_missing_na", "bool", False, help="Add a missing-value point to each grid."),
    Param("row_index", "int", -1, help="One row's curve (ICE) instead of the average (-1)."),
    Param("col_pairs_2dpdp", "str_lists", help="Pairs of columns for 2D partial dependence."),
    Param("user_splits", "floats", help="The user's own grid points, for user_cols in order."),
    Param("user_cols", "strs", help="Columns that take the user's grid points."),
    Param("num_user_splits", "ints", help="How many of user_splits each of user_cols takes."),
    Param("targets", "strs", help="Multinomial models: the classes whose probability is followed."),
    Param("destination_key", "str", help="Key to keep the result under."),
))
_FETCH = Schema("PartialDependenceV3", (Param("name", "str", required=True, help="The result's key."),))

ENDPOINTS = [
    Endpoint("POST", "/3/PartialDependence/", start, "Start computing partial dependence (a job).", _START, "JobV3"),
    Endpoint("POST", "/3/PartialDependence", start, "Start computing partial dependence (a job).", _START, "JobV3"),
    Endpoint("GET", "/3/PartialDependence/{name}", fetch, "The partial dependence tables.", _FETCH,
             "PartialDependenceV3"),
]
