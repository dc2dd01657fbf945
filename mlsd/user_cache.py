"""Where the kit keeps what it can make again: ``$XDG_CACHE_HOME/mlsd/<name>``, by default
``~/.cache/mlsd/<name>`` (the explorer gallery's data, the gradebooks ``mlsd grade`` starts from).
Deleting any of these folders only costs the time to make its contents again."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_folder(name: str) -> Path:
    """``$XDG_CACHE_HOME/mlsd/<name>``, or ``~/.cache/mlsd/<name>`` when the variable is unset."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mlsd" / name
