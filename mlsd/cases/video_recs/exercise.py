"""The video-recommendations exercise: six judgment tasks, their solutions, and the plausible wrong
answers each check rejects, saying why (:mod:`mlsd.exercise_tasks`).

:func:`build` draws the simulated platform from the exercise notebook's parameters, splits it and
computes everything the tasks share into an :class:`ExerciseContext`; the notebook's check cells
call ``ex.check(N, answer)`` and hold no reference answer.

Task 1 — recall@k of one list
    ``my_recall_at_k(recommended, relevant, k)`` is run on :data:`RECALL_PROBES`, lists on which
    each plausible slip (the first ``k + 1`` ids, dividing by ``min(k, |R|)`` or by ``k``, counting
    a repeated id twice) gives a different tuple of results.
Task 2 — which split flatters the model (predict, then run)
    Recall@``K`` of the most-popular list under the random and the temporal split, paired over the
    users scored under both. The rule (:func:`split_verdict`): the split with the higher recall
    when the 95% interval of random − temporal excludes 0, else ``"about the same"``.
Task 3 — ship the new model or not (decide under noise)
    ``decide(table)`` on a per-user table of recall@``K`` (columns ``current``, ``new``): ship
    only when the paired interval of new − current lies above 0 (:func:`ship_decision`). Checked
    on :func:`ship_probes`, three constructed tables on which each wrong rule (the point estimate;
    an interval excluding 0 in either direction; always ship; two separate intervals that must
    not overlap) gives a different answer, then on the real table: matrix factorisation with
    ``CURRENT_FACTORS`` against ``NEW_FACTORS`` factors.
Task 4 — the candidate mix for new users
    A pair ``(mix for all users, mix for new users)`` on a fast-growing platform; each mix is
    judged against the best one for its group (:func:`mix_verdict`): right when not measurably
    below it (paired interval of best − chosen contains 0).
Task 5 — debug a train/serve skew
    Two feature tables for the same ranking requests (:func:`skewed_features`): what the training
    pipeline computed and what the serving path logged. ``user_watches`` is skewed (a 7-day
    window online, all history offline); ``user_watch_seconds`` is large and noisy but unbiased,
    so the largest raw difference points at the wrong column while the standardized mean
    difference ``|mean(serving − training)| / sd(training)`` points at the right one.
Task 6 — review a variant: a short-video feed
    A :class:`~mlsd.design.DesignDoc` that passes :meth:`~mlsd.design.DesignDoc.review`, names the
    feed in its decision, has a budget of at most :data:`FEED_BUDGET_MS` and is retrained at least
    every :data:`FEED_RETRAIN_HOURS` (:func:`feed_problems`).
Task 7 — size the scoring fleet
    ``scoring_cores(scale)``, the cores busy scoring candidates at peak for an
    :class:`~mlsd.sizing.Assumptions`, is run on the case's scale and on :data:`SIZING_PROBES`
    (more candidates; one worker per request), and compared with :func:`mlsd.sizing.size`'s
    ``scoring_cores_at_peak`` = peak requests per second × candidates × µs per candidate / 10⁶.
    Parallel workers shorten a request's scoring time; they do not reduce the CPU it uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.video_recs.data import load_data, split, temporal_split
from mlsd.cases.video_recs.design import (FEED_BUDGET_MS, FEED_DEPENDENCIES, design_doc,
                                          feed_design_doc, scale_assumptions)
from mlsd.cases.video_recs.evaluation import per_user_metrics
from mlsd.cases.video_recs.mixes import (
    group_rows,
    best_mix,
    mix_recalls,
    mix_table,
    source_lists,
)
from mlsd.cases.video_recs.models import (
    MatrixFactorizationSource,
    PopularSource,
    recommend,
    watch_matrix,
)
from mlsd.cases.video_recs.simulate import simulate_watches
from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Retraining, entries
from mlsd.exercise_tasks import Exercise, Task, WrongAnswer
from mlsd.sizing import SECONDS_PER_DAY, size
from mlsd.uncertainty import Interval, mean_interval, paired_difference_interval
from mlsd.validation import check_int

__all__ = ["TASKS", "ExerciseContext", "build"]

N_USERS, N_VIDEOS = 500, 1_000
K = 50
"""The cut-off of every recall@k of tasks 2 and 3."""

# --- task 1 ---------------------------------------------------------------------------------------

RECALL_PROBES = (
    ([7, 3, 9, 1, 4], [3, 4, 8], 3),
    ([7, 3, 9, 4, 1], [3, 4, 8, 2, 6], 3),
    ([5, 1, 2, 8, 9], [1, 9], 4),
    ([2, 2, 6, 3], [2, 3, 7], 3),
)
"""``(recommended, relevant, k)`` lists of Task 1: the second has more relevant videos than ``k``
(a capped denominator differs from the true one), the third fewer (dividing by ``k`` differs), the
fourth repeats a video (counting it twice differs), and the ``k + 1``-th id is relevant in the
second, third and fourth."""


def recall_at_k_of_list(recommended, relevant, k) -> float:
    """``|set(recommended[:k]) ∩ set(relevant)| / |set(relevant)|``: the share of the relevant
    videos found in the first ``k``, each counted once."""
    return len(set(recommended[:k]) & set(relevant)) / len(set(relevant))


def _probe_results(function, context) -> tuple:
    return tuple(float(function(list(rec), list(rel), k)) for rec, rel, k in RECALL_PROBES)


# --- task 2 ---------------------------------------------------------------------------------------

SPLIT_OPTIONS = ("random split", "temporal split", "about the same")


def split_verdict(gap: Interval) -> str:
    """The option of :data:`SPLIT_OPTIONS` that ``gap`` (random − temporal) supports: the higher
    split when its interval excludes 0, else ``"about the same"``."""
    if not gap.excludes(0.0):
        return "about the same"
    return "random split" if gap.estimate > 0 else "temporal split"


def _choice(options):
    def outcome(answer, context):
        return answer if isinstance(answer, str) and answer in options else f"not one of {options}"
    return outcome


# --- task 3 ---------------------------------------------------------------------------------------

CURRENT_FACTORS, NEW_FACTORS = 32, 64


def ship_decision(table: pd.DataFrame) -> str:
    """``"ship"`` when the paired interval of ``new − current`` (users resampled, default seed)
    lies above 0, else ``"keep"`` (the current, cheaper model)."""
    gap = paired_difference_interval(table["current"], table["new"])
    return "ship" if gap.low > 0 else "keep"


def ship_probes() -> dict[str, pd.DataFrame]:
    """Three per-user tables (400 users, columns ``current``, ``new``) of Task 3, built so that
    each wrong rule decides differently from the right one:

    ``within noise`` — new is ahead by its point estimate (+0.004) but its interval contains 0;
    ``measurably worse`` — new is 0.03 behind, its interval below 0;
    ``paired gain`` — new is 0.02 ahead with a narrow paired interval, while the two separate
    intervals of the means overlap (users differ far more than the models do).
    """
    rng = np.random.default_rng(20240601)
    n = 400
    base = rng.uniform(0.1, 0.9, n)

    def centred(sd):
        noise = rng.normal(0.0, sd, n)
        return noise - noise.mean()

    return {
        "within noise": pd.DataFrame({"current": base, "new": base + 0.004 + centred(0.1)}),
        "measurably worse": pd.DataFrame({"current": base, "new": base - 0.03 + centred(0.1)}),
        "paired gain": pd.DataFrame({"current": base, "new": base + 0.02 + centred(0.05)}),
    }


def _decisions(decide, context) -> tuple:
    tables = [*context.ship_probes.values(), context.ship_table]
    return tuple(decide(table.copy()) for table in tables)


def _by_point_estimate(table):
    return "ship" if table["new"].mean() > table["current"].mean() else "keep"


def _either_direction(table):
    return "ship" if paired_difference_interval(table["current"], table["new"]).excludes(0.0) \
        else "keep"


def _separate_intervals(table):
    current, new = mean_interval(table["current"]), mean_interval(table["new"])
    return "ship" if new.low > current.high else "keep"


# --- task 4 ---------------------------------------------------------------------------------------

MIXES = ((150, 0, 0), (100, 50, 0), (75, 75, 0), (50, 100, 0), (0, 150, 0), (100, 0, 50),
         (50, 50, 50), (0, 100, 50))
"""The candidate mixes ``(n_popular, n_mf, n_trending)`` of Task 4, 150 candidates each."""
GROWING_NEW_USER_SHARE = 0.6
GROWING_MIN_EVENTS = 40_000
"""Task 4's platform has at least this many watches, whatever ``n_events``: at 10,000, too few new
users have a test watch to tell the mixes apart — on seeds 1-5 the best mix for everyone is then
not measurably worse for new users than theirs."""
WITHIN_NOISE = "not measurably below the best"


def mix_verdict(mix, per_user: pd.DataFrame, group: str, seed: int = 0) -> str:
    """What is true of ``mix`` for ``group`` (one of :data:`~.mixes.GROUPS`), in a few words.

    :data:`WITHIN_NOISE` when the paired interval of (best − mix) over the group's users contains
    0; otherwise, measurably worse, and why, in order: the best mix of another group (all users
    first), half or more of the candidates from matrix factorisation for new users (whose scores
    for them all tie), or simply measurably worse. Not a mix of ``per_user``: says so.
    """
    mixes = list(per_user.columns)
    chosen = _as_mix(mix)
    if chosen not in mixes:
        return "not one of the mixes"
    best = best_mix(per_user, group)
    rows = group_rows(per_user, group)
    gap = paired_difference_interval(per_user[rows][chosen], per_user[rows][best], seed=seed)
    if not gap.excludes(0.0):
        return WITHIN_NOISE
    for other in ("all users", "returning users", "new users"):
        if other != group and best_mix(per_user, other) == chosen:
            return f"the best mix for {other}, measurably worse for {group}"
    mf_share = dict(zip(per_user.attrs["sources"], chosen))["mf"] / sum(chosen)
    if group == "new users" and mf_share >= 0.5:
        return "mostly matrix factorisation, measurably worse for new users"
    return f"measurably worse for {group}"


def _mix_outcome(answer, context) -> tuple:
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return ("not a pair (mix for all users, mix for new users)",)
    return tuple(mix_verdict(mix, context.mix_per_user, group, context.seed)
                 for mix, group in zip(answer, ("all users", "new users")))


def _as_mix(answer):
    try:
        return tuple(int(count) for count in answer)
    except (TypeError, ValueError):
        return answer


def _best(group):
    return lambda context: context.mix_table[(group, "mean")].idxmax()


# --- task 5 ---------------------------------------------------------------------------------------

N_REQUESTS = 2_000
SERVING_WINDOW_DAYS = 7.0
COUNTER_ERROR = 0.1
"""The serving path's watch-seconds counter is off by a uniform ±10% on every request, as often
up as down."""
FIXES = ("log the served features and train on them", "rescale the serving value",
         "retrain more often", "drop the feature")


def skewed_features(interactions: pd.DataFrame, videos: pd.DataFrame, requests: pd.DataFrame,
                    seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Features of each ranking request ``(user_id, video_id, time)`` as the training pipeline
    computed them and as the serving path logged them, on the same rows.

    From the watches strictly before the request: ``user_watches`` (training: all of the user's
    watches; serving: those of the last :data:`SERVING_WINDOW_DAYS` days — the skew),
    ``user_watch_seconds`` (training: their total; serving: the same, read from a counter off by a
    uniform ±:data:`COUNTER_ERROR` share, drawn with ``seed`` — noise without bias),
    ``user_mean_engagement`` (0 without a watch), ``video_watches`` and ``video_age_days``
    (``time − upload_time``), the same in both.
    """
    training, serving = {}, {}
    users = _history(interactions, requests, "user_id")
    training["user_watches"] = users["count"]
    serving["user_watches"] = users["count"] - users["count_before_window"]
    training["user_watch_seconds"] = users["watch_seconds"]
    error = np.random.default_rng(seed).uniform(-COUNTER_ERROR, COUNTER_ERROR, len(requests))
    serving["user_watch_seconds"] = users["watch_seconds"] * (1 + error)
    engagement = np.divide(users["engagement"], users["count"], out=np.zeros(len(requests)),
                           where=users["count"] > 0)
    training["user_mean_engagement"] = serving["user_mean_engagement"] = engagement
    video_watches = _history(interactions, requests, "video_id")["count"]
    training["video_watches"] = serving["video_watches"] = video_watches
    upload = videos.set_index("video_id")["upload_time"]
    age = requests["time"].to_numpy() - requests["video_id"].map(upload).to_numpy()
    training["video_age_days"] = serving["video_age_days"] = age
    index = pd.RangeIndex(len(requests), name="request")
    return pd.DataFrame(training, index=index), pd.DataFrame(serving, index=index)


