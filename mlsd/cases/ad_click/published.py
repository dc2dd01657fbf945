"""Published results on the Criteo click logs, with their sources: the one place the kit keeps them.

The notebooks print them beside their own numbers when they run on a Criteo file
(:func:`~.lessons.beside_published`). They are not comparable with each other, nor always with a
notebook's run: the data, the split and the test set of each are in its row.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class PublishedResult:
    """One published result: what was trained on what, its test metrics, and where it is written."""

    model: str
    data: str
    roc_auc: float
    log_loss: float
    protocol: str
    source: str


PUBLISHED = (
    PublishedResult(
        model="LightGBM (recommenders)",
        data="dac_sample.txt, ordered 80/10/10",
        protocol="dac_sample.txt (100,000 lines) in file order: the first 80% train, the next 10% "
        "stop the boosting early (on AUC), the last 10% test; categories ordinal-encoded",
        roc_auc=0.7655408801711783,
        log_loss=0.4682583178835999,
        source="recommenders-team/recommenders, examples/00_quick_start/lightgbm_tinycriteo.ipynb, "
        "'Basic Usage'",
    ),
    PublishedResult(
        model="FFM, 2014 winners",
        data="train.txt → test.txt",
        protocol="field-aware factorization machines on GBDT features (team '3 Idiots'): train.txt "
        "(45.8M lines, 7 days) trains, the challenge's test.txt (the next day) tests; private "
        "leaderboard",
        roc_auc=float("nan"),
        log_loss=0.44479,
        source="Juan, Zhuang & Chin, '3 Idiots' Approach for Display Advertising Challenge' "
        "(slides, 2014); Kaggle Display Advertising Challenge leaderboard",
    ),
)
"""Every published result the notebooks show, best known first for its protocol."""


def published_table() -> pd.DataFrame:
    """:data:`PUBLISHED` as a DataFrame indexed by model: ``data`` (short), ``roc_auc``,
    ``log_loss`` (NaN where not published)."""
    rows = {
        result.model: {"data": result.data, "roc_auc": result.roc_auc, "log_loss": result.log_loss}
        for result in PUBLISHED
    }
    return pd.DataFrame.from_dict(rows, orient="index")


def published_sources() -> list[str]:
    """One line per result of :data:`PUBLISHED`: its model, full protocol and source."""
    return [f"{result.model}: {result.protocol}. Source: {result.source}." for result in PUBLISHED]
