"""The map text of ``POST /99/Grid/{algo}``'s ``hyper_parameters`` and ``search_criteria`` fields,
written as h2o-py's ``stringify_dict_as_map`` writes them: keys in double quotes, values bare
(``{"max_depth": [2,3]}``, ``{"strategy": RandomDiscrete,"max_models": 2}``)."""
from __future__ import annotations

from typing import Any, Mapping


def h2o_map(values: Mapping[str, Any]) -> str:
    """``{"key": value,...}`` as h2o-py sends a grid's maps (strings unquoted, lists as ``[a,b]``)."""
    return "{%s}" % ",".join(f"{_quoted(key)}: {_value(value)}" for key, value in values.items())


def _quoted(key: str) -> str:
    key = str(key)
    return key if len(key) >= 2 and key.startswith('"') and key.endswith('"') else f'"{key}"'


def _value(value: Any) -> str:
    if isinstance(value, Mapping):
        return h2o_map(value)
    if isinstance(value, (list, tuple)):
        return "[%s]" % ",".join(_value(item) for item in value)
    return str(value)