def _history(log: pd.DataFrame, requests: pd.DataFrame, key: str) -> dict:
    """For each request, over the log's events of its ``key`` strictly before its time: their
    count, the count before the serving window, and their summed watch seconds and engagement.

    Events are sorted by ``key · span + time`` with ``span`` longer than the log's time range and
    the window, so one ``searchsorted`` finds the events of a key before any moment."""
    times = log["time"].to_numpy(dtype=float)
    first = min(times.min(), requests["time"].min()) - SERVING_WINDOW_DAYS
    span = max(times.max(), requests["time"].max()) - first + 1.0
    keys = log[key].to_numpy() * span + (times - first)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    seconds = np.concatenate([[0.0], np.cumsum(log["watch_seconds"].to_numpy()[order])])
    engaged = np.concatenate([[0.0], np.cumsum(log["engagement"].to_numpy()[order])])
    base = requests[key].to_numpy() * span
    moment = requests["time"].to_numpy() - first
    start = np.searchsorted(keys, base, side="left")
    end = np.searchsorted(keys, base + moment, side="left")
    window = np.searchsorted(keys, base + moment - SERVING_WINDOW_DAYS, side="left")
    return {
        "count": (end - start).astype(float),
        "count_before_window": (window - start).astype(float),
        "watch_seconds": seconds[end] - seconds[start],
        "engagement": engaged[end] - engaged[start],
    }


