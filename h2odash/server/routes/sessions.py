"""Client sessions (``/4/sessions``) and removing stored objects (``/3/DKV``), as h2o-py's
``h2o.connect``, ``h2o.remove`` and ``h2o.remove_all`` use them."""

from h2odash.server.endpoint import Endpoint
from h2odash.server.params import Param, Schema
from h2odash.server.schemas import envelope


def open_session(call):
    # h2o-py reads session_key; H2O-3 answers this one with a bare __schema, not __meta.
    return {"__schema": "/4/schemas/SessionIdV4", "session_key": call.engine.sessions.open()}


def close_session(call):
    key = call.params["session_key"]
    call.engine.sessions.close(key)
    return envelope("InitIDV3", session_key=key, session_properties_allowed=True)


def remove_all(call):
    call.engine.remove_all(call.params.get("retained_keys") or ())
    return envelope("RemoveAllV3", retained_keys=call.params.get("retained_keys"))


def remove_key(call):
    key = call.params["key"]
    call.engine.remove(key)
    return envelope("RemoveV3", key=None)


ENDPOINTS = [
    Endpoint("POST", "/4/sessions", open_session, "Start a client session (its Rapids temporaries end with it).",
             Schema("SessionIdV4"), "SessionIdV4"),
    Endpoint("DELETE", "/4/sessions/{session_key}", close_session,
             "End a client session and remove the temporaries it made.",
             Schema("InitIDV3", (Param("session_key", "str", required=True, help="The session to end."),)),
             "InitIDV3"),
    Endpoint("DELETE", "/3/DKV", remove_all, "Remove every frame, model and result but the retained ones.",
             Schema("RemoveAllV3", (Param("retained_keys", "keys", help="Keys to keep."),)), "RemoveAllV3"),
    Endpoint("DELETE", "/3/DKV/{key}", remove_key, "Remove one stored object (a model with its training's frames).",
             Schema("RemoveV3", (Param("key", "key", required=True, help="What to remove."),
                                 Param("cascade", "bool", True, help="Also remove what it holds (always done)."))),
             "RemoveV3"),
]
