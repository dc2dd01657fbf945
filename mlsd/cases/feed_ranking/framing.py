"""Notebook 1's measurements: what each head means and how rare it is, the orders to beat, and
what a click is worth when the post is click-bait.

- :func:`head_rates` — per head, what the action means, when its label can be read, and its
  positive rate (any source);
- :func:`ordering_scores` and :func:`ordering_table` — the feed each candidate order produces,
  measured on the simulator's truth: reverse-chronological (the baseline), a random order, the
  logging policy's and the value model on the true probabilities (the ceiling);
- :func:`baseline_auc` — how well the reverse-chronological order ranks each head's observed
  labels, within a member (GAUC) and globally (any source: the real logs have no truth);
- :func:`clicks_by_creator_kind` — clicks on click-bait creators' posts against the others': the
  share read for :data:`~.schema.LONG_DWELL_SECONDS` or more, and the median dwell.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.feed_ranking.evaluation import feed_metrics, truth_predictions, value_scores
from mlsd.cases.feed_ranking.models import reverse_chronological
from mlsd.cases.feed_ranking.schema import HEADS, LONG_DWELL_SECONDS, check_table, head_labels
from mlsd.cases.feed_ranking.simulate import FeedWorld
from mlsd.metrics import grouped_roc_auc, roc_auc
from mlsd.validation import check_int

HEAD_STORIES: dict[str, tuple[str, str]] = {
    "click": ("opened the post", "seconds after the impression"),
    "long_dwell": (f"opened and read it {LONG_DWELL_SECONDS:g} s or more",
                   "when the member leaves the post"),
    "like": ("liked it", "seconds to hours"),
    "comment": ("commented", "minutes to hours"),
    "share": ("shared it to their network", "minutes to hours"),
    "hide": ("hid it: not interested", "seconds; rare and costly"),
}
"""Each head's meaning, and when its label can be read, for the framing table."""

ORDERINGS = ("reverse-chronological", "random", "logging policy", "value model on the truth")
"""The orders :func:`ordering_table` compares, baseline first, ceiling last."""

FEED_COLUMNS = ("clicks", "long_dwells", "viral_actions", "hides", "value", "top_creator_share")
"""What :func:`ordering_table` reports of :func:`~.evaluation.feed_metrics`."""


def head_rates(impressions: pd.DataFrame) -> pd.DataFrame:
    """One row per head: ``means`` and ``label_arrives`` (:data:`HEAD_STORIES`), ``positive_rate``
    (share of impressions with the action) and ``one_in`` (``1 / positive_rate``, rounded: one
    action in so many impressions)."""
    check_table(impressions)
    rates = head_labels(impressions).mean()
    return pd.DataFrame(
        {
            "means": [HEAD_STORIES[head][0] for head in HEADS],
            "label_arrives": [HEAD_STORIES[head][1] for head in HEADS],
            "positive_rate": [float(rates[head]) for head in HEADS],
            "one_in": [round(1 / rates[head]) if rates[head] > 0 else np.nan for head in HEADS],
        },
        index=pd.Index(HEADS, name="head"),
    )


def ordering_scores(impressions: pd.DataFrame, seed: int = 0) -> dict[str, np.ndarray]:
    """A score per row for each order of :data:`ORDERINGS`, higher first: ``-post_age_hours``;
    a uniform draw seeded by ``seed``; the recorded ``policy_score``; and the value model
    (:func:`~.evaluation.value_scores` at its default weights) on the true probabilities given
    examination."""
    seed = check_int("seed", seed, 0)
    truth = truth_predictions(impressions, given_examination=True)
    return {
        "reverse-chronological": reverse_chronological(impressions),
        "random": np.random.default_rng(seed).random(len(impressions)),
        "logging policy": impressions["policy_score"].to_numpy(dtype=float),
        "value model on the truth": value_scores(truth),
    }


def ordering_table(world: FeedWorld, impressions: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """One row per order of :data:`ORDERINGS`, the :data:`FEED_COLUMNS` of the feed it produces
    (:func:`~.evaluation.feed_metrics`: each session's rows re-ordered, expected actions per
    session on the truth, and the largest creators' share of the top slots)."""
    scores = ordering_scores(impressions, seed)
    rows = [feed_metrics(world, impressions, scores[name]) for name in ORDERINGS]
    return pd.DataFrame(rows, index=pd.Index(ORDERINGS, name="order"))[list(FEED_COLUMNS)]


def baseline_auc(impressions: pd.DataFrame) -> pd.DataFrame:
    """One row per head: the ROC AUC of the reverse-chronological score against the head's labels
    over all rows (``roc_auc``) and within each member, averaged over members by their rows
    (``grouped_roc_auc``, :func:`mlsd.metrics.grouped_roc_auc`). 0.5 is a random order."""
    labels = head_labels(impressions)
    score = reverse_chronological(impressions)
    members = impressions["member_id"].to_numpy()
    return pd.DataFrame(
        {
            "roc_auc": [roc_auc(labels[head], score) for head in HEADS],
            "grouped_roc_auc": [grouped_roc_auc(labels[head], score, members) for head in HEADS],
        },
        index=pd.Index(HEADS, name="head"),
    )


def clicks_by_creator_kind(world: FeedWorld, impressions: pd.DataFrame) -> pd.DataFrame:
    """Clicks on posts of click-bait creators against the others': ``clicks``, the share of them
    read for at least :data:`~.schema.LONG_DWELL_SECONDS` (``long_read_share``), the median dwell
    in seconds and the hide rate per impression (``hide_rate``)."""
    clickbait = world.creators["clickbait"].to_numpy()[impressions["creator_id"].to_numpy(int)]
    rows = {}
    for kind, mask in (("click-bait creators", clickbait), ("other creators", ~clickbait)):
        shown = impressions[mask]
        clicked = shown[shown["click"] == 1]
        dwell = clicked["dwell_seconds"].to_numpy(dtype=float)
        rows[kind] = {
            "clicks": len(clicked),
            "long_read_share": float(np.mean(dwell >= LONG_DWELL_SECONDS)),
            "median_dwell_seconds": float(np.median(dwell)),
            "hide_rate": float(shown["hide"].mean()),
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("posts of")