def standardized_shift(training: pd.DataFrame, serving: pd.DataFrame) -> pd.Series:
    """Per feature, ``|mean(serving − training)| / sd(training)``: a bias in units of the
    feature's own spread, so features of any scale compare (0 for a feature computed alike)."""
    spread = training.std().replace(0.0, np.nan)
    return ((serving - training).mean().abs() / spread).fillna(0.0)


def raw_difference(training: pd.DataFrame, serving: pd.DataFrame) -> pd.Series:
    """Per feature, ``mean |serving − training|`` in the feature's own units."""
    return (serving - training).abs().mean()


def _skew_outcome(answer, context):
    features = tuple(context.training_features.columns)
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        return "not a pair (skewed_feature, fix)"
    feature, fix = answer
    if feature not in features:
        return f"{feature!r} is not one of the columns {features}"
    if fix not in FIXES:
        return f"{fix!r} is not one of the fixes"
    return (feature, fix)


def _skew_solution(context):
    shift = standardized_shift(context.training_features, context.serving_features)
    return (shift.idxmax(), FIXES[0])


# --- task 6 ---------------------------------------------------------------------------------------

FEED_RETRAIN_HOURS = 1
"""The feed's freshness: new videos and the day's swipes reach the model within the hour."""


def feed_problems(doc) -> tuple[str, ...]:
    """What a reviewer sends back on ``doc``, a design of the short-video feed, sorted: every
    finding of :meth:`~mlsd.design.DesignDoc.review` (``point: problem``), then the feed's own
    rules — the decision names the feed; the tightest :class:`~mlsd.design_review.Budget` is at
    most :data:`FEED_BUDGET_MS`; the most frequent :class:`~mlsd.design_review.Retraining` is at
    most every :data:`FEED_RETRAIN_HOURS` hours. ``()`` when there is nothing to send back."""
    if not isinstance(doc, DesignDoc):
        return (f"not a DesignDoc but a {type(doc).__name__}",)
    problems = [f"{finding.point}: {finding.problem}" for finding in doc.review().findings]
    decision = doc.decision if isinstance(doc.decision, list) else [doc.decision]
    if not any("feed" in item.lower() for item in decision if isinstance(item, str)):
        problems.append("the decision does not name the feed")
    budgets = entries(doc.serving, Budget)
    if budgets and min(b.p99_ms for b in budgets) > FEED_BUDGET_MS:
        problems.append(f"a p99 budget of {min(b.p99_ms for b in budgets):g} ms is too slow for a "
                        f"swipe (at most {FEED_BUDGET_MS} ms)")
    cadences = entries(doc.data_freshness, Retraining)
    if not cadences:
        problems.append("no Retraining entry says how fresh the model is")
    elif min(c.every_hours for c in cadences) > FEED_RETRAIN_HOURS:
        problems.append(f"retrained every {min(c.every_hours for c in cadences):g} h: new videos "
                        f"wait longer than {FEED_RETRAIN_HOURS} h")
    return tuple(sorted(problems))


