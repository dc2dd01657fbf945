"""A disk cache of the explorer gallery's data, so that ``mlsd explore`` starts without training.

Before its first tab shows, the gallery (:mod:`mlsd.cases.gallery`) simulates each case's data and
fits its models: about four seconds that a projector audience would wait at every start of the
app. The functions that make those inputs are wrapped in :func:`cached_inputs`. While the
environment variable ``MLSD_GALLERY_CACHE`` names a folder -- ``mlsd explore`` sets it for its
Voilà server, so only the app reads and writes the cache -- their results are memoised there by
``joblib.Memory``, keyed by their arguments (the seed and the sizes). Without the variable (notebook
runs, ``mlsd run``, the tests) they compute as they always do, so every recorded number is computed.

``joblib.Memory`` keys an entry by the wrapped function's own source only, not by the simulator and
the models that it calls. So the entries live in a subfolder named by :func:`kit_fingerprint`, a
SHA-256 of every ``.py`` file of the ``mlsd`` package and of the versions of the libraries whose
results they hold; a change to either starts a new subfolder, and the others are removed.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
from importlib.metadata import version
from pathlib import Path

from mlsd.user_cache import user_cache_folder

CACHE_VARIABLE = "MLSD_GALLERY_CACHE"
LIBRARIES = ("numpy", "pandas", "scikit-learn", "lightgbm", "joblib")
"""The libraries whose numbers or storage an entry depends on; their versions are in the key."""


def default_folder() -> Path:
    """Where ``mlsd explore`` keeps the cache: ``$XDG_CACHE_HOME/mlsd/gallery``, by default
    ``~/.cache/mlsd/gallery``."""
    return user_cache_folder("gallery")


@functools.cache
def kit_fingerprint() -> str:
    """SHA-256 (first 16 hex digits) of each ``.py`` file of the package, by relative path, and
    of the versions of :data:`LIBRARIES`."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    for library in LIBRARIES:
        digest.update(f"{library}=={version(library)}\0".encode())
    return digest.hexdigest()[:16]


@functools.cache
def _memory(folder: str):
    from joblib import Memory

    root = Path(folder)
    current = root / kit_fingerprint()
    if root.is_dir():
        for stale in root.iterdir():
            if stale != current and stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
    return Memory(current, verbose=0)


def cached_inputs(function):
    """``function``, memoised on disk while ``MLSD_GALLERY_CACHE`` is set (see the module)."""

    @functools.wraps(function)
    def maybe_cached(*args, **kwargs):
        folder = os.environ.get(CACHE_VARIABLE)
        if not folder:
            return function(*args, **kwargs)
        return _memory(folder).cache(function)(*args, **kwargs)

    return maybe_cached
