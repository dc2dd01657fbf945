"""The rental-search exercise: six judgment tasks, each with its solution and the plausible wrong
answers its check rejects, saying why (:mod:`mlsd.exercise_tasks`).

:func:`build` draws the simulated marketplace of the notebook's parameters, splits it by day (the
last week tests), fits a pointwise GBDT on the training days and computes what the tasks share
into a :class:`Context`. The reference answers live here, never in the notebook's check cells.

Task 1 — gains from business values
    :data:`BUSINESS_VALUES` in dollars, the booking's the commission on the mean booked stay of
    the log (:func:`booking_value`). The gains (:func:`gains_from_values`): each grade's value
    over the booking's, so a booking gains 1 and a rejection its cost as a negative share. NDCG
    does not change when every gain is multiplied by the same positive number, so the check
    compares answers divided by their booking gain.
Task 2 — position bias from the randomised searches
    ``CTR_5 / CTR_1`` over the ``random_order`` rows of the whole log (:func:`examination_ratio`):
    in a random order the position says nothing about the listing, so the ratio of click rates
    is the ratio of examinations ``e(5) / e(1)``.
Task 3 — a cold-start boost under an NDCG budget
    The pointwise GBDT's test scores plus ``b × sd(score)`` for the listings without a review,
    for each ``b`` of :data:`BOOSTS` (:func:`boost_table`): the true NDCG@10 lost against ``b =
    0`` and the share of the top-10 slots the new listings get. The answer
    (:func:`largest_boost_within`): the largest boost whose loss is at most :data:`NDCG_BUDGET`.
Task 4 — leakage in Expedia's columns
    The Kaggle 2013 training columns (:data:`~.expedia.KAGGLE_COLUMNS`): those not known when the
    results are served are the ones the competition's test file lacks,
    :data:`~.expedia.KAGGLE_TEST_ONLY_MISSING` — the logged position, the click, the booking and
    its value.
Task 5 — NDCG@5 of one search by hand
    The grades of one test search in the order shown (:func:`hand_search`: the first with a
    booking below position 1 and a rejection and a click in the top five), gains
    :data:`~.schema.GAINS` with the rejection counted as 0, the case's offline convention
    (:func:`~.evaluation.offline_gain`): ``Σ_{r<=5} g_r / log2(1 + r)`` over the same of the
    search's gains sorted.
Task 6 — guest intent or a booking (predict, then run)
    Two orders of the test searches on the simulator's truth: by the guest's chance to request,
    ``true_request``, and by the chance the stay is booked, ``true_request × true_accept``
    (:func:`two_sided_table`: bookings and rejections per search, :func:`~.evaluation
    .expected_outcomes`). The rule (:func:`two_sided_verdict`): each of the two measures is
    "more", "fewer" or, within :data:`SAME_CHANGE` of the first order's (relative), "as many".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.rental_search.data import load_data, split
from mlsd.cases.rental_search.evaluation import (
    K,
    expected_gain,
    expected_outcomes,
    ndcg,
    rank_within_search,
)
from mlsd.cases.rental_search.expedia import KAGGLE_COLUMNS, KAGGLE_TEST_ONLY_MISSING
from mlsd.cases.rental_search.models import PointwiseGBDT
from mlsd.cases.rental_search.schema import GAINS, GRADES, check_gains, grades
from mlsd.exercise_tasks import Exercise, Task, WrongAnswer
from mlsd.validation import check_int

__all__ = ["TASKS", "Context", "booking_value", "boost_table", "build", "examination_ratio",
           "gains_from_values", "hand_ndcg", "hand_search", "largest_boost_within",
           "two_sided_table", "two_sided_verdict"]

COMMISSION = 0.15
"""The platform's share of a booked stay's price."""
BUSINESS_VALUES = {"rejected": -15.0, "long_click": 0.7, "click": 0.35, "viewed": 0.0}
"""Task 1's dollar value of each grade but the booking's (:func:`booking_value`): a rejected
request costs support time and a guest who may not come back; a long click and a click are worth
the later bookings they lead to."""
EXAMINED_POSITION = 5
"""Task 2's position, compared with position 1."""
BOOSTS = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
"""Task 3's boosts of a listing without reviews, in standard deviations of the ranker's score."""
NDCG_BUDGET = 0.01
"""Task 3's budget: the true NDCG@10 the boost may cost today."""
TREES = 60
HAND_K = 5
"""Task 5's cut-off."""
SAME_CHANGE = 0.005
"""Task 6: a relative change within this is "as many"."""
TWO_SIDED_OPTIONS = tuple(f"{b} bookings, {r} rejections" for b in ("more", "as many", "fewer")
                          for r in ("more", "as many", "fewer"))
