"""A package's exported names, imported when first used (PEP 562).

A package that re-exports many names (the kit's top level, :mod:`mlsd.explore`, each case's
façade) would import every module behind them -- pandas, matplotlib, scikit-learn, LightGBM -- as soon
as anything imports the package, even a submodule of it: ``mlsd.cases.video_recs.explore`` imports
``mlsd.cases.video_recs`` first. With :func:`lazy_exports` the package lists where each name lives,
and a name's module is imported when the name is first read, then kept in the package's namespace.
``from package import *`` and ``dir(package)`` still see every name.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping


def lazy_exports(package: str, namespace: dict, homes: Mapping[str, str],
                 modules: Iterable[str] = ()) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of the package named ``package``, whose globals are
    ``namespace``.

    ``homes`` maps each exported name to ``"module"`` (the name is that module's attribute of the
    same name) or ``"module:attribute"`` (re-exported under another name); a module starting with
    ``.`` is relative to ``package``. ``modules`` are submodules exported as themselves.
    An unknown name raises AttributeError as Python would.
    """
    modules = tuple(modules)

    def __getattr__(name: str):
        if name in modules:
            value = importlib.import_module(f"{package}.{name}")
        elif name in homes:
            module, _, attribute = homes[name].partition(":")
            value = getattr(importlib.import_module(module, package), attribute or name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes, *modules})

    return __getattr__, __dir__
