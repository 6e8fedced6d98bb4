"""Decoding request parameters, the same way for every route and every dialect.

Parameters arrive as a JSON body (the seed's dialect: keys as plain names, lists as JSON
lists, the response as ``{"column_name": ...}``), as form fields or a query string (real
H2O-3's dialect, where lists and objects are JSON text and keys may be ``{"name": ...}``),
or as a mix. Each route declares its parameters once; :func:`decode` turns whatever arrived
into typed Python values or raises :class:`ParamError` naming the parameter.
"""

import json
import math
import re
from dataclasses import dataclass, field

from h2odash.engine.parameters import enum_key


class ParamError(Exception):
    """A request parameter that is missing, unknown or of the wrong type (HTTP 400)."""

    def __init__(self, argument, msg):
        super().__init__(msg)
        self.argument = argument
        self.msg = msg


@dataclass(frozen=True)
class Param:
    """One declared parameter of a route.

    ``kind`` is one of: str, int, float, bool, key, keys, strs, ints, str_lists, key_values,
    column, enum (with ``values``), json.
    """

    name: str
    kind: str = "str"
    default: object = None
    required: bool = False
    values: tuple = ()
    help: str = ""
    direction: str = "INPUT"

    @property
    def h2o_type(self):
        return _H2O_TYPE_NAMES.get(self.kind, self.kind)


_H2O_TYPE_NAMES = {
    "str": "string", "int": "int", "float": "double", "bool": "boolean", "key": "Key",
    "keys": "Key[]", "strs": "string[]", "ints": "int[]", "floats": "double[]", "str_lists": "string[][]",
    "key_values": "KeyValue[]", "column": "VecSpecifier", "enum": "enum", "json": "Object",
    "string_pairs": "StringPair[]",
}

# Fields every H2O request schema accepts and that only shape the response.
_ALWAYS_ACCEPTED = {"_exclude_fields"}


@dataclass
class Schema:
    """The parameters of one route's input, by H2O schema name."""

    name: str
    params: tuple = field(default_factory=tuple)
    # Fields H2O-3 defines that this engine accepts but does not act on when left at default.
    tolerated: dict = field(default_factory=dict)
    # An open schema passes undeclared parameters through undecoded, for a handler that
    # decodes them itself (model builders, whose parameters depend on the algorithm).
    open: bool = False

    def decode(self, raw):
        return decode(self, raw)


def decode(schema, raw):
    """Typed values for ``schema`` from the request's raw parameter map.

    Unknown parameters are refused (a typo must not be silently ignored); parameters H2O-3
    has that we do not implement are refused unless left at their default.
    """
    known = {p.name: p for p in schema.params}
    out = {}
    for name, value in raw.items():
        if name in known or name in _ALWAYS_ACCEPTED:
            continue
        if schema.open:
            out[name] = value
            continue
        if name in schema.tolerated:
            if not _is_default(value, schema.tolerated[name]):
                raise ParamError(
                    name, f"Parameter '{name}' is not supported by this engine; leave it unset."
                )
            continue
        raise ParamError(name, f"Unknown parameter '{name}' for {schema.name}.")
    for name, param in known.items():
        value = raw.get(name)
        if is_absent(value):
            if param.required:
                raise ParamError(name, f"Required parameter '{name}' is missing.")
            out[name] = param.default
            continue
        out[name] = convert(param, value)
    return out


def is_absent(value):
    return value is None or (isinstance(value, str) and value.strip() in ("", "null", "None"))


def _is_default(value, default):
    if is_absent(value):
        return True
    text = value if isinstance(value, str) else json.dumps(value)
    return text.strip().lower() in {str(d).lower() for d in default}


