"""A small Rapids evaluator: the frame expressions H2O clients send to change column types.

H2O-3 runs a whole language at POST /99/Rapids. This engine evaluates the part that clients
and the dashboard use to retype and select columns, and refuses anything else with an error
naming the operation; nothing in an expression is ever executed as code.

Supported: ``(assign name expr)``, ``(tmp= name expr)``, ``(rm name)``, ``(cols frame sel)``,
``(cols_py frame sel)``, ``(:= frame value cols rows)`` with all rows, ``(as.factor expr)``,
``(as.numeric expr)``, ``(as.character expr)``, ``(dim frame)``, ``(nrow frame)``, ``(ncol frame)``.
"""

import re

import pyarrow as pa

from h2odash.engine.errors import InvalidArgument
from h2odash.engine.frames import Frame
from h2odash.engine.parse import convert_column

_TOKEN = re.compile(r'\s*(?:(\()|(\))|(\[)|(\])|"((?:[^"\\]|\\.)*)"|\'((?:[^\'\\]|\\.)*)\'|([^\s()\[\]]+))')


class Symbol(str):
    """A bare word in an expression: an operator or a key name."""


def parse(text):
    """Parse a Rapids expression into nested lists of symbols, strings, numbers and [lists]."""
    tokens = _tokens(text)
    expr, rest = _read(tokens, 0)
    if rest != len(tokens):
        raise InvalidArgument("ast", "The Rapids expression has text after its end.")
    return expr


def _tokens(text):
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise InvalidArgument("ast", f"Cannot read the Rapids expression at position {pos}.")
        pos = match.end()
        tokens.append(match)
    return tokens


def _read(tokens, i):
    if i >= len(tokens):
        raise InvalidArgument("ast", "The Rapids expression ends too early.")
    m = tokens[i]
    if m.group(1) or m.group(3):
        closing = 2 if m.group(1) else 4
        items, i = [], i + 1
        while i < len(tokens) and not tokens[i].group(closing):
            item, i = _read(tokens, i)
            items.append(item)
        if i >= len(tokens):
            raise InvalidArgument("ast", "The Rapids expression has an unclosed bracket.")
        return (items if m.group(1) else ("list", items)), i + 1
    if m.group(2) or m.group(4):
        raise InvalidArgument("ast", "The Rapids expression has an unexpected closing bracket.")
    if m.group(5) is not None or m.group(6) is not None:
        return (m.group(5) if m.group(5) is not None else m.group(6)), i + 1
    word = m.group(7)
    try:
        return (float(word) if any(c in word for c in ".eE") or word in ("NaN", "Inf", "-Inf") else int(word)), i + 1
    except ValueError:
        return Symbol(word), i + 1


class Session:
    """Evaluates expressions against an engine's store."""

    def __init__(self, engine):
        self.engine = engine

    def evaluate(self, text):
        return self._eval(parse(text))

    def _eval(self, expr):
        if isinstance(expr, Symbol):
            return self.engine.store.get(str(expr), Frame, "ast")
        if isinstance(expr, str):
            return self.engine.store.get(expr, Frame, "ast")
        if not isinstance(expr, list) or not expr:
            raise InvalidArgument("ast", "Expected an operation in parentheses.")
        op, args = str(expr[0]), expr[1:]
        handler = _OPERATIONS.get(op)
        if handler is None:
            raise InvalidArgument("ast", f"The Rapids operation '{op}' is not implemented by this engine.")
        return handler(self, *args)

    # -- operations ----------------------------------------------------------------------
    def _assign(self, name, expr):
        frame = self._eval(expr)
        result = Frame(str(name), frame.table, frame.types)
        self.engine.store.put(str(name), result)
        return result

    def _remove(self, name):
        self.engine.delete_frame(str(name))
        return None

    def _cols(self, frame_expr, selection):
        frame = self._eval(frame_expr)
        indices = _columns(frame, selection)
        return Frame("", frame.table.select(indices), [frame.types[i] for i in indices])

    def _set_columns(self, target, value, selection, rows):
        frame = self._eval(target)
        if not (isinstance(rows, tuple) and rows[0] == "list" and not rows[1]):
            raise InvalidArgument("ast", "Assigning to some rows only is not implemented by this engine.")
        new = self._eval(value)
        indices = _columns(frame, selection)
        if len(indices) != new.ncols:
            raise InvalidArgument("ast", f"{len(indices)} columns selected but {new.ncols} given.")
        columns = list(frame.table.columns)
        types = list(frame.types)
        for j, i in enumerate(indices):
            columns[i] = new.table.column(j)
            types[i] = new.types[j]
        return Frame(frame.key, pa.table(dict(zip(frame.names, columns))), types)

    def _dim(self, expr):
        frame = self._eval(expr)
        return [frame.nrows, frame.ncols]


def _retyper(kind):
    """An operation converting every column of a frame to the parse type ``kind``."""

    def convert(session, expr):
        frame = session._eval(expr)
        columns = [_converted(column, own, kind) for column, own in zip(frame.table.columns, frame.types)]
        return Frame("", pa.table(dict(zip(frame.names, columns))))

    return convert


def _converted(column, own, kind):
    if own != "enum":
        return convert_column(column, kind)
    labels = column.cast(pa.string())
    if kind != "Numeric":
        return convert_column(labels, kind)
    # As in H2O-3: a factor whose levels are all numbers becomes those numbers; any other
    # factor becomes its level codes.
    as_numbers = convert_column(labels, "Numeric")
    if as_numbers.null_count == labels.null_count:
        return as_numbers
    return pa.chunked_array([c.indices for c in column.chunks]).cast(pa.int32())


def _columns(frame, selection):
    """Column indices from a Rapids selection: a number, a name, or a [list] of either."""
    items = selection[1] if isinstance(selection, tuple) and selection[0] == "list" else [selection]
    indices = []
    for item in items:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            index = int(item)
            if not 0 <= index < frame.ncols:
                raise InvalidArgument("ast", f"Column index {index} is out of range (0-{frame.ncols - 1}).")
            indices.append(index)
        else:
            indices.append(frame.index_of(str(item), "ast"))
    return indices


_OPERATIONS = {
    "assign": Session._assign,
    "tmp=": Session._assign,
    "rm": Session._remove,
    "cols": Session._cols,
    "cols_py": Session._cols,
    ":=": Session._set_columns,
    "as.factor": _retyper("Enum"),
    "as.numeric": _retyper("Numeric"),
    "as.character": _retyper("String"),
    "dim": Session._dim,
    "nrow": lambda self, expr: self._eval(expr).nrows,
    "ncol": lambda self, expr: self._eval(expr).ncols,
}