OBJECTIVES = {"by P(request)": "true_request", "by P(request) × P(accept)": "true_book"}


@dataclass(frozen=True)
class Context:
    """What the exercise's tasks work on (``ex.context``).

    ``log``: every shown listing; ``test``: the test days' rows; ``values``: Task 1's dollar
    value of every grade; ``boosts``: Task 3's table (one row per boost: ``ndcg_loss``,
    ``new_share``); ``kaggle_columns``: Task 4's columns; ``hand``: Task 5's search (its grades in
    the order shown, ``position`` and ``grade``); ``gains``: the case's gains; ``two_sided``:
    Task 6's table (one row per order: ``bookings``, ``rejections`` per search).
    """

    seed: int
    log: pd.DataFrame
    test: pd.DataFrame
    values: dict
    boosts: pd.DataFrame
    kaggle_columns: tuple
    hand: pd.DataFrame
    gains: dict
    two_sided: pd.DataFrame


def build(seed: int = 2, n_searches: int = 30_000) -> Exercise:
    """The exercise on the simulated marketplace of ``seed`` and ``n_searches`` over 28 days
    (records the data it used)."""
    seed = check_int("seed", seed, 0)
    n_searches = check_int("n_searches", n_searches, 1)
    data = load_data("simulated", seed=seed, n_searches=n_searches)
    data.record()
    held_out = split(data)
    test = held_out.test
    score = PointwiseGBDT(n_trees=TREES, seed=seed).fit(held_out.train).predict(test)
    decay = data.world.parameters["examination_decay"]
    context = Context(
        seed=seed, log=data.table, test=test,
        values={"booked": booking_value(data.table), **BUSINESS_VALUES},
        boosts=boost_table(test, score), kaggle_columns=KAGGLE_COLUMNS,
        hand=hand_search(test), gains=dict(GAINS), two_sided=two_sided_table(test, decay),
    )
    return Exercise(TASKS, context)


def _options(name: str, options):
    def outcome(answer, context) -> str:
        if answer not in options:
            allowed = ", ".join(map(repr, options))
            raise ValueError(f"{name} must be one of {allowed}; got {answer!r}")
        return answer
    return outcome


# --- Task 1: gains from business values -----------------------------------------------------------


def booking_value(log: pd.DataFrame) -> float:
    """The platform's dollars from a booking: :data:`COMMISSION` of the mean ``price × nights``
    of the booked rows, rounded to the cent."""
    booked = log[log["booked"].to_numpy() == 1]
    stay = booked["price"].to_numpy(dtype=float) * booked["nights"].to_numpy(dtype=float)
    return round(COMMISSION * float(stay.mean()), 2)


def gains_from_values(values: dict) -> dict[str, float]:
    """Each grade's gain: its dollar value over the booking's (a booking gains 1)."""
    return {grade: values[grade] / values["booked"] for grade in GRADES}


def _gains_outcome(answer, context) -> dict[str, float]:
    if not isinstance(answer, dict):
        raise ValueError(f"gains must be a dict of grade to gain; got {type(answer).__name__}")
    gains = check_gains(answer)
    if gains["booked"] <= 0:
        raise ValueError(f"gains['booked'] must be positive, the best outcome; got "
                         f"{gains['booked']!r}")
    return {grade: round(gain / gains["booked"], 9) for grade, gain in gains.items()}


