"""The feed's design review, its scale, its interview prompts and its serving funnel."""

import pytest

from mlsd.cases.feed_ranking import design
from mlsd.cases.feed_ranking.schema import HEADS
from mlsd.cases.feed_ranking.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.design_review import Budget, Dependency, Kind, Label, Metric, Retraining, entries
from mlsd.explore import FunnelBudgetState
from mlsd.practice.form import design_from_form, form_values
from mlsd.sizing import size


@pytest.mark.parametrize("make", [design.design_doc, design.notifications_doc])
def test_the_design_docs_are_complete_and_pass_their_review(make):
    doc = make()
    assert doc.is_complete, doc.missing()
    assert doc.review().passed, doc.review().to_markdown()
    back = design_from_form(doc.title, form_values(doc))
    assert back.review() == doc.review()
    for field in ("data_labels", "serving", "metrics_offline"):
        assert [e for e in getattr(back, field) if not isinstance(e, str)] == \
               [e for e in getattr(doc, field) if not isinstance(e, str)], field


def test_the_feed_is_ranked_on_gauc_and_each_head_calibrated_since_the_weights_add_probabilities():
    doc = design.design_doc()
    assert entries(doc.decision, Kind) == [Kind("ranking")]
    families = {metric.name: metric.family for metric in entries(doc.metrics_offline, Metric)}
    assert families["grouped_roc_auc"] == "ranking"
    assert {"normalized_entropy", "calibration_ratio"} <= set(families)
    labels = entries(doc.data_labels, Label)
    assert {label.name.replace(" ", "_") for label in labels} == set(HEADS)
    fastest, slowest = min(l.delay_hours for l in labels), max(l.delay_hours for l in labels)
    assert fastest < 1 / 60 and slowest >= 1  # seconds for clicks, hours for comments and shares
    assert entries(doc.data_freshness, Retraining)[0].every_hours >= slowest
    assert entries(doc.serving, Budget) == [Budget(LATENCY_BUDGET_MS)]
    assert all(d.fallback for d in entries(doc.serving, Dependency))


def test_the_scale_sizes_and_its_other_time_is_the_rest_of_the_funnel():
    scale = design.scale_assumptions()
    sizing = size(scale)
    assert sizing.requests_per_day == scale.daily_users * scale.requests_per_user
    assert scale.latency_budget_ms == LATENCY_BUDGET_MS
    stages = {stage.name: stage for stage in funnel_stages()}
    second = stages["second-pass ranker"]
    assert (second.items, second.cost_us_per_item) == (scale.candidates, scale.scoring_us)
    rest = sum(stage.median_ms for stage in stages.values()) - second.median_ms + second.fixed_ms
    assert scale.other_ms == pytest.approx(rest)
    assert sizing.request_ms <= scale.latency_budget_ms / 2
    assert not [p for p in sizing.pressure_points() if p.startswith("latency")]


def test_the_prompts_are_open_ask_enough_and_the_variant_says_what_changes():
    home, variant = design.interview_prompts()
    assert {home.case, variant.case} == {"feed_ranking"}
    assert home.key != variant.key and "short" not in variant.key
    for prompt in (home, variant):
        assert len(prompt.text) < 90 and len(prompt.questions) >= 5
        assert all(q.question.endswith("?") and q.assumption for q in prompt.questions)
        assert prompt.reference().review().passed
    assert 5 <= len(design.clarifying_questions()) <= 7
    assert not home.differences and len(variant.differences) >= 3
    assert f"{design.scale_assumptions().daily_users / 1e6:g}M daily members" in home.questions_markdown()


def test_the_funnel_narrows_and_fits_200_ms_until_the_second_pass_takes_twice_the_posts():
    stages = funnel_stages()
    assert [stage.name for stage in stages] == [
        "candidate sources", "feature fetch (batch + streaming)", "first-pass ranker",
        "second-pass ranker", "re-ranker"]
    items = [stage.items for stage in stages]
    assert items[0] >= 1_000 and items == sorted(items, reverse=True)
    state = FunnelBudgetState(stages, budget_ms=LATENCY_BUDGET_MS)
    fits = state.snapshot()
    assert fits.budget_ms == 200.0 and fits.headroom_ms > 0 and fits.within_budget > 0.99
    assert fits.dominant_stage == "second-pass ranker"
    state.set_items("second-pass ranker", 2 * stages[3].items)
    assert state.snapshot().headroom_ms < 0


def test_the_funnel_checks_its_sizes():
    assert funnel_stages(n_candidates=800, n_second_pass=20)[-1].items == 20
    with pytest.raises(ValueError, match="n_second_pass must be an integer in"):
        funnel_stages(n_candidates=100, n_second_pass=500)
    with pytest.raises(ValueError, match="n_candidates must be an integer >= 1"):
        funnel_stages(n_candidates=0)