def convert(param, value):
    """One parameter's value as the Python type its kind says."""
    converter = _CONVERTERS[param.kind]
    try:
        result = converter(value)
    except (ValueError, TypeError, json.JSONDecodeError):
        raise ParamError(param.name, f"Parameter '{param.name}' {_EXPECTED[param.kind]}, got {_show(value)}.")
    if param.kind == "enum" and param.values:
        lookup = {enum_key(v): v for v in param.values}
        if enum_key(result) not in lookup:
            raise ParamError(
                param.name,
                f"Parameter '{param.name}' must be one of {', '.join(map(str, param.values))}; got {_show(value)}.",
            )
        result = lookup[enum_key(result)]
    return result


def _show(value):
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


def _to_str(value):
    if isinstance(value, (dict, list)):
        raise ValueError("not a string")
    return str(value)


def _to_int(value):
    if isinstance(value, bool):
        raise ValueError("bool is not an int")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError("not an integer")
        return int(value)
    text = str(value).strip()
    try:
        return int(text)
    except ValueError:
        number = float(text)
        if not math.isfinite(number) or not number.is_integer():
            raise
        return int(number)


def _to_float(value):
    if isinstance(value, bool):
        raise ValueError("bool is not a number")
    number = float(value) if not isinstance(value, str) else float(value.strip())
    return number


def _to_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ValueError("not a boolean")


def _to_key(value):
    """A key name from ``"name"``, ``{"name": ...}`` or that object as JSON text."""
    if isinstance(value, dict):
        name = value.get("name", value.get("key"))
        if isinstance(name, dict):
            name = name.get("name")
        if not isinstance(name, str) or not name:
            raise ValueError("no name")
        return name
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            return _to_key(json.loads(text))
        if len(text) >= 2 and text[0] == text[-1] == '"':
            text = text[1:-1]
        if not text:
            raise ValueError("empty key")
        return text
    raise ValueError("not a key")


def _to_list(value):
    """A list from a JSON list, JSON text of a list, H2O's unquoted ``[a,b]``, or one value."""
    if isinstance(value, list):
        return value
    if isinstance(value, (dict, bool, int, float)):
        return [value]
    text = str(value).strip()
    if text.startswith("["):
        try:
            parsed = json.loads(text)
            if isinstance(parsed, list):
                return parsed
        except json.JSONDecodeError:
            if not text.endswith("]"):
                raise
            return _unquoted_list(text)
    return [text]


def _unquoted_list(text):
    """H2O's unquoted list text, nested lists included: ``[a,b]``, ``[[a],[b,c]]``."""
    stack, item, quote = [[]], "", None
    for char in text:
        if quote:
            if char == quote:
                quote = None
            else:
                item += char
        elif char in "\"'":
            quote = char
        elif char == "[":
            stack.append([])
        elif char in ",]":
            if item.strip():
                stack[-1].append(item.strip())
            item = ""
            if char == "]":
                if len(stack) < 2:
                    raise ValueError("unbalanced brackets")
                done = stack.pop()
                stack[-1].append(done)
        else:
            item += char
    if len(stack) != 1 or len(stack[0]) != 1 or item.strip():
        raise ValueError("unbalanced brackets")
    return stack[0][0]


def _to_keys(value):
    return [_to_key(v) for v in _to_list(value)]


def _to_strs(value):
    return [_to_str(v) for v in _to_list(value)]


def _to_ints(value):
    return [_to_int(v) for v in _to_list(value)]


def _to_floats(value):
    return [_to_float(v) for v in _to_list(value)]


def _to_str_lists(value):
    items = _to_list(value)
    return [[_to_str(x) for x in item] if isinstance(item, list) else _to_str(item) for item in items]


def _to_column(value):
    """A column name from ``"name"``, ``{"column_name": ...}`` or that object as JSON text."""
    if isinstance(value, dict):
        name = value.get("column_name")
        if not isinstance(name, str) or not name:
            raise ValueError("no column_name")
        return name
    text = _to_str(value).strip()
    if text.startswith("{"):
        return _to_column(json.loads(text))
    return text


def _to_json(value):
    return json.loads(value) if isinstance(value, str) else value


# One {key: ..., value: ...} of H2O's KeyValue[] as h2o-py writes it: keys quoted with ', the
# column name with ".
_KEY_VALUE = re.compile(r"""\{\s*['"]?key['"]?\s*:\s*(?:"([^"]*)"|'([^']*)')\s*,\s*['"]?value['"]?\s*:\s*([^}]+?)\s*\}""")