def _scaled(context, **changes) -> dict[str, float]:
    return {**gains_from_values(context.values), **changes}


GAINS_TASK = Task(
    number=1, what="gains of the grades", solution=lambda c: gains_from_values(c.values),
    outcome=_gains_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("the rejection clipped to 0", lambda c: _scaled(c, rejected=0.0),
                    "a rejection is not a view: it costs support time and a guest who may not "
                    "come back, a loss the ranker must learn to avoid. Its gain is its cost as a "
                    "share of a booking's value, negative"),
        WrongAnswer("a request as a good sign",
                    lambda c: _scaled(c, rejected=-c.values["rejected"] / c.values["booked"]),
                    "the guest wanted the stay, but the host said no: the business lost money on "
                    "it. The cost enters with its sign"),
        WrongAnswer("Expedia's competition grades",
                    lambda c: {"booked": 5.0, "rejected": 1.0, "long_click": 1.0, "click": 1.0,
                               "viewed": 0.0},
                    "5 for a booking and 1 for a click make a click worth a fifth of a booking; "
                    "the business values say a click is worth about a hundredth. Divide each "
                    "value by the booking's"),
        WrongAnswer("the long click counted on top of the click",
                    lambda c: _scaled(c, long_click=(c.values["long_click"] + c.values["click"])
                                      / c.values["booked"]),
                    "each row has one grade, its best outcome: a long click's value already "
                    "includes the click it began with"),
    ],
    hint="divide each grade's dollar value by the booking's; a cost is a negative value",
    why_right="Only the ratios matter (NDCG ignores a common scale): a booking is worth about a "
              "hundred clicks, and a rejection costs almost half a booking — the gains Airbnb's "
              "talks describe.",
)


# --- Task 2: position bias from the randomised searches -------------------------------------------


def examination_ratio(log: pd.DataFrame, position: int = EXAMINED_POSITION) -> float:
    """``CTR_position / CTR_1`` over the ``random_order`` rows of ``log``."""
    return _ctr_ratio(log[log["random_order"].to_numpy(dtype=bool)], position)


def _ctr_ratio(rows: pd.DataFrame, position: int, outcome: str = "click") -> float:
    ctr = rows.groupby(rows["position"].to_numpy(dtype=np.int64))[outcome].mean()
    return float(ctr.loc[position] / ctr.loc[1])


def _ratio_outcome(answer, context) -> float:
    if isinstance(answer, (bool, np.bool_)) or not isinstance(answer, (int, float, np.number)):
        raise ValueError(f"the answer must be a number; got {answer!r}")
    return float(answer)


EXAMINATION_TASK = Task(
    number=2, what=f"examination of position {EXAMINED_POSITION} relative to position 1",
    solution=lambda c: examination_ratio(c.log), outcome=_ratio_outcome, rel=1e-9,
    wrong_answers=[
        WrongAnswer("the policy's searches",
                    lambda c: _ctr_ratio(c.log[~c.log["random_order"]], EXAMINED_POSITION),
                    "in the policy's searches the listing on top is the one the old ranker liked "
                    "best: their click rate falls with the position for two reasons, examination "
                    "and relevance. Only in random order is the listing independent of its "
                    "place"),
        WrongAnswer("every search", lambda c: _ctr_ratio(c.log, EXAMINED_POSITION),
                    "95% of the searches are the policy's, whose relevance falls with the "
                    "position too: keep the random_order rows only"),
        WrongAnswer("upside down", lambda c: 1 / examination_ratio(c.log),
                    "that is CTR_1 / CTR_5: the examination of a lower position relative to the "
                    "top is at most 1"),
        WrongAnswer("the booking rates",
                    lambda c: _ctr_ratio(c.log[c.log["random_order"]], EXAMINED_POSITION,
                                         "booked"),
                    "bookings are few and a guest books once: a listing lower down is booked "
                    "only if no listing above it was, so its booking rate falls for more than "
                    "examination. Clicks are made on every examined listing"),
    ],
    hint="keep the rows with random_order; the click-through rate at position 5 over that at "
         "position 1",
    why_right="A ranker trained on logged clicks learns this examination as if it were "
              "relevance; the randomised share of the traffic is what measures it (the "
              "simulator's truth is 5 ** −0.7 ≈ 0.32).",
)


