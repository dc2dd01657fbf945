"""Delivery ETA's design review, its scale, its clarifying questions and its interview prompts."""

import pytest

from mlsd.cases.delivery_eta import design
from mlsd.cases.delivery_eta.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining, entries
from mlsd.practice.form import design_from_form, form_values
from mlsd.sizing import SECONDS_PER_DAY, size

DOCS = [design.design_doc, design.grocery_doc, design.pickup_doc]


@pytest.mark.parametrize("make", DOCS)
def test_the_design_docs_are_complete_and_pass_their_review(make):
    doc = make()
    assert doc.is_complete, doc.missing()
    assert not doc.missing_points()
    assert doc.review().passed, doc.review().to_markdown()
    back = design_from_form(doc.title, form_values(doc))
    assert back.review() == doc.review()
    assert entries(doc.decision, Kind) == [Kind("quantile promise")]


def test_the_promise_is_measured_as_a_quantile_and_retrained_after_its_labels_arrive():
    doc = design.design_doc()
    assert {m.name for m in entries(doc.metrics_offline, Metric)} >= {"late_rate", "pinball_loss",
                                                                        "mae"}
    slowest = max(label.delay_hours for label in entries(doc.data_labels, Label))
    assert slowest == 3  # a stuck order's label
    assert entries(doc.data_freshness, Retraining)[0].every_hours >= slowest
    alerts = entries(doc.monitoring, Alert)
    assert all(alert.owner for alert in alerts)
    assert any("residual" in alert.signal and "market" in alert.signal for alert in alerts)


def test_the_serving_dependencies_are_the_paths_stages_within_the_budget():
    doc = design.design_doc()
    assert entries(doc.serving, Budget) == [Budget(LATENCY_BUDGET_MS)]
    dependencies = entries(doc.serving, Dependency)
    stages = funnel_stages()
    assert len(dependencies) == len(stages)
    assert all(stage.name.startswith(d.name + " ") for d, stage in zip(dependencies, stages))
    assert sum(d.p99_ms for d in dependencies) <= LATENCY_BUDGET_MS
    for dependency, stage in zip(dependencies, stages):
        assert dependency.fallback
        assert dependency.p99_ms > stage.median_ms


def test_the_scale_sizes_by_the_formulas_and_its_model_is_the_paths():
    scale = design.scale_assumptions()
    sizing = size(scale)
    assert sizing.requests_per_day == 20e6 * 4
    assert sizing.peak_qps == pytest.approx(3 * 80e6 / SECONDS_PER_DAY)
    stages = {stage.name: stage for stage in funnel_stages(n_quotes=30)}
    model = stages[design.MODEL_STAGE]
    assert (scale.candidates, scale.scoring_us) == (30, model.cost_us_per_item)
    rest = sum(stage.median_ms for stage in stages.values()) - model.median_ms + model.fixed_ms
    assert scale.other_ms == pytest.approx(rest)
    assert sizing.request_ms < LATENCY_BUDGET_MS


def test_the_prompts_are_open_ask_enough_and_the_variants_say_what_changes():
    home, *variants = design.interview_prompts()
    assert [p.key for p in (home, *variants)] == ["delivery_eta", "grocery_eta", "pickup_eta"]
    assert {p.case for p in (home, *variants)} == {"delivery_eta"}
    for prompt in (home, *variants):
        assert len(prompt.text) < 90 and len(prompt.questions) >= 5
        assert all(q.question.endswith("?") and q.assumption for q in prompt.questions)
        assert prompt.reference().review().passed
    assert not home.differences and all(len(v.differences) >= 3 for v in variants)
    questions = design.clarifying_questions()
    assert 5 <= len(questions) <= 7 and home.questions == questions
    assert "20M customers a day" in home.questions_markdown()
