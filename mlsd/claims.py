"""Claims: the conclusions a notebook's prose draws, stated as checks the notebook computes.

``claim("merged_beats_mf", "merging the sources finds more than MF alone at the same length",
merged_recall > mf_recall_same_length)`` shows the statement with ✓ beside the output it rests on,
stores it as an output of MIME type :data:`CLAIM_MIME` (name, statement, whether it held, whether it
needs the notebook's default sizes) and — when it does not hold — raises :class:`ClaimFailed`, so
a change that breaks a lesson stops the notebook. :func:`read_claims` reads them back from an
executed notebook.

What a claim does when it does not hold depends on the kernel's environment variable
``MLSD_CLAIMS`` (:data:`MODES`):

``check`` (the default)
    raise :class:`ClaimFailed` naming the statement — when the notebook runs with the parameters
    its lessons are written for: the defaults, any ``seed`` (``mlsd.check_parameters`` tells
    :func:`note_parameters` which differ). With other values (a sweep over ``epsilon``, a learner
    trying ``k = 3``) a claim that fails is shown as not holding *with these parameters*, naming
    them, and the notebook goes on: what changes with a parameter is worth seeing, not an error.
``record``
    show ✗ and store it as failed, without raising: ``mlsd claims`` runs every notebook over
    several seeds this way and tabulates which claims hold on which seed.
``smallest``
    raise whatever the parameters, except that a claim made with ``needs_default_sizes=True`` —
    one that only holds with the data of the notebook's default sizes — is shown as not checked
    and stored with ``held`` None: the test suite's run of every notebook at its smallest sizes
    uses it.

Claims are lessons about the simulator, whose generative story is known. A notebook that runs on
a real dataset (a case's ``data.record()`` tells :func:`note_data`) checks them too, but a claim
the real data contradict is shown as not holding *on these data* and does not stop the notebook:
where real data disagree with the simulator, that is worth seeing, not an error.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np

from mlsd.validation import check_choice

CLAIM_MIME = "application/vnd.mlsd.claim+json"
MODES = ("check", "record", "smallest")
MODE_VARIABLE = "MLSD_CLAIMS"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DATA = {"real": False, "changed": ()}


class ClaimFailed(AssertionError):
    """A notebook's claim did not hold on the data it ran on."""


def claim(name: str, statement: str, holds, *, needs_default_sizes: bool = False) -> None:
    """Show, store and check the claim ``statement``, which holds when ``holds`` is true.

    ``name`` (lower-case letters, digits and underscores, starting with a letter) identifies the
    claim across runs and seeds; ``holds`` is a bool (a numpy bool too). Returns nothing (a
    notebook cell ending in a claim shows only the claim); raises :class:`ClaimFailed` when it did
    not hold, unless ``MLSD_CLAIMS`` or real data say otherwise (module docstring).
    """
    from IPython.display import display

    if not isinstance(name, str) or not _NAME.match(name):
        raise ValueError(f"claim name must be lower-case letters, digits and _; got {name!r}")
    if not isinstance(statement, str) or not statement.strip():
        raise ValueError(f"claim {name}: the statement must be a non-empty string; got {statement!r}")
    if not isinstance(holds, (bool, np.bool_)):
        raise TypeError(f"claim {name}: holds must be True or False; got {holds!r}")
    mode = claims_mode()
    held = None if mode == "smallest" and needs_default_sizes else bool(holds)
    mark = {True: "✓", False: "✗ does not hold:", None: "· not checked at these sizes:"}[held]
    excused = _why_not_raised(mode) if held is False else ""
    if excused:
        mark = f"✗ does not hold {excused}:"
    entry = {"name": name, "statement": statement, "held": held,
             "needs_default_sizes": bool(needs_default_sizes)}
    display({CLAIM_MIME: entry, "text/plain": f"{mark} {statement}"}, raw=True)
    if held is False and mode != "record" and not excused:
        raise ClaimFailed(f"claim {name} does not hold: {statement}")


def note_data(real: bool) -> None:
    """Tell the claims whether the notebook runs on a real dataset (True) or the simulator."""
    _DATA["real"] = bool(real)


def note_parameters(changed) -> None:
    """Tell the claims which parameters differ from the notebook's defaults (``seed`` aside), as
    ``name=value`` texts."""
    _DATA["changed"] = tuple(changed)


def _why_not_raised(mode: str) -> str:
    """Why a failing claim does not stop the notebook in ``mode`` — "on these data", "with these
    parameters (…)" — or "" when it does."""
    if _DATA["real"]:
        return "on these data"
    if mode == "check" and _DATA["changed"]:
        return f"with these parameters ({', '.join(_DATA['changed'])})"
    return ""


def claims_mode() -> str:
    """The mode of :data:`MODES` named by ``MLSD_CLAIMS``, ``check`` when it is unset."""
    return check_choice(MODE_VARIABLE, os.environ.get(MODE_VARIABLE, "check"), MODES)


def claims_in(notebook: dict) -> list[dict]:
    """Every claim of a notebook node (or its JSON dict), in order: dicts with ``name``,
    ``statement``, ``held`` (True, False, or None when not checked) and ``needs_default_sizes``."""
    found = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            entry = output.get("data", {}).get(CLAIM_MIME)
            if entry is not None:
                found.append(entry)
    return found


def read_claims(path: str | os.PathLike) -> list[dict]:
    """The claims of the executed notebook at ``path`` (:func:`claims_in`)."""
    import json

    return claims_in(json.loads(Path(path).read_text(encoding="utf-8")))
