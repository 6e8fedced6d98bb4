"""Naming, removing and listing what is stored: ``tmp=``, ``assign``, ``rm``, ``rename``, ``ls``,
and the cluster's time zone."""
from __future__ import annotations

import pyarrow as pa

from h2odash.engine.frames import Frame

from ..interpreter import Interpreter, RapidsError, prim
from ..syntax import Name, Str
from .. import values as v


def _key_name(node, op: str) -> str:
    if isinstance(node, (Name, Str)):
        return node.name if isinstance(node, Name) else node.value
    raise RapidsError(f"'{op}' needs a key name first, at position {node.pos}.")


@prim("tmp=", lazy=True)
def temporary(ix: Interpreter, key, expr):
    """Keep a frame under a name the session made up (removed when the session ends)."""
    name = _key_name(key[0], "tmp=")
    value = v.frame(ix.eval(*expr), "tmp=", "its value")
    return ix.store_frame(name, value, temporary=True)


@prim("assign", lazy=True)
def assign(ix: Interpreter, key, expr):
    """Keep a frame under a name for good."""
    name = _key_name(key[0], "assign")
    value = v.frame(ix.eval(*expr), "assign", "its value")
    stored = ix.store_frame(name, value, temporary=False)
    ix.engine.sessions.forget(name)
    return stored


@prim("rm", lazy=True)
def remove(ix: Interpreter, key):
    """Remove a frame: 1 if it was there, 0 if not (h2o-py removes garbage-collected names
    again, so a missing one is not an error)."""
    name = _key_name(key[0], "rm")
    found = ix.engine.store.find(name)
    if found is None:
        return 0.0
    if not isinstance(found, Frame):
        raise RapidsError(f"'rm' removes frames; '{name}' is a {type(found).__name__.lower()} "
                          "(remove it with DELETE /3/DKV/{key}).")
    ix.engine.store.delete(name)
    ix.engine.sessions.forget(name)
    return 1.0


@prim("rename", lazy=True)
def rename(ix: Interpreter, old, new):
    source, target = _key_name(old[0], "rename"), _key_name(new[0], "rename")
    fr = ix.engine.store.get(source, Frame, "ast")
    ix.store_frame(target, fr, temporary=False)
    ix.engine.store.delete(source)
    ix.engine.sessions.forget(source)
    return float("nan")


@prim("ls")
def list_keys(ix: Interpreter):
    """Every stored key, one per row of a one-column frame."""
    keys = ix.engine.store.keys()
    return v.make_frame(["key"], [pa.array(keys, pa.string())], ["string"])


@prim("getTimeZone")
def get_time_zone(ix: Interpreter):
    return ix.engine.time_zone


@prim("setTimeZone")
def set_time_zone(ix: Interpreter, zone):
    import zoneinfo

    name = v.string(zone, "setTimeZone")
    if name not in zoneinfo.available_timezones() and name != "UTC":
        raise RapidsError(f"'{name}' is not a time zone this server knows (try listTimeZones).")
    ix.engine.time_zone = name
    return name


@prim("listTimeZones")
def list_time_zones(ix: Interpreter):
    import zoneinfo

    return v.make_frame(["Timezones"], [pa.array(sorted(zoneinfo.available_timezones()))], ["string"])