def _with(doc: DesignDoc, **fields) -> DesignDoc:
    return DesignDoc.from_dict({**doc.to_dict(), **fields})


def _serving_with(dependencies) -> list:
    return ["Online per swipe.", Budget(p99_ms=FEED_BUDGET_MS), *dependencies]


def _slow_path(context):
    slow = [Dependency(d.name, p99_ms=d.p99_ms + 10, fallback=d.fallback)
            for d in FEED_DEPENDENCIES]
    return _with(feed_design_doc(), serving=_serving_with(slow))


def _no_fallback(context):
    bare = [Dependency(d.name, p99_ms=d.p99_ms, fallback="" if d.name == "ranker" else d.fallback)
            for d in FEED_DEPENDENCIES]
    return _with(feed_design_doc(), serving=_serving_with(bare))


def _ownerless_alert(context):
    doc = feed_design_doc()
    monitoring = [Alert(item.signal, item.rule) if isinstance(item, Alert)
                  and item.signal == "swipe p99 latency" else item for item in doc.monitoring]
    return _with(doc, monitoring=monitoring)


def _fast_retraining_slow_label(context):
    return _with(feed_design_doc(), data_labels=design_doc().data_labels)


# --- task 7 ---------------------------------------------------------------------------------------

SIZING_PROBES = ({"candidates": 2_000}, {"scoring_parallelism": 1})
"""Changes to the case's scale the learner's function is also run on: each wrong formula then
gives a different tuple (the case's own scale has 8 workers, which one slip divides by)."""


