"""Reading Rapids, H2O's expression language, into a tree.

The grammar, as H2O clients write it::

    expr   := number | string | name | list | call | function
    call   := "(" name expr* ")"                 (+ f 1), (tmp= py_1 (rows f [0:10]))
    list   := "[" (number | span | string)* "]"  [1 2 3], [0:10], [0:5:2], ['a' 'b'], []
    span   := number ":" number [":" number]     start:count[:stride]
    function := "{" name* "." expr "}"           { x . (mean x) }
    number := 12 | -3.5 | 1e-3 | nan | NaN | inf | -Inf | True | False
    string := '...' | "..."                      (backslash escapes)

A name is any other run of characters up to white space or a bracket: operators (``+``,
``:=``, ``tmp=``), function names and keys (``py_3_sid_a1``, ``Key_Frame__upload_x.hex``).
Every node keeps the position it starts at, so errors can point into the expression.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from h2odash.engine.errors import InvalidArgument

_NUMBER_WORDS = {"nan": math.nan, "NaN": math.nan, "NA": math.nan, "inf": math.inf, "Inf": math.inf,
                 "-inf": -math.inf, "-Inf": -math.inf, "True": 1.0, "TRUE": 1.0, "False": 0.0, "FALSE": 0.0}
_DELIMITERS = set("()[]{}\"'") | {" ", "\t", "\n", "\r"}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0"}


class RapidsSyntaxError(InvalidArgument):
    """An expression that cannot be read, with the position where reading stopped."""

    def __init__(self, text: str, pos: int, problem: str):
        shown = text if len(text) <= 120 else text[max(0, pos - 50):pos + 50]
        super().__init__("ast", f"Cannot read the Rapids expression at position {pos}: {problem} "
                                f"(in {shown!r}).")
        self.pos = pos


@dataclass(frozen=True)
class Node:
    pos: int


@dataclass(frozen=True)
class Num(Node):
    value: float


@dataclass(frozen=True)
class Str(Node):
    value: str


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Span:
    """``start:count[:stride]`` inside a list: ``count`` numbers from ``start``."""

    start: float
    count: float
    stride: float = 1.0


@dataclass(frozen=True)
class NumList(Node):
    """A list of numbers and spans; expanded only by the operation that reads it (a span may be
    open-ended, ``[5:nan]``, meaning "to the end")."""

    items: tuple = ()

    @property
    def is_empty(self) -> bool:
        return not self.items

    def expand(self, limit: int | None = None) -> list[float]:
        """Every number in order; open-ended spans stop at ``limit``."""
        out: list[float] = []
        for item in self.items:
            if isinstance(item, Span):
                count = item.count
                if math.isnan(count) or math.isinf(count):
                    if limit is None:
                        raise InvalidArgument("ast", "An open-ended span needs a known length here.")
                    count = max(0, math.ceil((limit - item.start) / item.stride))
                out.extend(item.start + i * item.stride for i in range(int(count)))
            else:
                out.append(item)
        return out


@dataclass(frozen=True)
class StrList(Node):
    items: tuple = ()


@dataclass(frozen=True)
class Call(Node):
    op: Name
    args: tuple = ()


@dataclass(frozen=True)
class Function(Node):
    params: tuple = ()
    body: Node = field(default=None)


def parse(text: str) -> Node:
    """The tree of one Rapids expression; :class:`RapidsSyntaxError` says where it goes wrong."""
    reader = _Reader(text)
    reader.skip_space()
    if reader.at_end():
        raise RapidsSyntaxError(text, 0, "the expression is empty")
    node = reader.expr()
    reader.skip_space()
    if not reader.at_end():
        raise RapidsSyntaxError(text, reader.pos, "unexpected text after the end of the expression")
    return node


class _Reader:
    def __init__(self, text: str):
        self.text, self.pos = text, 0

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_space(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def fail(self, problem: str, pos: int | None = None):
        raise RapidsSyntaxError(self.text, self.pos if pos is None else pos, problem)

    def expr(self) -> Node:
        self.skip_space()
        char, start = self.peek(), self.pos
        if char == "":
            self.fail("the expression ends too early")
        if char == "(":
            return self.call()
        if char == "[":
            return self.list()
        if char == "{":
            return self.function()
        if char in "'\"":
            return Str(start, self.string())
        if char in ")]}":
            self.fail(f"unexpected '{char}'")
        word = self.word()
        number = _number(word)
        return Num(start, number) if number is not None else Name(start, word)

    def call(self) -> Call:
        start = self.pos
        self.pos += 1
        self.skip_space()
        if self.peek() == ")":
            self.fail("an empty call '()' names no operation")
        head = self.expr()
        if not isinstance(head, Name):
            self.fail("a call starts with the name of an operation", head.pos)
        args = []
        while True:
            self.skip_space()
            if self.at_end():
                self.fail(f"the '(' at position {start} is never closed")
            if self.peek() == ")":
                self.pos += 1
                return Call(start, head, tuple(args))
            args.append(self.expr())

    def list(self) -> Node:
        start = self.pos
        self.pos += 1
        numbers, strings = [], []
        while True:
            self.skip_space()
            if self.at_end():
                self.fail(f"the '[' at position {start} is never closed")
            char = self.peek()
            if char == "]":
                self.pos += 1
                break
            if char in "'\"":
                strings.append(self.string())
                continue
            if char in "([{)}":
                self.fail(f"a list holds numbers, spans or strings, not '{char}'")
            word_pos = self.pos
            word = self.word()
            numbers.append(self._list_number(word, word_pos))
        if numbers and strings:
            self.fail("a list holds either numbers or strings, not both", start)
        return StrList(start, tuple(strings)) if strings else NumList(start, tuple(numbers))

    def _list_number(self, word: str, pos: int):
        parts = word.split(":")
        values = [_number(p) for p in parts]
        if len(parts) > 3 or any(v is None for v in values):
            self.fail(f"'{word}' is not a number or a span start:count[:stride]", pos)
        if len(values) == 1:
            return values[0]
        return Span(*values)

    def function(self) -> Function:
        start = self.pos
        self.pos += 1
        params = []
        while True:
            self.skip_space()
            if self.at_end():
                self.fail(f"the '{{' at position {start} is never closed")
            if self.peek() == ".":
                self.pos += 1
                break
            if self.peek() in "()[]{}'\"":
                self.fail("a function lists its argument names, then '.', then its body")
            params.append(self.word())
        body = self.expr()
        self.skip_space()
        if self.peek() != "}":
            self.fail(f"the function at position {start} has more than one body expression or no '}}'")
        self.pos += 1
        return Function(start, tuple(params), body)

    def string(self) -> str:
        quote, start = self.peek(), self.pos
        self.pos += 1
        out = []
        while True:
            if self.at_end():
                self.fail("a string is never closed", start)
            char = self.text[self.pos]
            if char == "\\" and self.pos + 1 < len(self.text):
                nxt = self.text[self.pos + 1]
                out.append(_ESCAPES.get(nxt, "\\" + nxt))
                self.pos += 2
                continue
            self.pos += 1
            if char == quote:
                return "".join(out)
            out.append(char)

    def word(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _DELIMITERS:
            # a '.' alone ends a function's parameter list
            self.pos += 1
        return self.text[start:self.pos]


def _number(word: str) -> float | None:
    if word in _NUMBER_WORDS:
        return _NUMBER_WORDS[word]
    if not word or not (word[0].isdigit() or (word[0] in "-+." and len(word) > 1)):
        return None
    try:
        return float(word)
    except ValueError:
        return None
