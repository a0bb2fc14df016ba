"""ORM models, one module per capability.  Importing this package registers them all
on ``Base.metadata`` (Alembic's env and the tests rely on that)."""

import importlib
import pkgutil

from .base import Base  # noqa: F401

# Every module in this package defines tables of one capability; import them all so a
# capability adds its tables by adding a module, without touching a shared list.
for _mod in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_mod.name}")
