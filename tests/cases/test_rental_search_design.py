"""Rental search's design review, its scale, its clarifying questions and its interview prompts."""

import pytest

from mlsd.cases.rental_search import design
from mlsd.cases.rental_search.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining, entries
from mlsd.practice.form import design_from_form, form_values
from mlsd.sizing import SECONDS_PER_DAY, size

DOCS = [design.design_doc, design.hotel_doc, design.experiences_doc]


@pytest.mark.parametrize("make", DOCS)
def test_the_design_docs_are_complete_and_pass_their_review(make):
    doc = make()
    assert doc.is_complete, doc.missing()
    assert not doc.missing_points()
    assert doc.review().passed, doc.review().to_markdown()
    back = design_from_form(doc.title, form_values(doc))
    assert back.review() == doc.review()
    for field in ("data_labels", "serving", "metrics_offline", "monitoring"):
        assert [e for e in getattr(back, field) if not isinstance(e, str)] == \
               [e for e in getattr(doc, field) if not isinstance(e, str)], field


def test_the_search_is_ranked_on_ndcg_and_mrr_and_retrains_after_the_hosts_answer():
    doc = design.design_doc()
    assert entries(doc.decision, Kind) == [Kind("ranking")]
    assert {m.name for m in entries(doc.metrics_offline, Metric)} == {"ndcg_at_k", "mrr"}
    labels = entries(doc.data_labels, Label)
    fastest, slowest = min(l.delay_hours for l in labels), max(l.delay_hours for l in labels)
    assert fastest < 1 / 60  # a click in seconds
    assert slowest == 48  # the request within a day, the host's answer within the next
    assert entries(doc.data_freshness, Retraining)[0].every_hours >= slowest
    assert all(alert.owner for alert in entries(doc.monitoring, Alert))


def test_the_serving_dependencies_are_the_funnels_stages_within_the_budget():
    doc = design.design_doc()
    assert entries(doc.serving, Budget) == [Budget(LATENCY_BUDGET_MS)] and LATENCY_BUDGET_MS == 300
    dependencies = entries(doc.serving, Dependency)
    stages = funnel_stages()
    assert len(dependencies) == len(stages)
    assert all(stage.name.startswith(d.name + " ") for d, stage in zip(dependencies, stages))
    assert sum(d.p99_ms for d in dependencies) <= LATENCY_BUDGET_MS
    for dependency, stage in zip(dependencies, stages):
        assert dependency.fallback
        assert dependency.p99_ms > stage.median_ms  # a timeout below the median fails most calls


def test_the_variants_drop_the_rejection_grade_and_retrain_daily():
    for make in (design.hotel_doc, design.experiences_doc):
        doc = make()
        names = {label.name for label in entries(doc.data_labels, Label)}
        assert not any("rejected" in name for name in names)
        assert entries(doc.data_freshness, Retraining) == [Retraining(24)]
        assert not any("rejection" in alert.signal for alert in entries(doc.monitoring, Alert))
    assert design.design_doc().title != design.hotel_doc().title


def test_the_scale_sizes_by_the_formulas_and_its_ranker_is_the_funnels():
    scale = design.scale_assumptions()
    sizing = size(scale)
    assert sizing.requests_per_day == 10e6 * 5
    assert sizing.peak_qps == pytest.approx(3 * 50e6 / SECONDS_PER_DAY)
    assert sizing.embedding_bytes == 7e6 * 32 * 4
    stages = {stage.name: stage for stage in funnel_stages()}
    ranker = stages[design.RANKER_STAGE]
    assert (scale.candidates, scale.scoring_us) == (ranker.items, ranker.cost_us_per_item)
    rest = sum(stage.median_ms for stage in stages.values()) - ranker.median_ms + ranker.fixed_ms
    assert scale.other_ms == pytest.approx(rest)
    assert sizing.scoring_ms == pytest.approx(ranker.items * ranker.cost_us_per_item / 1_000)
    assert sizing.scoring_cores_at_peak == pytest.approx(
        sizing.peak_qps * ranker.items * ranker.cost_us_per_item / 1e6)
    assert scale.latency_budget_ms == LATENCY_BUDGET_MS
    points = sizing.pressure_points(machine_memory_gib=64, machine_cores=32)
    assert any(p.startswith("compute") for p in points)
    assert not any(p.startswith("memory") for p in points)  # under a GiB of listing embeddings


def test_the_prompts_are_open_ask_enough_and_the_variants_say_what_changes():
    home, *variants = design.interview_prompts()
    keys = [prompt.key for prompt in (home, *variants)]
    assert keys == ["rental_search", "hotel_search", "experiences_search"]
    assert {prompt.case for prompt in (home, *variants)} == {"rental_search"}
    assert home.text == "Design search ranking for a vacation-rental marketplace."
    for prompt in (home, *variants):
        assert len(prompt.text) < 90 and len(prompt.questions) >= 5
        assert all(q.question.endswith("?") and q.assumption for q in prompt.questions)
        assert prompt.reference().review().passed
    assert not home.differences and all(len(v.differences) >= 3 for v in variants)
    questions = design.clarifying_questions()
    assert 5 <= len(questions) <= 7 and home.questions == questions
    assert "10M guests searching a day" in home.questions_markdown()
    assert any("decline" in q.question for q in questions)
