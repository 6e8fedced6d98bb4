"""``setproperty``: set one of H2O-3's system properties the engine reads (see
h2odash.engine.system_properties); answers with the old value, as H2O-3's one node does."""
from __future__ import annotations

from h2odash.engine import system_properties

from ..interpreter import Interpreter, prim
from .. import values as v


@prim("setproperty")
def set_property(ix: Interpreter, name, value):
    name = v.string(name, "setproperty", "the property's name")
    value = v.string(value, "setproperty", "the property's value")
    old = system_properties.set_property(name, value)
    return f"Old values of {name} (per node): {old}"