def _to_key_values(value):
    """H2O's KeyValue[]: JSON (a list of {key, value} or a {key: value} object), or h2o-py's
    ``[{'key': "x", 'value': 1}]``."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        text = value.strip()
        pairs = _KEY_VALUE.findall(text)
        if not (text.startswith("[") and text.endswith("]")) or (not pairs and text[1:-1].strip()):
            raise
        return [{"key": double or single, "value": float(number)} for double, single, number in pairs]


# One {a: ..., b: ...} of H2O's StringPair[] as h2o-py writes it: keys bare, names quoted with ".
_STRING_PAIR = re.compile(r"""\{\s*['"]?a['"]?\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*['"]?b['"]?\s*:\s*"((?:[^"\\]|\\.)*)"\s*\}""")


def _to_string_pairs(value):
    """H2O's StringPair[] as [a, b] lists: JSON (a list of {"a": ..., "b": ...}), or h2o-py's
    ``[{a: "x",b: "y"}]``."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            pairs = _STRING_PAIR.findall(text)
            rest = _STRING_PAIR.sub("", text[1:-1]).replace(",", "").strip()
            if not (text.startswith("[") and text.endswith("]")) or rest:
                raise ValueError("not a list of pairs")
            return [[json.loads(f'"{a}"'), json.loads(f'"{b}"')] for a, b in pairs]
    pairs = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and isinstance(item.get("a"), str) and isinstance(item.get("b"), str):
            pairs.append([item["a"], item["b"]])
        elif isinstance(item, (list, tuple)) and len(item) == 2 and all(isinstance(x, str) for x in item):
            pairs.append(list(item))
        else:
            raise ValueError("not a pair")
    return pairs


_CONVERTERS = {
    "str": _to_str, "int": _to_int, "float": _to_float, "bool": _to_bool, "key": _to_key,
    "keys": _to_keys, "strs": _to_strs, "ints": _to_ints, "floats": _to_floats, "str_lists": _to_str_lists,
    "key_values": _to_key_values, "column": _to_column, "enum": _to_str, "json": _to_json,
    "string_pairs": _to_string_pairs,
}
_EXPECTED = {
    "str": "must be a string", "int": "must be an integer", "float": "must be a number",
    "bool": "must be true or false", "key": "must be a key name or {\"name\": ...}",
    "keys": "must be a list of key names", "strs": "must be a list of strings",
    "ints": "must be a list of integers", "floats": "must be a list of numbers", "str_lists": "must be a list of lists of strings",
    "column": "must be a column name or {\"column_name\": ...}", "enum": "must be a string",
    "json": "must be JSON", "key_values": 'must be a list of {"key": ..., "value": ...}',
    "string_pairs": 'must be a list of {"a": ..., "b": ...}',
}


def parse_body(content_type, data):
    """Decode a request body of any dialect into a dict of raw values.

    A body that looks like a JSON object is read as JSON whatever its declared type: curl's
    ``-d '{...}'`` sends JSON labelled as a form.
    """
    from urllib.parse import parse_qsl

    try:
        text = data.decode("utf-8") if data else ""
    except UnicodeDecodeError:
        raise ParamError("body", "The request body is not UTF-8 text.")
    stripped = text.strip()
    if not stripped:
        return {}
    if stripped.startswith("{") or "json" in (content_type or ""):
        try:
            body = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise ParamError("body", f"The request body is not valid JSON: {exc.msg} at position {exc.pos}.")
        if not isinstance(body, dict):
            raise ParamError("body", "The JSON body must be an object of parameter names and values.")
        return body
    if "multipart/form-data" in (content_type or ""):
        return {}
    pairs = parse_qsl(text, keep_blank_values=True)
    if not pairs and stripped:
        raise ParamError("body", "The request body is neither JSON nor form-encoded parameters.")
    return dict(pairs)
