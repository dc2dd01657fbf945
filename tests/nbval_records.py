"""A pytest plugin for nbval: recorded results are compared within the kit's tolerance, not byte
for byte (:mod:`mlsd.reproducibility`); every other output still must match exactly.

nbval compares each re-executed cell's outputs with the committed ones. This plugin takes the
record outputs (MIME type ``application/vnd.mlsd.record+json``) out of that comparison and checks
their values with :func:`mlsd.reproducibility.record_differences` instead, failing the cell with
one line per record that differs.
"""

from __future__ import annotations

import pytest
from nbval.plugin import IPyNbCell

from mlsd.records import RECORD_MIME
from mlsd.reproducibility import record_differences


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    for item in items:
        if isinstance(item, IPyNbCell):
            item.compare_outputs = _records_within_tolerance(item, item.compare_outputs)


def _records_within_tolerance(item: IPyNbCell, compare_exactly):
    def compare(test, ref, skip_compare=None):
        test_records, test_rest = _split(test)
        ref_records, ref_rest = _split(ref)
        same_rest = compare_exactly(test_rest, ref_rest, skip_compare)
        problems = record_differences(ref_records, test_records)
        item.comparison_traceback.extend(f"\n{problem}" for problem in problems)
        return same_rest and not problems

    return compare


def _split(outputs) -> tuple[dict, list]:
    records, rest = {}, []
    for output in outputs:
        entry = output.get("data", {}).get(RECORD_MIME)
        if entry is None:
            rest.append(output)
        else:
            records[entry["name"]] = entry["value"]
    return records, rest
