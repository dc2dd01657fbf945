"""mlsd: machine-learning system design, one notebook at a time.

The helpers a notebook needs are importable from the top level: ``record`` to record a result,
``check_parameters`` to validate the parameters cell, ``read_records`` to read results back.
"""

from mlsd.params import ParameterError, check_parameters
from mlsd.records import read_records, record

__all__ = ["ParameterError", "check_parameters", "read_records", "record"]
__version__ = "0.1.0"
