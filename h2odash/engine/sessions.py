"""Client sessions (``POST /4/sessions``): the temporaries a client's Rapids calls made, so that
ending the session (``DELETE /4/sessions/{id}``) removes them, as H2O-3 does."""
from __future__ import annotations

import itertools
import threading


class Sessions:
    def __init__(self, store):
        self._store = store
        self._keys: dict[str, set[str]] = {}
        self._ids = itertools.count(1)
        self._mutex = threading.Lock()

    def open(self) -> str:
        with self._mutex:
            session = f"_sid_{next(self._ids):04x}"
            self._keys[session] = set()
        return session

    def remember(self, session: str | None, key: str) -> None:
        """Record that ``session`` made the temporary ``key`` (nothing without a session)."""
        if not session:
            return
        with self._mutex:
            self._keys.setdefault(session, set()).add(key)

    def forget(self, key: str) -> None:
        with self._mutex:
            for keys in self._keys.values():
                keys.discard(key)

    def close(self, session: str) -> list[str]:
        """End ``session``; its temporaries still stored are removed. Returns the removed keys."""
        with self._mutex:
            keys = self._keys.pop(session, set())
        removed = []
        for key in sorted(keys):
            if key in self._store:
                try:
                    self._store.delete(key)
                    removed.append(key)
                except Exception:
                    # A temporary a running job is reading stays until that job ends.
                    pass
        return removed
