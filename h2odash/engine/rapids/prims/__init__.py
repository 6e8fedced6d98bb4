"""The Rapids operations, one module per family; importing this package registers them all
(every module here is imported, so a new family needs no list to be kept in step)."""
import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
