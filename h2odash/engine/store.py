"""The keyed store: every frame, raw file and model the engine holds, by its key name.

Like H2O's DKV, one namespace holds all kinds of objects. Running jobs take locks on what they
read or write, and a locked object cannot be deleted or replaced until the job ends.
"""

import threading
from collections import Counter

from h2odash.engine.errors import InvalidArgument, KeyNotFound, Locked

KIND_LABELS = {"Frame": "Frame", "RawFile": "Frame", "Model": "Model"}


class Store:
    """A thread-safe map from key names to engine objects, with per-key locks held by jobs."""

    def __init__(self):
        # A Workspace (h2odash.engine.workspace) that keeps what is stored on disk, or None.
        self.keeper = None
        self._objects = {}
        self._locks = Counter()
        self._lock_owners = {}
        self._mutex = threading.RLock()

    def put(self, key, obj, replace=True):
        """Store ``obj`` under ``key``; refuse to replace an object a job is using."""
        _check_key_name(key)
        with self._mutex:
            self._check_replaceable(key, replace)
        if self.keeper is not None:
            # On disk first (outside the mutex: a large frame takes a while), so that a refused
            # write leaves the store as it was.
            self.keeper.put(key, obj)
        with self._mutex:
            self._check_replaceable(key, replace)
            self._objects[key] = obj
        return obj

    def _check_replaceable(self, key, replace):
        if key in self._objects:
            if not replace:
                raise InvalidArgument("key", f"An object named '{key}' already exists.")
            self._check_unlocked(key, "replace")

    def settle(self, key):
        """Keep ``key``'s object on disk now that it has changed for good (a model DONE, an AutoML
        run with a new model); nothing without a workspace or once the key is gone."""
        obj = self.find(key)
        if obj is not None and self.keeper is not None:
            self.keeper.put(key, obj)

    def get(self, key, kind=None, argument="key"):
        """The object under ``key``; :class:`KeyNotFound` when absent or of another kind."""
        with self._mutex:
            obj = self._objects.get(key)
        if obj is None or (kind is not None and not isinstance(obj, kind)):
            raise KeyNotFound(key, argument)
        return obj

    def find(self, key):
        with self._mutex:
            return self._objects.get(key)

    def __contains__(self, key):
        with self._mutex:
            return key in self._objects

    def snapshot(self):
        """What is stored now, to :meth:`restore` if a multi-step change fails half-way."""
        with self._mutex:
            return dict(self._objects)

    def restore(self, snapshot, keys):
        """Put ``keys`` back as they were in ``snapshot`` (removing those it did not hold)."""
        with self._mutex:
            for key in keys:
                if key in snapshot:
                    self._objects[key] = snapshot[key]
                else:
                    self._objects.pop(key, None)
        if self.keeper is not None:
            for key in keys:
                if key in snapshot:
                    self.keeper.put(key, snapshot[key])
                else:
                    self.keeper.remove(key)

    def keys(self):
        """A snapshot of the stored keys, sorted."""
        with self._mutex:
            return sorted(self._objects)

    def values(self, kind=None):
        """A snapshot of the stored objects, optionally of one kind, in key order."""
        with self._mutex:
            items = sorted(self._objects.items())
        return [obj for _, obj in items if kind is None or isinstance(obj, kind)]

    def delete(self, key, kind=None, argument="key"):
        """Remove ``key``; refused while a running job holds it."""
        with self._mutex:
            obj = self.get(key, kind, argument)
            self._check_unlocked(key, "delete")
            del self._objects[key]
        if self.keeper is not None:
            self.keeper.remove(key)
        return obj

    def lock(self, keys, owner):
        """Take a lock on each key for the job ``owner`` (a description used in errors)."""
        with self._mutex:
            for key in keys:
                self._locks[key] += 1
                self._lock_owners[key] = owner

    def unlock(self, keys):
        with self._mutex:
            for key in keys:
                self._locks[key] -= 1
                if self._locks[key] <= 0:
                    del self._locks[key]
                    self._lock_owners.pop(key, None)

    def is_locked(self, key):
        with self._mutex:
            return self._locks.get(key, 0) > 0

    def _check_unlocked(self, key, action):
        if self._locks.get(key, 0) > 0:
            owner = self._lock_owners.get(key, "a running job")
            raise Locked(
                f"Cannot {action} '{key}': it is in use by {owner}. "
                "Wait for the job to finish or cancel it first.",
                {"name": key},
            )


def _check_key_name(key):
    if not isinstance(key, str) or not key.strip():
        raise InvalidArgument("key", "A key name must be a non-empty string.")
    if len(key) > 512:
        raise InvalidArgument("key", "A key name must be at most 512 characters long.")
    if any(ch in key for ch in "\x00\r\n"):
        raise InvalidArgument("key", "A key name cannot contain control characters.")
