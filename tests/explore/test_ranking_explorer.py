"""Tests for mlsd.explore.ranking: every mean and per-user value equals mlsd.metrics.ranking, the
shown lists are each user's ranking, the hand-made list reacts as the metrics' formulas say,
inputs are validated, and the widgets drive the state."""

import math

import numpy as np
import pytest

from mlsd.explore import HandMadeList, RankingExplorer, RankingExplorerState
from mlsd.explore.ranking import METRICS
from mlsd.metrics.ranking import (
    RankedLists,
    hit_rate_at_k,
    map_at_k,
    mrr,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

MEAN_OVER_USERS = {
    "precision": precision_at_k,
    "recall": recall_at_k,
    "hit_rate": hit_rate_at_k,
    "mrr": mrr,
    "map": map_at_k,
    "ndcg": ndcg_at_k,
}
PER_USER = {
    "precision": RankedLists.precision_at,
    "recall": RankedLists.recall_at,
    "hit_rate": RankedLists.hit_rate_at,
    "mrr": RankedLists.reciprocal_rank,
    "map": RankedLists.average_precision_at,
    "ndcg": RankedLists.ndcg_at,
}
CUT_OFFS = (1, 3, 10, 40)


def recommender_case(seed, n_users=40, graded=False):
    """Lists of 5 to 30 items per user, about 10% relevant, a few users with none.

    ``two-tower`` sees relevance, ``popularity`` does not; popularity's scores are rounded so
    that many of them tie. Rows are shuffled, so users' rows are interleaved.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 31, size=n_users)
    group = np.repeat(np.array([f"u{user:02d}" for user in range(n_users)]), lengths)
    relevant = rng.random(len(group)) < 0.1
    relevant[group == "u03"] = False
    y_true = relevant * (rng.integers(1, 4, size=len(group)) if graded else 1)
    scores = {
        "popularity": np.round(rng.random(len(group)), 1),
        "two-tower": rng.normal(size=len(group)) + 1.5 * relevant,
    }
    shuffle = rng.permutation(len(group))
    return y_true[shuffle], {name: s[shuffle] for name, s in scores.items()}, group[shuffle]


def ranked_by_hand(scores, group, user):
    """The user's rows by decreasing score, tied scores in row order."""
    rows = [row for row in range(len(group)) if group[row] == user]
    return sorted(rows, key=lambda row: (-scores[row], row))


# --- the state: exactly what mlsd.metrics.ranking gives ----------------------------------------


@pytest.mark.parametrize("graded", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_means_equal_the_metric_functions_for_every_metric_and_k(seed, graded):
    y_true, scores, group = recommender_case(seed, graded=graded)
    state = RankingExplorerState(y_true, scores, group)
    for metric in METRICS:
        state.metric = metric
        for k in CUT_OFFS:
            state.k = k
            snapshot = state.snapshot()
            assert (snapshot.metric, snapshot.k) == (metric, k)
            for result in snapshot.recommenders:
                expected = MEAN_OVER_USERS[metric](y_true, scores[result.name], group, k)
                assert result.mean == expected


@pytest.mark.parametrize("seed", range(3))
def test_each_users_value_equals_the_ranked_lists_value(seed):
    y_true, scores, group = recommender_case(seed)
    state = RankingExplorerState(y_true, scores, group, k=5)
    lists = {name: RankedLists(y_true, s, group) for name, s in scores.items()}
    for metric in METRICS:
        state.metric = metric
        expected = {name: PER_USER[metric](lists[name], 5) for name in scores}
        for index, user in enumerate(lists["popularity"].groups.tolist()):
            state.user = user
            shown = {result.name: result.user_value for result in state.snapshot().recommenders}
            for name, value in shown.items():
                assert value == pytest.approx(expected[name][index], nan_ok=True, rel=0, abs=0)


def test_n_relevant_counts_relevant_items_no_recommender_ranked():
    y_true, scores, group = recommender_case(4)
    relevant_rows = {user: int(y_true[group == user].sum()) for user in set(group.tolist())}
    n_relevant = np.array([relevant_rows[user] + 2 for user in group])
    state = RankingExplorerState(y_true, scores, group, n_relevant=n_relevant, user="u03")
    for metric in ("recall", "map", "ndcg"):
        state.metric = metric
        snapshot = state.snapshot()
        assert snapshot.users_counted == snapshot.n_users == 40
        assert snapshot.user_n_relevant == 2
        for result in snapshot.recommenders:
            function = MEAN_OVER_USERS[metric]
            assert result.mean == function(
                y_true, scores[result.name], group, 10, n_relevant=n_relevant
            )
            assert result.user_value == 0.0


@pytest.mark.parametrize("k", [1, 4, 10, 100])
def test_shown_lists_are_each_users_top_k_in_rank_order(k):
    y_true, scores, group = recommender_case(5)
    state = RankingExplorerState(y_true, scores, group, k=k, metric="precision")
    for user in state.users:
        state.user = user
        for result in state.snapshot().recommenders:
            expected_rows = ranked_by_hand(scores[result.name], group, user)[:k]
            assert [entry.row for entry in result.top_k] == expected_rows
            assert [entry.rank for entry in result.top_k] == list(range(1, len(expected_rows) + 1))
            for entry in result.top_k:
                assert entry.item == entry.row
                assert entry.score == scores[result.name][entry.row]
                assert entry.is_hit == (y_true[entry.row] > 0)
            assert result.user_hits == sum(entry.is_hit for entry in result.top_k)
            assert result.user_value == result.user_hits / k


def test_every_users_value_can_be_recomputed_from_the_list_shown():
    y_true, scores, group = recommender_case(6)
    state = RankingExplorerState(y_true, scores, group, k=6)
    for user in state.users[:15]:
        state.user = user
        for metric in METRICS:
            state.metric = metric
            snapshot = state.snapshot()
            for result in snapshot.recommenders:
                shown = HandMadeList([int(entry.is_hit) for entry in result.top_k])
                shown.n_relevant = snapshot.user_n_relevant
                assert shown.metrics(6)[metric] == pytest.approx(result.user_value, nan_ok=True)


def test_item_ids_are_shown_in_place_of_row_numbers():
    y_true, scores, group = recommender_case(7)
    item = np.array([f"video {row}" for row in range(len(group))])
    snapshot = RankingExplorerState(y_true, scores, group, item=item).snapshot()
    for result in snapshot.recommenders:
        assert [entry.item for entry in result.top_k] == [f"video {e.row}" for e in result.top_k]


def test_users_counted_leave_out_users_without_a_relevant_item_except_for_precision():
    y_true, scores, group = recommender_case(8)
    state = RankingExplorerState(y_true, scores, group, metric="precision", user="u03")
    snapshot = state.snapshot()
    assert snapshot.users_counted == snapshot.n_users == 40
    assert snapshot.user_n_relevant == 0
    assert all(result.user_value == 0.0 for result in snapshot.recommenders)
    state.metric = "ndcg"
    snapshot = state.snapshot()
    with_a_relevant_item = sum(y_true[group == user].sum() > 0 for user in state.users)
    assert snapshot.users_counted == with_a_relevant_item < 40
    assert all(math.isnan(result.user_value) for result in snapshot.recommenders)


def test_per_user_values_are_kept_while_only_the_user_changes():
    y_true, scores, group = recommender_case(9)
    state = RankingExplorerState(y_true, scores, group)
    first = state.per_user()
    state.user = state.users[5]
    assert state.per_user() is first
    state.k = 3
    assert state.per_user() is not first
    assert state.per_user()["two-tower"].tolist() == pytest.approx(
        RankedLists(y_true, scores["two-tower"], group).ndcg_at(3).tolist(), nan_ok=True
    )


def test_defaults_and_the_frozen_snapshot():
    y_true, scores, group = recommender_case(10)
    state = RankingExplorerState(y_true, scores, group)
    assert (state.k, state.metric) == (10, "ndcg")
    assert state.recommenders == ("popularity", "two-tower")
    assert state.users == tuple(sorted(set(group.tolist())))
    with_a_hit = [user for user in state.users if y_true[group == user].sum() > 0]
    assert state.user == with_a_hit[0]
    assert state.longest_list == max(np.count_nonzero(group == user) for user in state.users)
    snapshot = state.snapshot()
    with pytest.raises(AttributeError):
        snapshot.k = 3
    with pytest.raises(AttributeError):
        snapshot.recommenders[0].top_k[0].rank = 2


def test_numeric_user_ids_are_plain_python_values():
    y_true, scores, _ = recommender_case(11)
    group = np.repeat(np.arange(40), 1 + len(y_true) // 40)[: len(y_true)]
    state = RankingExplorerState(y_true, scores, group)
    assert all(type(user) is int for user in state.users)
    state.user = np.int64(7)
    assert type(state.user) is int and state.snapshot().user == 7


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("k", 0, "k must be an integer >= 1; got 0"),
        ("k", 2.5, "k must be an integer >= 1; got 2.5"),
        ("k", True, "k must be an integer >= 1; got True"),
        (
            "metric",
            "auc",
            (
                "metric must be one of "
                "'precision', 'recall', 'hit_rate', 'mrr', 'map', 'ndcg'; got 'auc'"
            ),
        ),
        ("user", "nobody", r"user must be one of the 40 users \(group ids\); got 'nobody'"),
        ("user", ["u01"], r"user must be one of the 40 users \(group ids\); got \['u01'\]"),
    ],
)
def test_bad_settings_are_refused_naming_argument_value_and_allowed(name, value, message):
    y_true, scores, group = recommender_case(12)
    state = RankingExplorerState(y_true, scores, group)
    with pytest.raises(ValueError, match=f"^{message}$"):
        setattr(state, name, value)
    with pytest.raises(ValueError, match=f"^{message}$"):
        RankingExplorerState(y_true, scores, group, **{name: value})


@pytest.mark.parametrize(
    "scores_by_recommender, message",
    [
        ({}, "scores_by_recommender must be a non-empty mapping"),
        ([np.zeros(3)], "scores_by_recommender must be a non-empty mapping"),
        ({1: np.zeros(3)}, r"from each recommender's name \(a string\)"),
        ({"short": np.zeros(2)}, r"^recommender 'short': inputs must have the same length"),
        ({"bad": [0.1, np.nan, 0.3]}, r"^recommender 'bad': y_score must be finite"),
    ],
)
def test_bad_scores_are_refused_naming_the_recommender(scores_by_recommender, message):
    with pytest.raises(ValueError, match=message):
        RankingExplorerState([1, 0, 1], scores_by_recommender, ["a", "a", "b"])


def test_data_without_any_relevant_item_and_misshaped_item_ids_are_refused():
    with pytest.raises(ValueError, match="no relevant item .* for any user"):
        RankingExplorerState([0, 0, 0], {"a": [0.3, 0.2, 0.1]}, ["u", "u", "v"])
    with pytest.raises(ValueError, match=r"item must have shape \(3,\)"):
        RankingExplorerState([1, 0, 0], {"a": [0.3, 0.2, 0.1]}, ["u", "u", "v"], item=[1, 2])
    with pytest.raises(ValueError, match="y_true must be >= 0"):
        RankingExplorerState([1, -1, 0], {"a": [0.3, 0.2, 0.1]}, ["u", "u", "v"])


# --- the hand-made list ------------------------------------------------------------------------


def test_moving_the_only_hit_from_first_to_second_halves_mrr_and_costs_ndcg_less():
    hand_made = HandMadeList()
    assert hand_made.relevance == (1, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    before = hand_made.metrics(10)
    assert before == {metric: 1.0 for metric in METRICS} | {"precision": 0.1}
    hand_made.move(1, 2)
    after = hand_made.metrics(10)
    assert hand_made.relevance == (0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    assert after["mrr"] == before["mrr"] / 2
    assert after["ndcg"] == pytest.approx(1 / math.log2(3))
    assert before["ndcg"] - after["ndcg"] < before["mrr"] - after["mrr"]
    assert (after["precision"], after["recall"], after["hit_rate"]) == (0.1, 1.0, 1.0)
    assert hand_made.metrics(1) == {metric: 0.0 for metric in METRICS}


@pytest.mark.parametrize(
    "relevance, outside",
    [((1, 0, 1, 1, 0, 0, 1, 0), 0), ((0, 0, 1, 0, 1), 2), ((1, 1, 1), 5), ((0, 1), 0)],
)
def test_hand_made_metrics_equal_the_metric_functions(relevance, outside):
    hand_made = HandMadeList(relevance, n_relevant=sum(relevance) + outside)
    n = len(relevance)
    rows = (relevance, -np.arange(n), np.zeros(n))
    n_relevant = np.full(n, sum(relevance) + outside)
    for k in range(1, n + 3):
        metrics = hand_made.metrics(k)
        for metric, function in MEAN_OVER_USERS.items():
            assert metrics[metric] == function(*rows, k, n_relevant=n_relevant)


def test_move_shifts_the_items_between_and_toggle_flips_one_slot():
    hand_made = HandMadeList([1, 1, 0, 0, 0])
    hand_made.move(1, 4)
    assert hand_made.relevance == (1, 0, 0, 1, 0)
    hand_made.move(5, 1)
    assert hand_made.relevance == (0, 1, 0, 0, 1)
    hand_made.toggle(3)
    assert hand_made.relevance == (0, 1, 1, 0, 1)
    hand_made.toggle(3)
    assert hand_made.relevance == (0, 1, 0, 0, 1)


def test_relevant_items_outside_the_list_stay_when_the_list_changes():
    hand_made = HandMadeList([1, 0, 0, 0], n_relevant=3)
    assert (hand_made.hits, hand_made.relevant_outside, hand_made.n_relevant) == (1, 2, 3)
    assert hand_made.metrics(4)["recall"] == pytest.approx(1 / 3)
    hand_made.toggle(2)
    assert (hand_made.hits, hand_made.relevant_outside, hand_made.n_relevant) == (2, 2, 4)
    hand_made.move(2, 4)
    assert hand_made.n_relevant == 4
    hand_made.relevant_outside = 0
    assert hand_made.n_relevant == 2 and hand_made.metrics(4)["recall"] == 1.0


def test_a_list_without_relevant_items_has_only_precision_defined():
    metrics = HandMadeList([0, 0, 0]).metrics(3)
    assert metrics["precision"] == 0.0
    assert all(math.isnan(metrics[metric]) for metric in METRICS if metric != "precision")
    assert HandMadeList([0, 0, 0], n_relevant=2).metrics(3)["recall"] == 0.0


@pytest.mark.parametrize(
    "action, message",
    [
        (lambda h: h.move(0, 2), r"from_position must be an integer in \[1, 4\]; got 0"),
        (lambda h: h.move(1, 5), r"to_position must be an integer in \[1, 4\]; got 5"),
        (lambda h: h.toggle(2.0), r"position must be an integer in \[1, 4\]; got 2.0"),
        (lambda h: h.metrics(0), "k must be an integer >= 1; got 0"),
        (lambda h: setattr(h, "n_relevant", 1), r"n_relevant must be an integer >= 2 \(the hits"),
        (lambda h: setattr(h, "relevant_outside", -1), "relevant_outside must be an integer >= 0"),
    ],
)
def test_bad_hand_made_edits_are_refused_and_change_nothing(action, message):
    hand_made = HandMadeList([1, 0, 1, 0])
    with pytest.raises(ValueError, match=message):
        action(hand_made)
    assert hand_made.relevance == (1, 0, 1, 0) and hand_made.n_relevant == 2


@pytest.mark.parametrize("relevance", [[], [0, 2], [1, 0.5], "10", [True, False]])
def test_bad_hand_made_lists_are_refused(relevance):
    with pytest.raises(ValueError, match="relevance must be a non-empty sequence of 0 and 1"):
        HandMadeList(relevance)


# --- the view ----------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    y_true, scores, group = recommender_case(13)
    scores["<b>new</b> model"] = scores.pop("two-tower")
    return RankingExplorer(y_true, scores, group, k=5, title="Home <page>")


def test_view_starts_in_step_with_its_state(explorer):
    state = explorer.state
    assert explorer.metric_dropdown.value == state.metric == "ndcg"
    assert explorer.k_slider.value == state.k == 5
    assert (explorer.k_slider.min, explorer.k_slider.max) == (1, state.longest_list)
    assert explorer.user_dropdown.value == state.user
    assert explorer.user_dropdown.options[0] == (
        f"{state.users[0]} ({state.user_n_relevant(state.users[0])} relevant)",
        state.users[0],
    )
    assert "NDCG@5" in explorer.means.value
    assert f"User: <b>{state.user}</b>" in explorer.lists.value
    assert "top 5" in explorer.lists.value


def test_k_slider_and_metric_dropdown_update_state_and_tables(explorer):
    explorer.k_slider.value = 8
    explorer.metric_dropdown.value = "map"
    snapshot = explorer.state.snapshot()
    assert (explorer.state.k, explorer.state.metric) == (8, "map")
    assert "MAP@8" in explorer.means.value and "MAP@8" in explorer.lists.value
    for result in snapshot.recommenders:
        assert f"{result.mean:.4f}" in explorer.means.value
        assert f"{result.user_hits} of {snapshot.user_n_relevant} relevant items" in (
            explorer.lists.value
        )


def test_user_dropdown_shows_that_users_lists_with_hits_marked(explorer):
    user = explorer.state.users[7]
    explorer.user_dropdown.value = user
    snapshot = explorer.state.snapshot()
    assert explorer.state.user == user
    assert f"User: <b>{user}</b>" in explorer.lists.value
    hits_shown = sum(result.user_hits for result in snapshot.recommenders)
    assert explorer.lists.value.count("✓") == hits_shown + 1
    for result in snapshot.recommenders:
        for entry in result.top_k:
            assert f"{entry.score:.4g}" in explorer.lists.value


def test_a_user_without_relevant_items_is_shown_as_undefined(explorer):
    explorer.user_dropdown.value = "u03"
    assert "undefined (no relevant item)" in explorer.means.value
    explorer.metric_dropdown.value = "precision"
    assert "undefined" not in explorer.means.value


def test_names_and_title_are_escaped(explorer):
    assert "&lt;b&gt;new&lt;/b&gt; model" in explorer.means.value
    assert "<b>new</b>" not in explorer.means.value + explorer.lists.value
    assert explorer.widget.children[0].value == "<h3>Home &lt;page&gt;</h3>"


def test_toggle_buttons_edit_the_hand_made_list_and_show_the_change(explorer):
    buttons = explorer.slot_buttons
    assert [button.value for button in buttons] == [True] + [False] * 9
    assert "before the last edit" not in explorer.hand_metrics.value
    buttons[0].value = False
    buttons[1].value = True
    assert explorer.hand_made.relevance == (0, 1, 0, 0, 0, 0, 0, 0, 0, 0)
    assert buttons[1].button_style == "success" and buttons[0].button_style == ""
    assert "before the last edit" in explorer.hand_metrics.value
    assert f"{explorer.hand_made.metrics(10)['ndcg']:.4f}" in explorer.hand_metrics.value


def test_move_button_and_hand_k_slider(explorer):
    explorer.move_from.value, explorer.move_to.value = 1, 2
    explorer.move_button.click()
    assert explorer.hand_made.relevance[:2] == (0, 1)
    assert [button.value for button in explorer.slot_buttons[:2]] == [False, True]
    assert "0.5000" in explorer.hand_metrics.value and "-0.5000" in explorer.hand_metrics.value
    explorer.hand_k_slider.value = 1
    assert "MRR@1" in explorer.hand_metrics.value
    assert "before the last edit" not in explorer.hand_metrics.value


def test_relevant_items_outside_the_list_lower_recall(explorer):
    explorer.outside_input.value = 3
    assert explorer.hand_made.n_relevant == 4
    assert "R = 4" in explorer.hand_metrics.value
    assert "0.2500" in explorer.hand_metrics.value


def test_explorer_displays_as_its_widget_and_every_control_explains_itself(explorer):
    bundle = explorer._repr_mimebundle_()
    model_id = bundle["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert model_id == explorer.widget.model_id
    assert explorer.k_slider.continuous_update is False
    controls = [
        explorer.metric_dropdown,
        explorer.k_slider,
        explorer.user_dropdown,
        explorer.hand_k_slider,
        explorer.outside_input,
        explorer.move_button,
        *explorer.slot_buttons,
    ]
    assert all(control.tooltip for control in controls)


def test_a_starting_k_beyond_every_list_widens_the_slider():
    y_true, scores, group = recommender_case(14)
    view = RankingExplorer(y_true, scores, group, k=500, hand_made=(0, 1, 1))
    assert view.k_slider.max == 500 == view.state.k
    assert len(view.slot_buttons) == 3 and view.hand_k_slider.max == 3