# --- Task 3: a cold-start boost under an NDCG budget ----------------------------------------------


def boost_table(test: pd.DataFrame, score: np.ndarray, boosts=BOOSTS, k: int = K) -> pd.DataFrame:
    """One row per boost ``b``: the true NDCG@k of ``score + b × sd(score)`` on the listings
    without a review (``ndcg``), its loss against ``b = 0`` (``ndcg_loss``) and the share of the
    top-k slots held by listings without a review (``new_share``), indexed by ``boost``."""
    search = test["search_id"].to_numpy()
    new = test["review_count"].fillna(0).to_numpy() == 0
    truth = expected_gain(test)
    spread = float(np.std(score))
    rows = {}
    for boost in boosts:
        boosted = score + boost * spread * new
        rank = rank_within_search(search, boosted)
        rows[boost] = {"ndcg": ndcg(truth, boosted, search, k),
                       "new_share": float(new[rank <= k].mean())}
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("boost")
    table.insert(1, "ndcg_loss", table["ndcg"].iloc[0] - table["ndcg"])
    return table


def largest_boost_within(table: pd.DataFrame, budget: float = NDCG_BUDGET) -> float:
    """The largest boost whose ``ndcg_loss`` is at most ``budget`` (Task 3)."""
    allowed = table[table["ndcg_loss"] <= budget]
    if allowed.empty:
        raise ValueError(f"no boost loses at most {budget:g} of true NDCG")
    return float(allowed.index.max())


def _boost_outcome(answer, context) -> float:
    if isinstance(answer, (bool, np.bool_)) or answer not in tuple(context.boosts.index):
        raise ValueError(f"boost must be one of {list(context.boosts.index)}; got {answer!r}")
    return float(answer)


def _first_over_budget(context) -> float:
    over = context.boosts[context.boosts["ndcg_loss"] > NDCG_BUDGET]
    return float(over.index.min()) if len(over) else float("nan")


BOOST_TASK = Task(
    number=3, what="cold-start boost", solution=lambda c: largest_boost_within(c.boosts),
    outcome=_boost_outcome, shows_expected=False,
    wrong_answers=[
        WrongAnswer("no boost", lambda c: 0.0,
                    "no boost costs nothing today, but listings without reviews stay at the "
                    "bottom, never get a booking, so never a review: the budget is there to buy "
                    "them exposure"),
        WrongAnswer("the most exposure", lambda c: float(c.boosts.index.max()),
                    "the largest boost gives new listings the most slots and costs more true "
                    "NDCG than the budget allows: guests see worse results today"),
        WrongAnswer("the first boost over the budget", _first_over_budget,
                    "that boost already costs more than 0.01 of true NDCG: a budget is a "
                    "ceiling, and the boost must stay at or below it"),
    ],
    hint="keep the boosts whose ndcg_loss is at most 0.01, then take the largest",
    why_right="A boost is an exploration cost paid in today's NDCG for tomorrow's reviews; the "
              "budget caps what guests lose, and within it more exposure is better.",
)


# --- Task 4: leakage in Expedia's columns ---------------------------------------------------------


def _columns_outcome(answer, context) -> set[str]:
    columns = set(answer) if isinstance(answer, (set, frozenset, list, tuple)) else None
    if columns is None or not columns <= set(context.kaggle_columns):
        raise ValueError(f"leaky must be a set of the Kaggle columns; got {answer!r:.80}")
    return columns


