"""The interview prompts of every case, for the practice notebook and ``mlsd practice``.

Like :mod:`mlsd.cases.gallery`, this sits above the cases: each case's ``design`` module states its
prompts (``interview_prompts()``), and :func:`prompts` collects them in curriculum order.
"""

from __future__ import annotations

import importlib

from mlsd.cases import CASES
from mlsd.practice.interview import Prompt

__all__ = ["prompt", "prompts"]


def prompts() -> tuple[Prompt, ...]:
    """Every case's prompts: the case's own problem first, then its variants."""
    found = []
    for case in CASES:
        found.extend(importlib.import_module(f"{case.package}.design").interview_prompts())
    return tuple(found)


def prompt(key: str) -> Prompt:
    """The prompt named ``key``; an unknown key raises ValueError listing the allowed ones."""
    by_key = {found.key: found for found in prompts()}
    if key not in by_key:
        raise ValueError(f"prompt must be one of {', '.join(by_key)}; got {key!r}")
    return by_key[key]
