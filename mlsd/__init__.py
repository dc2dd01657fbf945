"""mlsd: machine-learning system design, one notebook at a time.

The helpers a notebook needs are importable from the top level: ``check_parameters`` to validate
the parameters cell, ``record`` and ``record_table`` to record results, ``read_records`` to read
them back, ``claim`` to state a conclusion as a check the notebook computes (``read_claims`` reads
them back), ``plots`` for the figures notebooks share, ``tables`` to shape a wide result to the
window, ``practice`` for the interview practice (phases, clarifying questions, the design form),
and the simple exercise checks ``check_close``, ``check_equal`` and ``check_true``. A case study's
own code is reached through its façade, ``from mlsd.cases import video_recs as case``.
"""

from mlsd import plots, practice, tables
from mlsd.claims import ClaimFailed, claim, read_claims
from mlsd.exercises import check_close, check_equal, check_true
from mlsd.params import ParameterError, check_parameters
from mlsd.records import read_records, record, record_table

__all__ = [
    "ClaimFailed",
    "ParameterError",
    "check_close",
    "claim",
    "check_equal",
    "check_parameters",
    "check_true",
    "plots",
    "practice",
    "read_claims",
    "read_records",
    "record",
    "record_table",
    "tables",
]
__version__ = "0.1.0"