LEAKAGE_TASK = Task(
    number=4, what="columns not known at serving time",
    solution=lambda c: set(KAGGLE_TEST_ONLY_MISSING), outcome=_columns_outcome,
    shows_expected=False,
    wrong_answers=[
        WrongAnswer("the booking's value only", lambda c: {"gross_bookings_usd"},
                    "the click and the booking are the outcomes themselves, and the logged "
                    "position is the old ranker's decision, made after the features are read: "
                    "none of them exists when the new ranker scores the results"),
        WrongAnswer("the labels only", lambda c: {"click_bool", "booking_bool"},
                    "gross_bookings_usd is non-zero exactly when the row was booked — the label "
                    "in disguise — and the logged position is the old ranker's output, which a "
                    "new ranker cannot read before it ranks"),
        WrongAnswer("the outcomes, not the position",
                    lambda c: {"click_bool", "booking_bool", "gross_bookings_usd"},
                    "the logged position is the old ranker's order: a model that reads it learns "
                    "to copy the old ranking and its position bias, and at serving there is no "
                    "position until the ranker has ranked"),
        WrongAnswer("the competitors' and affinity columns too",
                    lambda c: {*KAGGLE_TEST_ONLY_MISSING, "srch_query_affinity_score",
                               "comp1_rate", "comp1_inv", "comp1_rate_percent_diff"},
                    "those are often missing, but known before the search is served (the test "
                    "file has them): missing is not leaky"),
    ],
    hint="which columns describe what happened after the results were shown? The competition's "
         "test file, made for serving, leaves them out",
    why_right="The label, its value and the logged position exist only after the results are "
              "shown; random_bool is known (the platform decides it) and the rest is the query, "
              "the property and the competitors' prices.",
)


# --- Task 5: NDCG@5 of one search by hand ---------------------------------------------------------


def hand_search(test: pd.DataFrame) -> pd.DataFrame:
    """The first test search (by id) with a booking below position 1 and both a rejected request
    and a plain click in its first :data:`HAND_K` positions: its ``position`` and ``grade``, in
    the order shown."""
    rows = test.assign(grade=grades(test).to_numpy())
    per_search = rows.groupby("search_id")
    top = rows[rows["position"].to_numpy(dtype=float) <= HAND_K]
    booked_low = rows[(rows["grade"] == "booked") & (rows["position"] > 1)]["search_id"]
    rejected = top[top["grade"] == "rejected"]["search_id"]
    clicked = top[top["grade"] == "click"]["search_id"]
    found = sorted(set(booked_low) & set(rejected) & set(clicked))
    if not found:
        raise ValueError("no test search holds a booking below the top, a rejection and a click "
                         f"in its first {HAND_K} positions; simulate more searches")
    shown = per_search.get_group(found[0]).sort_values("position", kind="stable")
    return shown[["position", "grade"]].reset_index(drop=True)


def hand_ndcg(grades_shown, gains=GAINS, k: int = HAND_K, *, clip: bool = True,
              discount=lambda rank: 1 / np.log2(1 + rank)) -> float:
    """NDCG@k of grades in the order shown: ``Σ_{r<=k} g_r d(r)`` over the same of the gains
    sorted, ``d(r) = 1 / log2(1 + r)``, negative gains counted as 0 with ``clip``."""
    g = np.array([gains[grade] for grade in grades_shown], dtype=float)
    if clip:
        g = np.maximum(g, 0.0)
    d = discount(np.arange(1, min(k, len(g)) + 1, dtype=float))
    ideal = np.sort(g, kind="stable")[::-1]
    return float((g[:len(d)] * d).sum() / (ideal[:len(d)] * d).sum())


