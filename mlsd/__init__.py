"""mlsd: machine-learning system design, one notebook at a time.

The helpers a notebook needs are importable from the top level: ``check_parameters`` to validate
the parameters cell, ``record`` and ``record_table`` to record results, ``read_records`` to read
them back, ``claim`` to state a conclusion as a check the notebook computes (``read_claims`` reads
them back), ``plots`` for the figures notebooks share, ``tables`` to shape a wide result to the
window, ``practice`` for the interview practice (phases, clarifying questions, the design form),
and the simple exercise checks ``check_close``, ``check_equal`` and ``check_true``. A case study's
own code is reached through its façade, ``from mlsd.cases import video_recs as case``.
"""

from __future__ import annotations

from mlsd.lazy import lazy_exports

_HOMES = {
    "ClaimFailed": "mlsd.claims",
    "claim": "mlsd.claims",
    "read_claims": "mlsd.claims",
    "check_close": "mlsd.exercises",
    "check_equal": "mlsd.exercises",
    "check_true": "mlsd.exercises",
    "ParameterError": "mlsd.params",
    "check_parameters": "mlsd.params",
    "read_records": "mlsd.records",
    "record": "mlsd.records",
    "record_table": "mlsd.records",
}
"""Where each top-level name is defined; ``plots``, ``practice`` and ``tables`` are modules. Each is
imported when first used (:mod:`mlsd.lazy`), so that ``import mlsd`` costs nothing: a command
(``mlsd explore``) or a kernel that needs one helper does not import pandas and matplotlib for the
others."""
_MODULES = ("plots", "practice", "tables")

__all__ = sorted([*_HOMES, *_MODULES])
__version__ = "0.1.0"


__getattr__, __dir__ = lazy_exports(__name__, globals(), _HOMES, _MODULES)
