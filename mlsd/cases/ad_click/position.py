"""Position bias: a click depends on where the ad was shown, not only on the ad.

The simulator adds ``SLOT_EFFECT[slot − 1]`` (:mod:`.simulate`) to every impression's true
log-odds: the same ad, lower on the page, is clicked less. Slots are drawn independently of the ad,
so here the observed click rate by slot shows the slot effect itself. A model that ignores the
position learns, for every ad, its click rate averaged over the slots it happened to be shown in:
it under-predicts the top slot and over-predicts the bottom one — and in an auction for a given
slot that is miscalibration. Production systems therefore train with the position as a feature
and serve with it fixed (every candidate scored as if in the same slot), so that the position
explains the clicks it caused and the ad's own terms keep the rest (e.g. Airbnb's search ranking,
KDD 2020; the ad-click literature since Richardson et al., WWW 2007).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.simulate import SLOT_EFFECT


def slot_table(test: pd.DataFrame, y_test, blind: np.ndarray, aware: np.ndarray) -> pd.DataFrame:
    """One row per slot of the simulated ``test`` impressions: ``impressions``, ``clicks``,
    ``observed_ctr``, ``true_ctr`` (mean ``true_ctr``), ``observed_vs_slot_1`` and
    ``true_vs_slot_1`` (each CTR over slot 1's), ``slot_odds_effect`` (``exp SLOT_EFFECT``, the
    multiplier of the odds the simulator applies), then the ratio of mean prediction to mean
    ``true_ctr`` of a position-blind model (``blind_vs_truth``) and of one with the slot as a
    feature (``aware_vs_truth``); rates and ratios rounded to 4 decimals."""
    y_test, slot = np.asarray(y_test), test["slot"].to_numpy()
    true_ctr = test["true_ctr"].to_numpy()
    rows = {}
    for value in np.unique(slot):
        inside = slot == value
        rows[int(value)] = {
            "impressions": int(inside.sum()),
            "clicks": int(y_test[inside].sum()),
            "observed_ctr": y_test[inside].mean(),
            "true_ctr": true_ctr[inside].mean(),
            "slot_odds_effect": float(np.exp(SLOT_EFFECT[value - 1])),
            "blind_vs_truth": blind[inside].mean() / true_ctr[inside].mean(),
            "aware_vs_truth": aware[inside].mean() / true_ctr[inside].mean(),
        }
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("slot")
    first = table.iloc[0]
    table.insert(4, "observed_vs_slot_1", table["observed_ctr"] / first["observed_ctr"])
    table.insert(5, "true_vs_slot_1", table["true_ctr"] / first["true_ctr"])
    return table.round(4)


def clicks_fall_with_slot(table: pd.DataFrame) -> bool:
    """Whether the observed click rate falls from each slot to the next lower one."""
    return bool((np.diff(table["observed_ctr"].to_numpy()) < 0).all())


def blind_model_is_off_by_slot(table: pd.DataFrame) -> bool:
    """Whether the position-blind model under-predicts the top slot and over-predicts the bottom
    one against the truth, each by more than the position-aware model is off in any slot."""
    blind = table["blind_vs_truth"].to_numpy()
    aware_worst = np.abs(np.log(table["aware_vs_truth"].to_numpy())).max()
    return bool(blind[0] < 1 < blind[-1] and min(-np.log(blind[0]), np.log(blind[-1])) > aware_worst)
