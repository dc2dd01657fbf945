"""The feed case's explorer for the gallery, on a small simulated feed.

- **Value model** (:class:`mlsd.explore.ValueModelExplorer`): the feed of ``n_feed_impressions``
  simulated impressions (:func:`~.data.load_data`, every other size at its default), split by
  day (:func:`~.data.split`: days 0–4 train, 5–6 test). The heads (:class:`~.models.HeadModels`)
  are fit on the training days and predict every test row as if shown in the top slot
  (``serve_position=1``, as the ranker serves). Each test session's shown posts are re-ordered by
  ``score = Σ_h w_h p_h``, starting at :data:`~.evaluation.DEFAULT_WEIGHTS`, and the feed they
  make is measured on the simulator's truth: expected actions ``Σ_rows e(slot) · true_<head>``
  per session with ``e(k) = k ** -examination_decay``, and the creator shares of the top slots
  by followers, as :func:`~.evaluation.feed_metrics` counts them.

Why the trained heads and not the truth: the tab then shows what the case's own model earns, the
weights acting on imperfect, slot-1 probabilities, and fitting them is cheap at the gallery's
sizes: the whole tab takes 0.9–1.4 s at the default 50,000 impressions on seeds 1–5, of which
about 0.5 s fits the six heads and predicts the test days (the simulation takes as long).

No latency tab: the feed's funnel (:func:`~.serving.funnel_stages`) teaches what the video tab's
already does, with the same explorer and the same 200 ms budget — the default meets it at p99
(163–167 ms on seeds 1–5, video 186–190 ms) and doubling the heavy ranker's posts misses it
(248–251 ms, video 292–298 ms). Its extra stages (the feature fetch, a light first pass) are
cheap per post and change neither answer.

The simulator, the heads and the explorer are imported inside the functions that use them: with the
gallery's cache filled, ``mlsd explore`` reads the inputs from it without importing scikit-learn.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import mlsd.explore as explorers
from mlsd.cases.contract import SIMULATED, ExplorerTab
from mlsd.explore.cache import cached_inputs
from mlsd.validation import check_int

MIN_FEED_IMPRESSIONS = 20_000
"""The smallest feed the tab accepts: its trained rows then hold a dozen or more positives of the
rarest head (share or comment) on seeds 1–5; far fewer and a head may have no positive to fit."""
SERVE_POSITION = 1
"""The slot every test row is scored in (:meth:`~.models.HeadModels.predict`)."""


def gallery_tabs(seed: int = 7, n_feed_impressions: int = 50_000) -> list[ExplorerTab]:
    """The value-model tab (see the module docstring); its start numbers are the snapshot at
    :data:`~.evaluation.DEFAULT_WEIGHTS`, named ``value_<number>`` for each of
    :data:`~mlsd.explore.value_model.SNAPSHOT_NUMBERS`."""
    seed = check_int("seed", seed, 0)
    n_feed_impressions = check_int("n_feed_impressions", n_feed_impressions, MIN_FEED_IMPRESSIONS)
    inputs = value_model_inputs(seed, n_feed_impressions)
    return [
        ExplorerTab(
            "Value model",
            "Feed ranking: each session's posts are ordered by the heads' predicted probabilities, "
            "weighted and summed. Move the hide weight (or click a slider and use the arrow keys) "
            "and watch expected hides and viral actions per session move along the frontier; "
            "then change the share weight and see who gets the top slots.",
            lambda: _value_model(inputs),
            _value_start,
        )
    ]


def _value_model(inputs: dict):
    from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS

    return explorers.ValueModelExplorer(**inputs, weights=DEFAULT_WEIGHTS)


def _value_start(explorer) -> dict[str, float]:
    from mlsd.explore.value_model import SNAPSHOT_NUMBERS

    start = explorer.state.snapshot()
    return {f"value_{name}": getattr(start, name) for name in SNAPSHOT_NUMBERS}


@cached_inputs
def value_model_inputs(seed: int, n_feed_impressions: int) -> dict:
    """The explorer's inputs on the test days (:func:`explorer_inputs`) with the heads'
    predictions at :data:`SERVE_POSITION`."""
    from mlsd.cases.feed_ranking.data import load_data, split
    from mlsd.cases.feed_ranking.models import HeadModels

    data = load_data(SIMULATED, seed=seed, n_impressions=n_feed_impressions)
    held_out = split(data)
    predictions = HeadModels(seed=seed).fit(held_out.train).predict(
        held_out.test, serve_position=SERVE_POSITION
    )
    return explorer_inputs(data.world, held_out.test, predictions)


def explorer_inputs(world, rows: pd.DataFrame, predictions: pd.DataFrame) -> dict:
    """The keyword arguments of :class:`mlsd.explore.ValueModelExplorer` for the simulated
    ``rows`` of ``world`` ordered by ``predictions`` (a frame of head probabilities indexed like
    ``rows``): the position-free truth, sessions, examination ``k ** -decay`` over every slot,
    creators and their followers. ``world`` is the simulator's
    :class:`~.simulate.FeedWorld`."""
    from mlsd.cases.feed_ranking.evaluation import truth_predictions

    slots = int(rows.groupby("session_id").size().max())
    return {
        "predictions": predictions,
        "truth": truth_predictions(rows, given_examination=True),
        "sessions": rows["session_id"].to_numpy(),
        "examination": np.arange(1, slots + 1) ** -world.parameters["examination_decay"],
        "creators": rows["creator_id"].to_numpy(),
        "creator_size": world.creators.set_index("creator_id")["followers"],
    }


def value_model_explorer(world, rows: pd.DataFrame, predictions: pd.DataFrame,
                         weights: dict[str, float] | None = None):
    """The :class:`mlsd.explore.ValueModelExplorer` on ``rows`` (:func:`explorer_inputs`),
    starting at ``weights`` (default :data:`~.evaluation.DEFAULT_WEIGHTS`): what a notebook shows
    for its own test rows and heads."""
    from mlsd.cases.feed_ranking.evaluation import DEFAULT_WEIGHTS

    return explorers.ValueModelExplorer(**explorer_inputs(world, rows, predictions),
                                        weights=DEFAULT_WEIGHTS if weights is None else weights)
