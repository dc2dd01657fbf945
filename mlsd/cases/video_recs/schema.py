"""The one table every video-recommendation source is mapped onto: interactions.

Simulated watch logs and real rating files (MovieLens) both become a DataFrame with these columns,
one row per (user, video) event, so every notebook cell works on either source:

``user_id``      int64, dense codes 0 … n_users − 1
``video_id``     int64, dense codes 0 … n_videos − 1
``time``         float64, days since the first event of the table
``engagement``   float64 in [0, 1]: how much the user valued the video — the share watched in the
                 simulator, rating / maximum rating for MovieLens

Rows are sorted by ``time`` (ties keep their source order). Source-specific extra columns may
follow (``watch_seconds`` in the simulator, ``rating`` for MovieLens). Whether an event counts as
*relevant* for ranking metrics is a separate, documented choice: :func:`relevant`, the case's
label rule, at a threshold the notebooks name with :data:`RELEVANCE`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from mlsd.cases.contract import check_columns_and_codes
from mlsd.validation import check_choice, check_number

COLUMNS = ("user_id", "video_id", "time", "engagement")
SIZE_COLUMNS = {"users": "user_id", "items": "video_id"}
"""The columns whose distinct values a loaded table's sizes count."""
LABEL_RULE = "relevant"
"""The function of this module that turns a row into the label ranking metrics score."""
RELEVANT_ENGAGEMENT = 0.8
RELEVANCE = {"liked": RELEVANT_ENGAGEMENT, "any": 0.0}
"""The named relevance rules of the notebooks' ``relevance`` parameter, each an engagement threshold.

``"liked"`` (the default): engagement >= 0.8 — a MovieLens rating of 4 or 5 stars, or watching at
least 80% of a simulated video. ``"any"``: every held-out event, whatever its rating — the protocol
of the published MovieLens-100k tables (microsoft/recommenders; ``datasets/movielens.md``), which
treat "rated the movie at all" as the implicit signal to predict.
"""


def relevance_threshold(relevance: str) -> float:
    """The engagement threshold of the named rule in :data:`RELEVANCE`."""
    check_choice("relevance", relevance, tuple(RELEVANCE))
    return RELEVANCE[relevance]


def relevant(interactions: pd.DataFrame, threshold: float = RELEVANT_ENGAGEMENT) -> np.ndarray:
    """Events that count as relevant: ``engagement >= threshold``, with ``threshold`` in [0, 1].

    At the default 0.8 that is a MovieLens rating of 4 or 5 out of 5 — a convention common in
    published MovieLens top-k tables — or watching at least 80% of a simulated video; at 0 every
    event counts (:data:`RELEVANCE`).
    """
    check_number("threshold", threshold, 0, 1)
    return interactions["engagement"].to_numpy() >= threshold


def check_table(interactions: pd.DataFrame, source: str = "interactions") -> pd.DataFrame:
    """Return ``interactions`` unchanged if it follows the schema, else raise one ValueError that
    names ``source`` and the first rule broken."""
    check_columns_and_codes(interactions, COLUMNS, ("user_id", "video_id"), source)
    engagement = interactions["engagement"].to_numpy()
    if len(engagement) and not ((engagement >= 0) & (engagement <= 1)).all():
        raise ValueError(f"{source}: engagement must lie in [0, 1]")
    if not interactions["time"].is_monotonic_increasing:
        raise ValueError(f"{source}: rows must be sorted by time")
    return interactions
