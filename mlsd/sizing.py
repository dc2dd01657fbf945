"""Back-of-envelope sizing: from stated assumptions to the numbers an architecture must meet.

A design answer starts from a few stated inputs — how many users, how often they ask, how big the
catalogue is, how many candidates each request scores and how long one takes — and derives the
load every part of the system must carry. :class:`Assumptions` holds the inputs; :func:`size`
derives, with these formulas (a day is 86,400 s):

- requests per day ``R = daily_users × requests_per_user``;
- mean load ``R / 86,400`` requests per second, peak load ``peak_factor ×`` that;
- embedding memory ``n_items × embedding_dim × bytes_per_value`` (one copy of the item table an
  approximate-nearest-neighbour index serves from; an index adds its own overhead on top);
- scoring time per request ``candidates × scoring_us / 1,000 / scoring_parallelism`` ms, and with
  the rest of the request (``other_ms``: feature lookups, network) the request's time, against
  ``latency_budget_ms``;
- scoring compute at peak ``peak load × candidates × scoring_us × 10⁻⁶`` CPU-seconds per second —
  the number of cores busy scoring and nothing else;
- the most candidates the budget allows, ``(latency_budget_ms − other_ms) × 1,000 ×
  scoring_parallelism / scoring_us``;
- logged data per day ``R × log_bytes_per_request``.

These are means, not tails: a request's 99th percentile is higher (``mlsd.serving`` simulates it),
so a design that uses most of its budget on averages already fails at the tail.
:meth:`Sizing.pressure_points` names the inputs that push a quantity past a stated machine
(memory, cores) or the budget, each with the reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.validation import check_number

SECONDS_PER_DAY = 86_400
GIB = 2**30

__all__ = ["Assumptions", "Sizing", "size"]


@dataclass(frozen=True)
class Assumptions:
    """The stated inputs of a sizing; every field is a number with its unit in its name or doc.

    daily_users: distinct users a day. requests_per_user: requests each makes a day.
    peak_factor: peak load / mean load (>= 1). n_items: catalogue size. embedding_dim: values per
    item vector. bytes_per_value: 4 for float32, 2 for float16, 1 for int8.
    candidates: items scored per request. scoring_us: microseconds to score one candidate.
    scoring_parallelism: workers scoring one request's candidates at once. other_ms: the rest of a
    request's time. latency_budget_ms: the deadline. log_bytes_per_request: what one request logs.
    """

    daily_users: float
    requests_per_user: float
    peak_factor: float = 3.0
    n_items: float = 1_000_000
    embedding_dim: int = 64
    bytes_per_value: int = 4
    candidates: float = 500
    scoring_us: float = 20.0
    scoring_parallelism: int = 1
    other_ms: float = 30.0
    latency_budget_ms: float = 200.0
    log_bytes_per_request: float = 2_000

    def __post_init__(self):
        positive = ("daily_users", "requests_per_user", "n_items", "embedding_dim",
                    "bytes_per_value", "candidates", "scoring_us", "scoring_parallelism",
                    "latency_budget_ms")
        for name in positive:
            check_number(name, getattr(self, name), 0, low_open=True)
        check_number("peak_factor", self.peak_factor, 1)
        check_number("other_ms", self.other_ms, 0)
        check_number("log_bytes_per_request", self.log_bytes_per_request, 0)

    def replace(self, **changes) -> "Assumptions":
        """A copy with some inputs changed (checked like the original)."""
        unknown = sorted(set(changes) - {field.name for field in dataclasses.fields(self)})
        if unknown:
            allowed = ", ".join(field.name for field in dataclasses.fields(self))
            raise ValueError(f"unknown sizing input(s) {', '.join(unknown)}; allowed: {allowed}")
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Sizing:
    """What :func:`size` derives from :class:`Assumptions` (formulas in the module docstring)."""

    assumptions: Assumptions
    requests_per_day: float
    mean_qps: float
    peak_qps: float
    embedding_bytes: float
    scoring_ms: float
    request_ms: float
    scoring_cores_at_peak: float
    max_candidates_in_budget: float
    log_bytes_per_day: float

    def table(self) -> pd.DataFrame:
        """One row per derived quantity: its value, the value as read aloud (``reads``: three
        significant digits, thousands separated), its unit and formula."""
        a = self.assumptions
        rows = [
            ("requests per day", self.requests_per_day, "requests",
             "daily_users × requests_per_user"),
            ("mean load", self.mean_qps, "requests/s", "requests per day / 86,400"),
            ("peak load", self.peak_qps, "requests/s", f"mean load × {a.peak_factor:g}"),
            ("embedding table", self.embedding_bytes / GIB, "GiB",
             "n_items × embedding_dim × bytes_per_value"),
            ("scoring per request", self.scoring_ms, "ms",
             "candidates × scoring_us / 1,000 / scoring_parallelism"),
            ("request (mean)", self.request_ms, "ms", "other_ms + scoring per request"),
            ("scoring cores at peak", self.scoring_cores_at_peak, "cores",
             "peak load × candidates × scoring_us / 10⁶"),
            ("most candidates in budget", self.max_candidates_in_budget, "candidates",
             "(latency_budget_ms − other_ms) × 1,000 × scoring_parallelism / scoring_us"),
            ("logs per day", self.log_bytes_per_day / GIB, "GiB",
             "requests per day × log_bytes_per_request"),
        ]
        table = pd.DataFrame(rows, columns=["quantity", "value", "unit", "formula"])
        table.insert(2, "reads", [_readable(value) for value in table["value"]])
        return table.set_index("quantity")

    def pressure_points(self, machine_memory_gib: float = 64.0,
                        machine_cores: float = 32.0) -> list[str]:
        """The quantities past what one machine or the budget holds, each with what to change.

        A finding is made when the embedding table exceeds half of ``machine_memory_gib`` (the
        index, the process and a second copy during a reload need the rest), when the mean
        request uses more than half the latency budget (the tail will not fit), or when scoring
        at peak needs more than ``machine_cores`` cores.
        """
        check_number("machine_memory_gib", machine_memory_gib, 0, low_open=True)
        check_number("machine_cores", machine_cores, 0, low_open=True)
        a = self.assumptions
        findings = []
        table_gib = self.embedding_bytes / GIB
        if table_gib > machine_memory_gib / 2:
            findings.append(
                f"memory: the item embeddings take {table_gib:,.1f} GiB, more than half of a "
                f"{machine_memory_gib:g} GiB machine — shard the index, shrink embedding_dim or "
                f"quantise (bytes_per_value {a.bytes_per_value:g} → 1)")
        if self.request_ms > a.latency_budget_ms / 2:
            findings.append(
                f"latency: a mean request takes {self.request_ms:,.1f} ms of the "
                f"{a.latency_budget_ms:g} ms budget, so its tail will not fit — score fewer "
                f"candidates (at most {self.max_candidates_in_budget:,.0f} fit at all), a cheaper "
                f"model, or more scoring_parallelism")
        if self.scoring_cores_at_peak > machine_cores:
            machines = self.scoring_cores_at_peak / machine_cores
            findings.append(
                f"compute: scoring at peak keeps {self.scoring_cores_at_peak:,.0f} cores busy, "
                f"{machines:,.1f} machines of {machine_cores:g} cores — fewer candidates per "
                f"request or a cheaper first stage")
        return findings


def size(assumptions: Assumptions) -> Sizing:
    """Derive the load, memory, latency and compute of :class:`Assumptions` (see the module)."""
    if not isinstance(assumptions, Assumptions):
        raise ValueError(f"size needs an mlsd.sizing.Assumptions; got {type(assumptions).__name__}")
    a = assumptions
    requests_per_day = a.daily_users * a.requests_per_user
    mean_qps = requests_per_day / SECONDS_PER_DAY
    peak_qps = mean_qps * a.peak_factor
    scoring_ms = a.candidates * a.scoring_us / 1_000 / a.scoring_parallelism
    return Sizing(
        assumptions=a,
        requests_per_day=requests_per_day,
        mean_qps=mean_qps,
        peak_qps=peak_qps,
        embedding_bytes=a.n_items * a.embedding_dim * a.bytes_per_value,
        scoring_ms=scoring_ms,
        request_ms=a.other_ms + scoring_ms,
        scoring_cores_at_peak=peak_qps * a.candidates * a.scoring_us / 1e6,
        max_candidates_in_budget=max(0.0, (a.latency_budget_ms - a.other_ms) * 1_000
                                     * a.scoring_parallelism / a.scoring_us),
        log_bytes_per_day=requests_per_day * a.log_bytes_per_request,
    )


def _readable(value: float) -> str:
    """Three significant digits, thousands separated: 17,361 → "17,400", 23.84 → "23.8"."""
    if value == 0:
        return "0"
    magnitude = int(np.floor(np.log10(abs(value))))
    return f"{round(value, 2 - magnitude):,.{max(0, 2 - magnitude)}f}"
