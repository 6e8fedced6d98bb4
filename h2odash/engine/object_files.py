"""The engine's own file format for models, frames and AutoML runs: safe to open from anyone.

A file is a zip archive holding

- ``manifest.json``: the format name and version, what the file holds (kind and key), and the
  SHA-256 of every other member;
- ``object.json``: the object graph as JSON, where values JSON cannot hold point at members;
- ``arrays/N.npy`` (numpy, written and read with ``allow_pickle=False``), ``tables/N.arrow``
  (Arrow IPC), ``lightgbm/N.txt`` and ``xgboost/N.ubj`` (the libraries' own model formats).

Reading never runs code from the file: there is no pickle anywhere, an object can only be of a
class defined in ``h2odash.engine`` (built with ``object.__new__`` and its attributes, no
constructor or ``__setstate__`` is called), members must be named as above and match their
checksums, and a file of a newer format version is refused. Floats are written with Python's
shortest round-trip repr and arrays byte for byte, so what is read back is bitwise what was
written.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import math
import re
import threading
import zipfile

import numpy as np
import pyarrow as pa

from h2odash.engine.errors import InvalidArgument

FORMAT = "h2odash-object-file"
VERSION = 1

_MEMBER = re.compile(r"^(arrays/[0-9]+\.npy|tables/[0-9]+\.arrow|lightgbm/[0-9]+\.txt|xgboost/[0-9]+\.ubj)$")
_ENGINE_MODULE = re.compile(r"^h2odash\.engine(\.[a-z_][a-z0-9_]*)*$")
_LOCK_TYPES = {type(threading.Lock()): "Lock", type(threading.RLock()): "RLock"}
_SCALARS = (np.bool_, np.integer, np.floating)


class ObjectFileError(InvalidArgument):
    """A file that is not one of ours, is damaged, or holds what the engine will not build."""

    def __init__(self, msg, argument="dir"):
        super().__init__(argument, msg)


# -- writing ---------------------------------------------------------------------------------
def dump(obj, kind, key, shared=None) -> bytes:
    """The file's bytes for ``obj`` (a model, frame, AutoML run...) stored under ``key``.

    ``shared(o)`` may name objects inside ``obj`` that are kept elsewhere, as ``(kind, key)``:
    the file then refers to them instead of holding a copy (see :func:`load`'s ``resolve``).
    """
    writer = _Writer(obj, shared)
    graph = writer.encode(obj)
    members = {"object.json": json.dumps(graph, separators=(",", ":"), allow_nan=False).encode()}
    members.update(writer.members)
    manifest = {
        "format": FORMAT, "version": VERSION, "kind": kind, "key": key,
        "members": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, indent=1))
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


class _Writer:
    def __init__(self, root, shared):
        self.root, self.shared = root, shared
        self.members = {}
        self._ids = {}   # id(obj) -> reference number, for shared objects and cycles
        self._keep = []  # keeps encoded objects alive so their ids stay unique

    def _member(self, folder, ext, data):
        name = f"{folder}/{len(self.members)}.{ext}"
        self.members[name] = data
        return name

    def encode(self, value):
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, int) and type(value) is int:
            return value
        if type(value) is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, _SCALARS):
            return {"$scalar": value.dtype.str, "value": self.encode(value.item())}
        if isinstance(value, list):
            return [self.encode(v) for v in value]
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v) for v in value]}
        if isinstance(value, (set, frozenset)):
            return {"$set": [self.encode(v) for v in sorted(value, key=repr)], "frozen": isinstance(value, frozenset)}
        if isinstance(value, dict):
            if all(type(k) is str and not k.startswith("$") for k in value):
                return {k: self.encode(v) for k, v in value.items()}
            return {"$items": [[self.encode(k), self.encode(v)] for k, v in value.items()]}
        if isinstance(value, bytes):
            return {"$array": self._member("arrays", "npy", _npy(np.frombuffer(value, dtype=np.uint8))), "bytes": True}
        if isinstance(value, np.ndarray):
            return {"$array": self._member("arrays", "npy", _npy(value))}
        if type(value) in _LOCK_TYPES:
            return {"$lock": _LOCK_TYPES[type(value)]}
        return self._encode_object(value)

    def _encode_object(self, value):
        if self.shared is not None and value is not self.root:
            elsewhere = self.shared(value)
            if elsewhere is not None:
                return {"$stored": elsewhere[0], "key": elsewhere[1]}
        ref = self._ids.get(id(value))
        if ref is not None:
            return {"$ref": ref}
        ref = self._ids[id(value)] = len(self._ids)
        self._keep.append(value)
        if isinstance(value, pa.Table):
            return {"$table": self._member("tables", "arrow", _arrow(value)), "id": ref}
        library = type(value).__module__.split(".")[0]
        if library == "lightgbm":
            # num_iteration=-1: every tree, not only up to the best iteration
            text = value.model_to_string(num_iteration=-1).encode()
            return {"$lightgbm": self._member("lightgbm", "txt", text), "id": ref,
                    "best_iteration": int(getattr(value, "best_iteration", 0) or 0)}
        if library == "xgboost":
            return {"$xgboost": self._member("xgboost", "ubj", bytes(value.save_raw("ubj"))), "id": ref}
        algorithm = _algorithm_name(value)
        if algorithm is not None:
            return {"$algorithm": algorithm, "id": ref}
        cls = type(value)
        if not _ENGINE_MODULE.match(cls.__module__) or "<locals>" in cls.__qualname__:
            raise ObjectFileError(f"Cannot save a {cls.__module__}.{cls.__qualname__}: the engine's files "
                                  "hold only its own objects, arrays and the boosters' own formats.")
        state = _state_of(value)
        return {"$object": f"{cls.__module__}:{cls.__qualname__}", "id": ref,
                "state": {name: self.encode(v) for name, v in state.items()}}


def _state_of(value):
    state = dict(getattr(value, "__dict__", {}))
    for cls in type(value).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if name not in ("__dict__", "__weakref__") and hasattr(value, name):
                state[name] = getattr(value, name)
    return state


def _algorithm_name(value):
    """The algo name of one of the engine's Algorithm singletons, else None."""
    from h2odash.engine import algos
    from h2odash.engine.algos.base import Algorithm

    if not isinstance(value, Algorithm):
        return None
    try:
        return value.name if algos.get(value.name) is value else None
    except Exception:
        return None


def _npy(array):
    if array.dtype.hasobject:
        raise ObjectFileError("Cannot save an array of Python objects.")
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


def _arrow(table):
    out = io.BytesIO()
    try:
        with pa.ipc.new_file(out, table.schema) as writer:
            writer.write_table(table)
    except pa.ArrowInvalid:
        # An IPC file holds one dictionary per column; chunks built apart may each have their own.
        table = table.unify_dictionaries()
        out = io.BytesIO()
        with pa.ipc.new_file(out, table.schema) as writer:
            writer.write_table(table)
    return out.getvalue()


# -- reading ---------------------------------------------------------------------------------
def load(data: bytes, kind=None, argument="dir", resolve=None):
    """(object, manifest) read from a file's bytes; ``kind`` is what the caller expects;
    ``resolve(kind, key)`` gives the objects the file refers to instead of holding them."""
    manifest, members = _open(data, argument)
    if kind is not None and manifest.get("kind") != kind:
        raise ObjectFileError(f"This file holds a {manifest.get('kind')}, not a {kind}.", argument)
    try:
        graph = json.loads(members["object.json"])
        return _Reader(members, argument, resolve).decode(graph), manifest
    except ObjectFileError:
        raise
    except Exception as exc:  # a file that passed its checksums but is not laid out as ours
        raise ObjectFileError(f"The file's contents are not an h2odash {kind or 'object'}: "
                              f"{type(exc).__name__}: {exc}", argument)


def read_manifest(data: bytes, argument="dir"):
    """Only the checked manifest (kind, key, format version) of a file."""
    return _open(data, argument)[0]


def _open(data, argument):
    if not data:
        raise ObjectFileError("The file is empty.", argument)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
        if "manifest.json" not in names:
            raise ObjectFileError("This is not an h2odash model or workspace file (it has no manifest).", argument)
        manifest = json.loads(archive.read("manifest.json"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ObjectFileError("This is not an h2odash model or workspace file.", argument)
        version = manifest.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise ObjectFileError(f"This file was written by a newer h2odash (file format version {version}); "
                                  f"this one reads versions up to {VERSION}. Upgrade h2odash to open it.", argument)
        listed = manifest.get("members")
        if not isinstance(listed, dict) or "object.json" not in listed:
            raise ObjectFileError("The file's manifest does not list its contents.", argument)
        unexpected = [n for n in names if n != "manifest.json" and n not in listed]
        bad_names = [n for n in listed if n != "object.json" and not _MEMBER.match(n)]
        if unexpected or bad_names:
            raise ObjectFileError(f"The file holds members h2odash never writes: {(unexpected + bad_names)[:3]}.",
                                  argument)
        members = {}
        for name, digest in listed.items():
            if name not in names:
                raise ObjectFileError(f"The file is incomplete: '{name}' is missing.", argument)
            content = archive.read(name)
            if hashlib.sha256(content).hexdigest() != digest:
                raise ObjectFileError(f"The file is damaged: '{name}' does not match its checksum.", argument)
            members[name] = content
        return manifest, members
    except ObjectFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError, OSError) as exc:
        raise ObjectFileError(f"This is not a readable h2odash model or workspace file (truncated or of "
                              f"another kind): {exc}.", argument)


class _Reader:
    def __init__(self, members, argument, resolve=None):
        self.members = members
        self.resolve = resolve
        self.argument = argument
        self._objects = {}

    def _member(self, name):
        if name not in self.members or name == "object.json":
            raise ObjectFileError(f"The file refers to a member it does not hold: {name!r}.", self.argument)
        return self.members[name]

    def decode(self, value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, list):
            return [self.decode(v) for v in value]
        if not isinstance(value, dict):
            raise ObjectFileError("The file's object graph holds a value of an unknown kind.", self.argument)
        tag = next((k for k in value if k.startswith("$")), None)
        if tag is None:
            return {k: self.decode(v) for k, v in value.items()}
        handler = getattr(self, "_" + tag[1:], None)
        if handler is None:
            raise ObjectFileError(f"The file's object graph uses '{tag}', which h2odash never writes.", self.argument)
        return handler(value)

    def _float(self, value):
        text = value["$float"]
        if text not in ("nan", "inf", "-inf"):
            raise ObjectFileError("The file holds a malformed number.", self.argument)
        return float(text)

    def _scalar(self, value):
        return np.dtype(value["$scalar"]).type(self.decode(value["value"]))

    def _tuple(self, value):
        return tuple(self.decode(v) for v in value["$tuple"])

    def _set(self, value):
        items = [self.decode(v) for v in value["$set"]]
        return frozenset(items) if value.get("frozen") else set(items)

    def _items(self, value):
        return {self.decode(k): self.decode(v) for k, v in value["$items"]}

    def _array(self, value):
        array = np.load(io.BytesIO(self._member(value["$array"])), allow_pickle=False)
        return array.tobytes() if value.get("bytes") else array

    def _lock(self, value):
        return threading.RLock() if value["$lock"] == "RLock" else threading.Lock()

    def _ref(self, value):
        ref = value["$ref"]
        if ref not in self._objects:
            raise ObjectFileError("The file's object graph refers to an object it does not hold.", self.argument)
        return self._objects[ref]

    def _stored(self, value):
        if self.resolve is None:
            raise ObjectFileError(f"The file refers to {value['$stored']} '{value['key']}' kept elsewhere.",
                                  self.argument)
        return self.resolve(str(value["$stored"]), str(value["key"]))

    def _keep(self, value, obj):
        self._objects[value["id"]] = obj
        return obj

    def _table(self, value):
        reader = pa.ipc.open_file(pa.BufferReader(self._member(value["$table"])))
        return self._keep(value, reader.read_all())

    def _lightgbm(self, value):
        import lightgbm

        booster = lightgbm.Booster(model_str=self._member(value["$lightgbm"]).decode())
        booster.best_iteration = int(value.get("best_iteration") or 0)
        return self._keep(value, booster)

    def _xgboost(self, value):
        import xgboost

        booster = xgboost.Booster()
        booster.load_model(bytearray(self._member(value["$xgboost"])))
        return self._keep(value, booster)

    def _algorithm(self, value):
        from h2odash.engine import algos

        return self._keep(value, algos.get(value["$algorithm"]))

    def _object(self, value):
        cls = _engine_class(value["$object"], self.argument)
        obj = object.__new__(cls)
        self._keep(value, obj)   # before the state: the state may refer back to the object
        for name, item in value["state"].items():
            object.__setattr__(obj, name, self.decode(item))
        return obj


def _engine_class(path, argument):
    """A class of h2odash's engine named ``module:qualname``; nothing else may be built."""
    module_name, _, qualname = str(path).partition(":")
    if (not _ENGINE_MODULE.match(module_name)
            or not re.match(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$", qualname)
            or any(part.startswith("__") for part in qualname.split("."))):
        raise ObjectFileError(f"The file asks for '{path}', which is not one of h2odash's engine objects.", argument)
    try:
        obj = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError):
        raise ObjectFileError(f"The file asks for '{path}', which this h2odash does not have.", argument)
    if not isinstance(obj, type) or obj.__module__ != module_name or issubclass(obj, BaseException):
        raise ObjectFileError(f"The file asks for '{path}', which is not one of h2odash's engine objects.", argument)
    return obj