def _scales(context) -> tuple:
    return (context.scale, *(context.scale.replace(**change) for change in SIZING_PROBES))


def _cores_on_scales(answer, context) -> tuple:
    return tuple(float(answer(scale)) for scale in _scales(context))


def _cores_slip(formula):
    return lambda context: formula


def _peak_qps(a) -> float:
    return a.daily_users * a.requests_per_user / SECONDS_PER_DAY * a.peak_factor


# --- the context and the tasks --------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseContext:
    """What the exercise's tasks work on (``ex.context``).

    ``seed``; ``data`` (the simulated platform, :func:`~.data.load_data`) and its temporal
    ``train``/``test``; ``recall_probes`` (Task 1); ``split_recall`` (per user, recall@``k`` of
    the most-popular list under the ``temporal`` and ``random`` split) and ``split_gap`` (random −
    temporal, paired over those users); ``ship_table`` (per user, recall@``k`` of matrix
    factorisation with ``CURRENT_FACTORS`` — ``current`` — and ``NEW_FACTORS`` — ``new``) and
    ``ship_probes``; ``mixes``, ``mix_per_user`` and ``mix_table`` (Task 4's growing platform);
    ``training_features`` and ``serving_features`` (Task 5); ``scale``, the case's
    :class:`~mlsd.sizing.Assumptions` (Task 7); ``k``.
    """

    seed: int
    data: object
    train: pd.DataFrame
    test: pd.DataFrame
    k: int
    recall_probes: tuple
    split_recall: pd.DataFrame
    split_gap: Interval
    ship_table: pd.DataFrame
    ship_probes: dict
    mixes: tuple
    mix_per_user: pd.DataFrame
    mix_table: pd.DataFrame
    training_features: pd.DataFrame
    serving_features: pd.DataFrame
    scale: object


def _recall_by_user(source, train, test, k: int, seed: int) -> pd.Series:
    watched = watch_matrix(train, N_USERS, N_VIDEOS)
    recs = recommend(source.fit(watched), watched, np.unique(test["user_id"]), k)
    return per_user_metrics(recs, test, k)[f"recall@{k}"]


def _split_recall(data, seed: int) -> pd.DataFrame:
    columns = {}
    for kind in ("temporal", "random"):
        part = split(data, kind, seed=seed)
        columns[kind] = _recall_by_user(PopularSource(), part.train, part.test, K, seed)
    return pd.DataFrame(columns).dropna()


def _ship_table(train, test, seed: int) -> pd.DataFrame:
    return pd.DataFrame({
        name: _recall_by_user(MatrixFactorizationSource(factors, seed=seed), train, test, K, seed)
        for name, factors in (("current", CURRENT_FACTORS), ("new", NEW_FACTORS))
    })


