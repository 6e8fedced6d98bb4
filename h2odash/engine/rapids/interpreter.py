"""Evaluating Rapids trees against the engine's store.

Values an expression yields: a :class:`~h2odash.engine.frames.Frame`, a number (``float``), a list
of numbers, a string, a list of strings, or a :class:`Closure` (a ``{x . body}`` function or an
operation passed by name). Literal lists stay :class:`~.syntax.NumList` nodes until the operation
reading them expands them (a span may run "to the end" of a frame it does not know).

Names resolve, in order, to a function argument in scope, a key in the store (a frame), then an
operation. Frames an expression makes are unnamed until ``tmp=``/``assign`` name them or the
expression's top level returns one (then it gets a fresh key, as H2O-3 does).
"""
from __future__ import annotations

import contextvars
import inspect
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame

from .syntax import Call, Function, Name, Node, Num, NumList, Str, StrList, parse


@dataclass(frozen=True)
class Prim:
    """An operation: ``fn(interpreter, *args)``; ``lazy`` ones get unevaluated nodes."""

    name: str
    fn: Callable
    lazy: bool = False


PRIMS: dict[str, Prim] = {}
# The store of the expression being evaluated: a key given as a quoted string ("my frame.hex")
# names a frame too, as clients quote keys a bare word cannot hold.
CURRENT_STORE: contextvars.ContextVar = contextvars.ContextVar("rapids_store")


def prim(*names: str, lazy: bool = False):
    """Register ``fn`` as the operation(s) ``names``."""
    def register(fn):
        for name in names:
            PRIMS[name] = Prim(name, fn, lazy)
        return fn
    return register


@dataclass(frozen=True)
class Closure:
    """A function value: a ``{params . body}`` with the scope it was written in, or an operation."""

    params: tuple = ()
    body: Node | None = None
    scope: tuple = ()
    op: Prim | None = None

    @property
    def arity(self) -> int | None:
        return len(self.params) if self.op is None else None


class RapidsError(InvalidArgument):
    """A Rapids expression that reads fine but cannot be evaluated (a 400 naming the cause)."""

    def __init__(self, message: str):
        super().__init__("ast", message)


class Interpreter:
    """Evaluates expressions for one client session (``session`` may be None).

    Parameters
    ----------
    engine : Engine
        Where frames live (``engine.store``) and sessions are tracked.
    session : str, optional
        The ``session_id`` h2o-py sends; temporaries (``tmp=``) are recorded under it so that
        ending the session removes them.
    """

    def __init__(self, engine, session: str | None = None):
        self.engine = engine
        self.session = session

    # -- entry ---------------------------------------------------------------------------
    def run(self, text: str) -> Any:
        """Evaluate ``text``; a frame result is stored (under a fresh key if it has none)."""
        tree = parse(text)
        store = self.engine.store
        before = store.snapshot()
        token = CURRENT_STORE.set(store)
        try:
            result = self.eval(tree, ())
        except BaseException:
            # A failed expression changes nothing: undo the names its finished parts stored.
            after = store.snapshot()
            store.restore(before, [k for k in set(before) | set(after) if before.get(k) is not after.get(k)])
            raise
        finally:
            CURRENT_STORE.reset(token)
        if isinstance(result, NumList):
            result = [float(x) for x in result.expand()]
        if isinstance(result, Frame) and not result.key:
            result = self.store_frame(f"rapids_{uuid.uuid4().hex[:12]}", result, temporary=True)
        return result

    def store_frame(self, key: str, frame: Frame, temporary: bool) -> Frame:
        named = frame if frame.key == key else Frame(key, frame.table, frame.types)
        self.engine.store.put(key, named)
        if temporary:
            self.engine.sessions.remember(self.session, key)
        return named

    # -- evaluation ----------------------------------------------------------------------
    def eval(self, node: Node, scope: tuple) -> Any:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Str):
            return node.value
        if isinstance(node, StrList):
            return list(node.items)
        if isinstance(node, NumList):
            return node
        if isinstance(node, Name):
            return self.lookup(node, scope)
        if isinstance(node, Function):
            return Closure(node.params, node.body, scope)
        if isinstance(node, Call):
            return self.call(node, scope)
        raise RapidsError(f"Cannot evaluate {node!r}.")

    def lookup(self, node: Name, scope: tuple) -> Any:
        for name, value in reversed(scope):
            if name == node.name:
                return value
        found = self.engine.store.find(node.name)
        if isinstance(found, Frame):
            return found
        if node.name in PRIMS:
            return Closure(op=PRIMS[node.name])
        if found is not None:
            raise RapidsError(f"'{node.name}' (at position {node.pos}) is a {type(found).__name__.lower()}, "
                              "not a frame: Rapids works on frames.")
        raise RapidsError(f"Name lookup of '{node.name}' failed (at position {node.pos}): no frame, "
                          "temporary or operation has that name.")

    def call(self, node: Call, scope: tuple) -> Any:
        name = node.op.name
        for bound, value in reversed(scope):
            if bound == name and isinstance(value, Closure):
                return self.apply(value, [self.eval(a, scope) for a in node.args])
        op = PRIMS.get(name)
        if op is None:
            raise RapidsError(f"The Rapids operation '{name}' (at position {node.op.pos}) is not implemented "
                              "by this engine.")
        if op.lazy:
            return self._invoke(op, [self] + [(a, scope) for a in node.args], node)
        return self._invoke(op, [self] + [self.eval(a, scope) for a in node.args], node)

    def apply(self, function: Closure, args: list) -> Any:
        """Call a function value with evaluated arguments."""
        if function.op is not None:
            if function.op.lazy:
                raise RapidsError(f"'{function.op.name}' cannot be passed as a function.")
            return self._invoke(function.op, [self] + list(args), None)
        if len(args) != len(function.params):
            raise RapidsError(f"The function {{{' '.join(function.params)} . …}} takes {len(function.params)} "
                              f"argument(s), got {len(args)}.")
        return self.eval(function.body, function.scope + tuple(zip(function.params, args)))

    @staticmethod
    def _invoke(op: Prim, args: list, node: Call | None) -> Any:
        try:
            inspect.signature(op.fn).bind(*args)
        except TypeError:
            where = f" (at position {node.pos})" if node is not None else ""
            wanted = _arity(op.fn)
            raise RapidsError(f"'{op.name}'{where} takes {wanted}, got {len(args) - 1}.") from None
        return op.fn(*args)


def _arity(fn: Callable) -> str:
    params = list(inspect.signature(fn).parameters.values())[1:]
    if any(p.kind is p.VAR_POSITIONAL for p in params):
        least = sum(1 for p in params if p.kind is p.POSITIONAL_OR_KEYWORD and p.default is p.empty)
        return f"at least {least} argument(s)"
    most = len(params)
    least = sum(1 for p in params if p.default is p.empty)
    return f"{most} argument(s)" if least == most else f"{least} to {most} arguments"
