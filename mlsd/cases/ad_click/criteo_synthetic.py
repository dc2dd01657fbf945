"""Synthetic click logs in Criteo's exact layouts, with a planted signal and its truth.

For the tests, for measuring how many rows a model comparison needs (:data:`~.data.CRITEO_MEANINGFUL_ROWS`,
``benchmarks/bench_criteo_size.py``), and for trying the Criteo path of the notebooks without the
real file. Nothing here is Criteo's data: the fields only have its layout and rough shape.

Generative story (the world — values, effects — from a Generator seeded by ``world_seed``, the rows
from one seeded by ``seed``, so files of one world differ only by sampling; rows are independent,
so the file order carries no drift):

Categorical fields
    ``C<k>`` has :data:`CARDINALITIES` ``[k]`` values, each the 8 hex digits of a random 32-bit
    number; a row draws value ``r`` (0-based) with probability ``∝ (r + 1) ** -1.1`` (a few
    values are common, most are rare), and the field is empty with probability :data:`EMPTY_SHARE`.
Integer fields
    ``I<j> = floor(exp(Z))`` with ``Z ~ Normal(1.5, 1.5²)``, minus 3 for ``I2`` (which can then be
    negative, as in Criteo); empty with probability :data:`EMPTY_SHARE`.
Click probability
    ``logit p = b + Σ_{c ∈ SIGNAL_FIELDS} a_c[value] + δ[C6 value, C9 value] + 0.5 · ln(1 + I1)
    − 0.6 · [I5 > 20]``, with effects ``a_c ~ Normal(0, 0.4²)`` per value (0 when empty), the
    interaction ``δ ~ Normal(0, 0.6²)`` per pair of values (0 when either is empty), the
    ``I`` terms 0 when empty, and ``b`` solved by bisection so that ``mean p = click_rate``.
    The label is ``Bernoulli(p)``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.criteo import CATEGORICAL_FEATURES, CSV_HEADER, INTEGER_FEATURES
from mlsd.validation import check_choice, check_int, check_number

LAYOUTS = ("train.txt", "csv")
"""``"train.txt"``: tab-separated, no header; ``"csv"``: the header ``Id,Label,…`` and an Id."""
CARDINALITIES = dict(
    zip(
        CATEGORICAL_FEATURES,
        (1400, 550, 20000, 10000, 300, 10, 7000, 250, 3, 9000, 4000, 18000, 3000, 27, 5000, 16000,
         10, 3000, 1700, 4, 17000, 15, 15, 12000, 90, 9000),
    )
)
EMPTY_SHARE = 0.1
SIGNAL_FIELDS = ("C1", "C2", "C5", "C8", "C14", "C17", "C23", "C25")
EFFECT_SD = 0.4
INTERACTION = ("C6", "C9")
INTERACTION_SD = 0.6
ZIPF_EXPONENT = 1.1


@dataclass(frozen=True)
class SyntheticCriteo:
    """A written file: its path, the layout, and the true click probability of each line."""

    path: Path
    layout: str
    true_ctr: np.ndarray


def write_synthetic_criteo(
    path: str | os.PathLike,
    n_rows: int,
    *,
    layout: str = "train.txt",
    click_rate: float = 0.25,
    seed: int = 0,
    world_seed: int = 0,
) -> SyntheticCriteo:
    """Write ``n_rows`` lines drawn from the story of the module docstring to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write (its folder must exist).
    n_rows : int
        Lines of data, >= 1.
    layout : str, default="train.txt"
        One of :data:`LAYOUTS`.
    click_rate : float, default=0.25
        The mean true click probability, in (0, 1); about that of the public Criteo files.
    seed : int, default=0
        Seed of the rows: their values, integers, empty fields and labels.
    world_seed : int, default=0
        Seed of the world: each field's values and their effects on the click probability.
    """
    n_rows = check_int("n_rows", n_rows, 1)
    layout = check_choice("layout", layout, LAYOUTS)
    click_rate = check_number("click_rate", click_rate, 0, 1, low_open=True, high_open=True)
    rng = np.random.default_rng(check_int("seed", seed, 0))
    world = np.random.default_rng(check_int("world_seed", world_seed, 0))
    hexes = {name: _hex_values(world, size) for name, size in CARDINALITIES.items()}
    ranks = {name: _zipf_ranks(rng, size, n_rows) for name, size in CARDINALITIES.items()}
    integers = np.floor(np.exp(rng.normal(1.5, 1.5, (n_rows, len(INTEGER_FEATURES))))).astype(np.int64)
    integers[:, 1] -= 3
    integer_empty = rng.random(integers.shape) < EMPTY_SHARE
    score = _planted_score(world, ranks, integers, integer_empty)
    true_ctr = _sigmoid(_intercept(score, click_rate) + score)
    labels = (rng.random(n_rows) < true_ctr).astype(np.int64)
    table = pd.DataFrame({"Label": labels})
    for column, name in enumerate(INTEGER_FEATURES):
        table[name] = pd.array(np.where(integer_empty[:, column], None, integers[:, column]), dtype="Int64")
    for name in CATEGORICAL_FEATURES:
        table[name] = np.where(ranks[name] < 0, None, hexes[name][np.maximum(ranks[name], 0)])
    path = Path(path)
    if layout == "csv":
        table.insert(0, "Id", np.arange(10_000_000, 10_000_000 + n_rows))
        table.to_csv(path, index=False, header=CSV_HEADER.split(","), lineterminator="\n")
    else:
        table.to_csv(path, sep="\t", index=False, header=False, lineterminator="\n")
    return SyntheticCriteo(path, layout, true_ctr)


def _zipf_ranks(rng, size: int, n_rows: int) -> np.ndarray:
    """Each row's value rank in ``[0, size)``, Zipf-like; -1 where the field is empty."""
    weights = (np.arange(size) + 1.0) ** -ZIPF_EXPONENT
    ranks = rng.choice(size, n_rows, p=weights / weights.sum())
    return np.where(rng.random(n_rows) < EMPTY_SHARE, -1, ranks)


def _hex_values(rng, size: int) -> np.ndarray:
    """``size`` distinct 8-hex-digit texts."""
    codes = rng.choice(2**32, size, replace=False)
    return np.array([f"{code:08x}" for code in codes], dtype=object)


def _planted_score(world, ranks: dict, integers: np.ndarray, integer_empty: np.ndarray) -> np.ndarray:
    score = np.zeros(integers.shape[0])
    for name in SIGNAL_FIELDS:
        effect = np.append(world.normal(0, EFFECT_SD, CARDINALITIES[name]), 0.0)
        score += effect[ranks[name]]  # rank -1 (empty) reads the appended 0
    left, right = INTERACTION
    pair = world.normal(0, INTERACTION_SD, (CARDINALITIES[left], CARDINALITIES[right]))
    both = (ranks[left] >= 0) & (ranks[right] >= 0)
    score[both] += pair[ranks[left][both], ranks[right][both]]
    i1, i5 = integers[:, 0], integers[:, 4]
    score += np.where(integer_empty[:, 0], 0.0, 0.5 * np.log1p(np.maximum(i1, 0)))
    score -= np.where(integer_empty[:, 4], 0.0, 0.6 * (i5 > 20))
    return score


def _intercept(score: np.ndarray, click_rate: float) -> float:
    """``b`` with ``mean(sigmoid(b + score)) = click_rate``, by bisection to 1e-12."""
    low, high = -30.0, 30.0
    while high - low > 1e-12:
        middle = (low + high) / 2
        low, high = (middle, high) if _sigmoid(middle + score).mean() < click_rate else (low, middle)
    return (low + high) / 2


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))