def _mixes(n_events: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    growing = simulate_watches(n_users=N_USERS, n_videos=N_VIDEOS,
                               n_events=max(n_events, GROWING_MIN_EVENTS),
                               new_user_share=GROWING_NEW_USER_SHARE, seed=seed)
    train, test = temporal_split(growing.interactions)
    lists = source_lists(train, np.unique(test["user_id"]), N_USERS, N_VIDEOS, 150, seed=seed)
    per_user = mix_recalls(lists, MIXES, test, train)
    return per_user, mix_table(per_user, seed=seed)


def _requests(test: pd.DataFrame, seed: int) -> pd.DataFrame:
    n = min(N_REQUESTS, len(test))
    rows = np.sort(np.random.default_rng(seed).choice(len(test), n, replace=False))
    return test.iloc[rows][["user_id", "video_id", "time"]].reset_index(drop=True)


def _recall_slip(found, denominator):
    def slipped(recommended, relevant, k):
        return found(recommended, relevant, k) / denominator(relevant, k)
    return lambda context: slipped


def _found_once(recommended, relevant, k):
    return len(set(recommended[:k]) & set(relevant))


def _decide_with(rule):
    return lambda context: rule


def _fixed(answer):
    return lambda context: answer


def _skewed_with(fix):
    return lambda context: (_skew_solution(context)[0], fix)


TASKS = (
    Task(
        number=1, what="recall@k on ex.context.recall_probes",
        solution=lambda context: recall_at_k_of_list,
        outcome=_probe_results,
        wrong_answers=[
            WrongAnswer("one past k", _recall_slip(
                lambda rec, rel, k: len(set(rec[:k + 1]) & set(rel)), lambda rel, k: len(set(rel))),
                "your function looks at k + 1 videos: recommended[:k] already holds the first k "
                "(a slice stops before its end index), so the video at position k + 1 must not "
                "count"),
            WrongAnswer("capped denominator", _recall_slip(
                _found_once, lambda rel, k: min(k, len(set(rel))))
                , "you divided by min(k, |relevant|): that is a capped recall, a different "
                "metric that reads 1.0 whenever the k slots are all hits — it hides how much of "
                "what the user wanted is missed when they wanted more than k videos. Recall "
                "divides by every relevant video, found or not"),
            WrongAnswer("precision", _recall_slip(_found_once, lambda rel, k: k),
                        "you divided by k: that is precision@k, the share of the list that is "
                        "relevant. Recall divides by the number of relevant videos, found or "
                        "not — with fewer relevant videos than k it can still reach 1"),
            WrongAnswer("a repeat counted twice", _recall_slip(
                lambda rec, rel, k: sum(video in set(rel) for video in rec[:k]),
                lambda rel, k: len(set(rel))),
                "you counted a video that appears twice in the list twice: recall counts each "
                "relevant video found once (intersect the sets), else a list that repeats one "
                "hit scores more than it found"),
        ],
        hint="per probe: the relevant videos among the first k recommended, each counted once, "
             "divided by the number of relevant videos",
        why_right="Recall@k asks how much of what the user went on to watch the first k "
                  "candidates hold — the candidate stage's question, since the ranker can only "
                  "reorder what it is given.",
    ),
    Task(
        number=2, what="the split that flatters the most-popular list",
        solution=lambda context: split_verdict(context.split_gap),
        outcome=_choice(SPLIT_OPTIONS),
        wrong_answers=[
            WrongAnswer("the honest split", _fixed("temporal split"),
                        "under a random split the training watches include each user's watches "
                        "made after the held-out ones — and the test period's new hits, which "
                        "the popularity counts then already hold. The temporal split keeps the "
                        "future out of training, as production will"),
            WrongAnswer("within noise", _fixed("about the same"),
                        "the interval of random − temporal above excludes 0: the gap is "
                        "measurable, not noise. A random split trains on each user's future, and "
                        "the popular list counts the test period's hits before it is asked to "
                        "find them"),
        ],
        hint=f"answer with one of {SPLIT_OPTIONS}: read the interval of random − temporal — "
             "which way does it point, and does it contain 0?",
        why_right="A random split trains on each user's future: the popular list already counts "
                  "the test period's hits, videos uploaded late included, so its recall is "
                  "inflated. Report the temporal split: it is the number production will see.",
        shows_expected=False,
    ),
    Task(
        number=3, what="ship decisions (within noise, measurably worse, paired gain, the real "
                       "table)",
        solution=lambda context: ship_decision,
        outcome=_decisions,
        wrong_answers=[
            WrongAnswer("the point estimate", _decide_with(_by_point_estimate),
                        "you ship whenever the new model's mean is higher: in the 'within noise' "
                        "table it leads by 0.004 but the interval contains 0 — a lead the next "
                        "sample could reverse; shipping on noise adds cost and risk for no "
                        "measured gain"),
            WrongAnswer("either direction", _decide_with(_either_direction),
                        "you ship whenever the interval excludes 0 — also when it lies below 0, "
                        "as in the 'measurably worse' table, where the new model loses. Ship only "
                        "when the interval lies above 0"),
            WrongAnswer("always the bigger model", _decide_with(lambda table: "ship"),
                        "you ship in every table: a bigger model is not a better one until the "
                        "data say so, and it costs more to train and to serve"),
            WrongAnswer("separate intervals", _decide_with(_separate_intervals),
                        "you ship only when the two models' own intervals do not overlap: in the "
                        "'paired gain' table they overlap because users differ far more than "
                        "the models do, yet the paired interval of new − current (the same users "
                        "resampled once for both) lies above 0. Compare on the same users"),
        ],
        hint="return 'ship' or 'keep' for a table: compute "
             "paired_difference_interval(table['current'], table['new']) and ship only when its "
             "low end is above 0",
        why_right="Ship only on a measurable gain: a paired interval over the same users, above "
                  "0. Otherwise keep the current, cheaper model.",
        shows_expected=False,
    ),
    Task(
        number=4, what="the candidate mixes (for all users, for new users)",
        solution=lambda context: (_best("all users")(context), _best("new users")(context)),
        outcome=_mix_outcome,
        wrong_answers=[
            WrongAnswer("everyone's best for new users",
                        lambda context: (_best("all users")(context),) * 2,
                        "you gave new users the mix that is best for everyone: most users have a "
                        "history, so everyone's recall rewards the personalised source, but a new "
                        "user has none — choose on the new users' rows"),
            WrongAnswer("new users' best for everyone",
                        lambda context: (_best("new users")(context),) * 2,
                        "you gave everyone the new users' mix: it under-serves the returning "
                        "users, most of the test users, whose history matrix factorisation can "
                        "use"),
            WrongAnswer("all matrix factorisation", _fixed(((0, 150, 0), (0, 150, 0))),
                        "all from matrix factorisation: at equal length it misses what the popular "
                        "list finds for everyone, and a user without history gets scores that all "
                        "tie — for them its candidates are a random draw"),
            WrongAnswer("swapped", lambda context: (_best("new users")(context),
                                                    _best("all users")(context)),
                        "the two mixes are swapped: the popular-heavy mix serves users without a "
                        "history, the personalised one those with one"),
        ],
        hint="for each group, compare the mixes on that group's rows only (the table's new-users "
             "columns for new users); a mix whose interval overlaps the best one's is fine",
        why_right="A mix chosen on everyone's recall serves the majority, users with a history; "
                  "new users need the sources that do not need one. Judge each choice on the "
                  "users it serves.",
        shows_expected=False,
    ),
    Task(
        number=5, what="the skewed feature and its fix",
        solution=_skew_solution,
        outcome=_skew_outcome,
        wrong_answers=[
            WrongAnswer("the largest raw difference", lambda context: (
                raw_difference(context.training_features, context.serving_features).idxmax(),
                FIXES[0]),
                "that column has the largest raw difference only because it counts seconds, "
                "thousands per user: its differences go both ways and cancel (a noisy counter, "
                "no bias). Compare features on a scale-free measure: the mean difference in units "
                "of the feature's own spread"),
            WrongAnswer("video_age_days", _fixed(("video_age_days", FIXES[0])),
                        "video_age_days is computed alike in both paths: its difference is 0 on "
                        "every request"),
            WrongAnswer("video_watches", _fixed(("video_watches", FIXES[0])),
                        "video_watches is computed alike in both paths: its difference is 0 on "
                        "every request"),
            WrongAnswer("rescale", _skewed_with("rescale the serving value"),
                        "a 7-day count is not a fixed fraction of an all-history count: the "
                        "ratio differs from user to user (1 for a user who joined this week), so "
                        "no single factor fixes it"),
            WrongAnswer("retrain", _skewed_with("retrain more often"),
                        "retraining does not change how the feature is computed: the model still "
                        "learns on one definition and is served the other"),
            WrongAnswer("drop", _skewed_with("drop the feature"),
                        "dropping it throws away a useful signal: the bug is the two definitions, "
                        "not the feature"),
        ],
        hint="per column, divide the mean of (serving − training) by the training column's "
             "standard deviation; the fix must make both paths compute the same thing, and is "
             f"one of {FIXES}",
        why_right="A bias in a feature's own units of spread finds the skew whatever the scale; "
                  "logging the served features and training on them makes the two definitions one.",
        shows_expected=False,
    ),
    Task(
        number=6, what="what a reviewer sends back on feed_doc",
        solution=lambda context: feed_design_doc(),
        outcome=lambda answer, context: feed_problems(answer),
        wrong_answers=[
            WrongAnswer("the home page unchanged", lambda context: design_doc(),
                        "that is the home page's design: a feed decides after every swipe, so its "
                        "decision, its latency budget and its freshness all differ"),
            WrongAnswer("a placeholder decision", lambda context: _with(
                feed_design_doc(), decision=["No feed at all, TODO", Kind("ranking")]),
                "a decision that says TODO is a placeholder, not a decision: nobody can check "
                "the metrics or the budget against it"),
            WrongAnswer("a path over budget", _slow_path,
                        "the dependencies' p99s add up to more than the budget: called one after "
                        "another they can all be slow on the same swipe — cut a stage, run them "
                        "in parallel, or measure the whole path"),
            WrongAnswer("a dependency without fallback", _no_fallback,
                        "a dependency has no fallback: when it times out, the swipe still needs a "
                        "next video — name what is served without it"),
            WrongAnswer("an alert without owner", _ownerless_alert,
                        "an alert without an owner wakes nobody: name who acts on it"),
            WrongAnswer("the home page's slow label", _fast_retraining_slow_label,
                        "the model is updated every 15 minutes but learns from the home page's "
                        "label, which takes 2 h to arrive: each update trains on rows whose "
                        "labels are not in yet — use a label that arrives within minutes"),
        ],
        hint="read feed_doc.review() and fix each finding; then the feed's own rules: the "
             f"decision names the feed, a Budget of at most {FEED_BUDGET_MS} ms, a Retraining "
             f"entry of at most {FEED_RETRAIN_HOURS} h",
        why_right="Nothing to send back: the feed's budget fits its dependencies, each has a "
                  "fallback, every alert an owner, and its labels arrive before each update.",
    ),
    Task(
        number=7, what="scoring cores at peak (the case's scale, 2,000 candidates, one worker)",
        solution=lambda context: (lambda scale: size(scale).scoring_cores_at_peak),
        outcome=_cores_on_scales, rel=1e-6,
        wrong_answers=[
            WrongAnswer("the mean load", _cores_slip(
                lambda a: a.daily_users * a.requests_per_user / SECONDS_PER_DAY * a.candidates
                * a.scoring_us / 1e6),
                "you sized for the mean load: the fleet must carry the peak, peak_factor times "
                "the daily mean, or it falls over every evening"),
            WrongAnswer("divided by the workers", _cores_slip(
                lambda a: _peak_qps(a) * a.candidates * a.scoring_us / 1e6 / a.scoring_parallelism),
                "you divided by scoring_parallelism: spreading one request's candidates over 8 "
                "workers makes the request 8 times faster, not cheaper — the same CPU-seconds are "
                "spent, on 8 cores at once"),
            WrongAnswer("microseconds as milliseconds", _cores_slip(
                lambda a: _peak_qps(a) * a.candidates * a.scoring_us / 1e3),
                "scoring_us is in microseconds: a core does 10⁶ of them a second, so divide by "
                "10⁶, not 10³"),
            WrongAnswer("one score per request", _cores_slip(
                lambda a: _peak_qps(a) * a.scoring_us / 1e6),
                "every request scores all its candidates, not one: multiply by candidates"),
        ],
        hint="cores = (requests per second at peak) × (CPU-seconds of scoring per request); "
             "requests per second at peak = daily_users × requests_per_user / 86,400 × "
             "peak_factor",
        why_right="Peak load times the CPU one request's scoring costs: that many cores are busy "
                  "at the evening peak. Workers per request buy latency, not capacity.",
    ),
)


def build(seed: int = 5, n_events: int = 40_000) -> Exercise:
    """The exercise on a simulated platform of 500 users, 1,000 videos and ``n_events`` watches
    drawn with ``seed`` (the notebook's parameters); records the data it used."""
    seed = check_int("seed", seed, 0)
    n_events = check_int("n_events", n_events, 1)
    data = load_data("simulated", seed=seed, n_users=N_USERS, n_videos=N_VIDEOS,
                     n_events=n_events)
    data.record()
    held_out = split(data)
    split_recall = _split_recall(data, seed)
    per_user, table = _mixes(n_events, seed)
    training, serving = skewed_features(data.table, data.world.videos,
                                        _requests(held_out.test, seed), seed=seed)
    context = ExerciseContext(
        seed=seed, data=data, train=held_out.train, test=held_out.test, k=K,
        recall_probes=RECALL_PROBES,
        split_recall=split_recall,
        split_gap=paired_difference_interval(split_recall["temporal"], split_recall["random"],
                                             seed=seed),
        ship_table=_ship_table(held_out.train, held_out.test, seed),
        ship_probes=ship_probes(),
        mixes=MIXES, mix_per_user=per_user, mix_table=table,
        training_features=training, serving_features=serving, scale=scale_assumptions(),
    )
    return Exercise(TASKS, context)