HAND_TASK = Task(
    number=5, what=f"NDCG@{HAND_K} of the search",
    solution=lambda c: hand_ndcg(c.hand["grade"], c.gains), outcome=_ratio_outcome, rel=1e-6,
    wrong_answers=[
        WrongAnswer("the DCG", lambda c: hand_ndcg(c.hand["grade"], c.gains) * _idcg(c),
                    "that is the DCG@5: divide it by the DCG@5 of the best order of this "
                    "search's gains, so that a perfect order scores 1"),
        WrongAnswer("the ideal of the top five only",
                    lambda c: hand_ndcg(c.hand["grade"][:HAND_K], c.gains),
                    "the best order draws on every listing of the search, not only on the five "
                    "shown on top: a booking shown lower down belongs at rank 1 of the ideal"),
        WrongAnswer("the rejection counted negative",
                    lambda c: hand_ndcg(c.hand["grade"], c.gains, clip=False),
                    "the case's NDCG counts a rejection as 0 (the kit's NDCG needs gains >= 0) "
                    "and reports the rejection rate of the top beside it"),
        WrongAnswer("a discount of 1 / rank",
                    lambda c: hand_ndcg(c.hand["grade"], c.gains,
                                        discount=lambda rank: 1 / rank),
                    "NDCG discounts rank r by 1 / log2(1 + r): rank 1 by 1, rank 2 by 0.63, "
                    "rank 5 by 0.39"),
    ],
    hint="DCG@5 = Σ gain / log2(1 + rank) over the first five; divide by the same sum over the "
         "search's gains sorted from the largest, the rejection counted as 0",
    why_right="A booking shown below the top costs most of the NDCG: the clicks above it are "
              "worth a hundredth each.",
)


def _idcg(context) -> float:
    g = np.maximum([context.gains[grade] for grade in context.hand["grade"]], 0.0)
    ideal = np.sort(g)[::-1][:HAND_K]
    return float((ideal / np.log2(1 + np.arange(1, len(ideal) + 1))).sum())


# --- Task 6: guest intent or a booking ------------------------------------------------------------


def two_sided_table(test: pd.DataFrame, examination_decay: float) -> pd.DataFrame:
    """Bookings and rejections per search of the test searches ordered by each objective of
    :data:`OBJECTIVES` (the simulator's truth), indexed by the objective."""
    rows = {name: expected_outcomes(test, test[column].to_numpy(), examination_decay)
            for name, column in OBJECTIVES.items()}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("order")


def two_sided_verdict(table: pd.DataFrame) -> str:
    """How the bookings and the rejections per search change from the order by P(request) to the
    order by P(request) × P(accept) (module docstring, Task 6): one of
    :data:`TWO_SIDED_OPTIONS`."""
    request, book = (table.loc[name] for name in OBJECTIVES)
    return f"{_change(request['bookings'], book['bookings'])} bookings, " \
           f"{_change(request['rejections'], book['rejections'])} rejections"


def _change(before: float, after: float) -> str:
    if abs(after - before) <= SAME_CHANGE * before:
        return "as many"
    return "more" if after > before else "fewer"


TWO_SIDED_TASK = Task(
    number=6, what="what ordering by P(request) × P(accept) changes",
    solution=lambda c: two_sided_verdict(c.two_sided),
    outcome=_options("prediction", TWO_SIDED_OPTIONS), shows_expected=False,
    wrong_answers=[
        WrongAnswer("fewer bookings", lambda c: "fewer bookings, fewer rejections",
                    "pushing picky hosts down does not lose their bookings: the guest's next "
                    "request goes to a host who accepts, so fewer requests are wasted and more "
                    "searches end in a booking"),
        WrongAnswer("only the rejections move", lambda c: "as many bookings, fewer rejections",
                    "a rejected request is not free: the guest requests again lower down, where "
                    "fewer listings are examined, or gives up — each rejection avoided saves "
                    "part of a booking"),
        WrongAnswer("nothing moves", lambda c: "as many bookings, as many rejections",
                    "a quarter of the hosts accept about half of the requests: ranking by the "
                    "guest's wish alone puts them on top as often as anyone"),
    ],
    hint="answer with one of the options",
    why_right="A two-sided marketplace ranks by the chance of the whole transaction, P(request) "
              "× P(accept): more bookings and fewer rejections, with the host's acceptance a "
              "model of its own.",
)

TASKS = (GAINS_TASK, EXAMINATION_TASK, BOOST_TASK, LEAKAGE_TASK, HAND_TASK, TWO_SIDED_TASK)
"""The exercise's tasks, in the notebook's order."""
