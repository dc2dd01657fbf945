"""DesignDoc.review(): each cross-field check finds what it should, with its reason, and no more."""

import dataclasses

import pytest

from mlsd.design import CHECKLIST, DesignDoc
from mlsd.design_review import (
    Alert,
    Budget,
    Dependency,
    Kind,
    Label,
    Metric,
    Retraining,
)


def sound_doc(**changes) -> DesignDoc:
    """A complete ad-click design whose entries agree with each other: the review finds nothing."""
    values = {field.name: f"{field.name} answered" for field in dataclasses.fields(DesignDoc)}
    values.update(
        title="Ad click prediction",
        decision=["Which ad wins the slot and what it pays.", Kind("priced probability"),
                  Kind("ranking")],
        metrics_offline=["NE and calibration, by slice.", Metric("normalized_entropy"),
                         Metric("roc_auc")],
        data_labels=["Clicks within 24 h of the impression.", Label("click", 24)],
        data_freshness=["Counters refreshed hourly.", Retraining(24)],
        serving=["Online scoring behind the auction.", Budget(50),
                 Dependency("feature store", 12, "default counters"),
                 Dependency("pCTR model", 15, "the smoothed CTR baseline")],
        monitoring=["Inputs and calibration per slice.",
                    Alert("calibration ratio", "outside [0.9, 1.1] for an hour", "ads ranking on-call")],
    )
    values.update(changes)
    return DesignDoc(**values)


def problems(doc: DesignDoc) -> list[tuple[str, str]]:
    return [(finding.point, finding.problem) for finding in doc.review().findings]


def test_a_sound_design_has_no_findings():
    result = sound_doc().review()
    assert result.passed and result.findings == ()
    assert "No findings" in result.to_markdown()


def test_an_empty_design_lists_every_part_and_every_missing_entry():
    found = problems(DesignDoc(title="Empty"))
    empty_parts = [p for p in found if "is empty" in p[1]]
    assert len(empty_parts) == sum(len(point.parts) for point in CHECKLIST)
    assert ("Decision", "no Kind entry says what the output is used for") in found
    assert ("Serving", "no Budget entry states the request's p99 deadline") in found
    assert ("Monitoring", "no Alert entry: nothing watched wakes anyone") in found


@pytest.mark.parametrize("answer", ["No feed at all, TODO", "TBD", "?", "...", "fixme later"])
def test_a_placeholder_is_not_an_answer(answer):
    found = problems(sound_doc(decision=[answer, Kind("ranking")],
                               metrics_offline=[Metric("ndcg_at_k")]))
    assert found == [("Decision", f"the answer {answer!r} is a placeholder")]


def test_words_that_merely_contain_a_placeholder_are_answers():
    assert sound_doc(goals="Grow the total budget of advertisers (TODOS app excluded)").review().passed


@pytest.mark.parametrize("kind, metrics, missing", [
    ("priced probability", ["roc_auc", "ndcg_at_k"], "calibration"),
    ("ranking", ["calibration_ratio"], "ranking"),
    ("threshold", ["roc_auc", "log_loss"], "decision"),
    ("estimate", ["pinball_loss"], "regression"),
    ("quantile promise", ["mae", "rmse"], "quantile"),
])
def test_the_metrics_must_fit_the_kind_of_decision(kind, metrics, missing):
    doc = sound_doc(decision=["d", Kind(kind)], metrics_offline=[Metric(m) for m in metrics])
    [(point, problem)] = problems(doc)
    assert point == "Metrics"
    assert problem.startswith(f"a {kind} decision has no {missing} metric offline")
    reason = doc.review().findings[0].reason
    assert reason  # each finding says why


def test_a_priced_probability_is_satisfied_by_a_calibration_sensitive_metric():
    doc = sound_doc(decision=["d", Kind("priced probability")],
                    metrics_offline=[Metric("expected_calibration_error")])
    assert doc.review().passed


def test_one_dependency_slower_than_the_budget_is_named():
    doc = sound_doc(serving=[Budget(50), Dependency("feature store", 80, "defaults")])
    assert problems(doc) == [("Serving", "feature store alone takes 80 ms at p99, over the 50 ms "
                                         "budget")]


def test_dependencies_whose_p99s_add_up_past_the_budget_are_flagged_with_the_sum():
    doc = sound_doc(serving=[Budget(50), Dependency("a", 30, "x"), Dependency("b", 25, "y")])
    [(point, problem)] = problems(doc)
    assert (point, problem) == ("Serving", "the dependencies' p99s add up to 55 ms, over the 50 ms "
                                           "budget")
    assert "mlsd.serving" in doc.review().findings[0].reason


def test_every_dependency_needs_a_fallback():
    doc = sound_doc(serving=[Budget(50), Dependency("feature store", 10),
                             Dependency("model", 10, "  ")])
    assert problems(doc) == [("Fallback", "no fallback is named for feature store"),
                             ("Fallback", "no fallback is named for model")]


def test_every_alert_needs_an_owner():
    doc = sound_doc(monitoring=["m", Alert("input PSI", "above 0.25"),
                                Alert("latency p99", "above 50 ms", "serving on-call")])
    assert problems(doc) == [("Monitoring", "the alert on input PSI has no owner")]


def test_retraining_faster_than_the_slowest_label_is_flagged():
    doc = sound_doc(data_labels=[Label("click", 24), Label("conversion", 168)],
                    data_freshness=[Retraining(24)])
    assert problems(doc) == [("Data", "the model is retrained every 24 h but conversion takes up "
                                      "to 168 h to arrive")]
    assert sound_doc(data_freshness=[Retraining(168)]).review().passed


def test_findings_come_in_checklist_order_and_render_as_a_table():
    doc = sound_doc(decision="prose only", monitoring=["m", Alert("psi", "> 0.25")],
                    serving=[Budget(50), Dependency("store", 10)])
    points = [finding.point for finding in doc.review().findings]
    assert points == ["Decision", "Monitoring", "Fallback"]
    frame = doc.review().to_frame()
    assert list(frame.columns) == ["point", "problem", "reason"] and len(frame) == 3
    assert "**3 finding(s)**" in doc.review()._repr_markdown_()


def test_entries_render_as_readable_lines_in_the_document():
    text = sound_doc().to_markdown()
    assert "- feature store: p99 12 ms; without it: default counters" in text
    assert "- Alert on calibration ratio when outside [0.9, 1.1] for an hour → ads ranking on-call" in text
    assert "- normalized_entropy (calibration)" in text


def test_an_entry_in_a_field_that_does_not_take_it_is_a_type_error():
    with pytest.raises(TypeError, match=r"DesignDoc.monitoring must be a string or a list of "
                                        r"strings, Alert entries; monitoring\[0\] is Budget"):
        DesignDoc(title="T", monitoring=[Budget(50)])
    with pytest.raises(TypeError, match=r"DesignDoc.goals must be a string or a list of strings; "
                                        r"goals\[0\] is Kind"):
        DesignDoc(title="T", goals=[Kind("ranking")])


@pytest.mark.parametrize("make, message", [
    (lambda: Kind("sorting"), "Kind must be one of ranking, threshold, priced probability"),
    (lambda: Metric("accuracy"), "Metric must name a function of mlsd.metrics"),
    (lambda: Label("click", 0), "Label click: delay_hours must be a positive number; got 0"),
    (lambda: Label(" ", 3), "Label.name must be a non-blank string"),
    (lambda: Retraining(float("inf")), "Retraining.every_hours must be a positive number"),
    (lambda: Budget(True), "Budget.p99_ms must be a positive number; got True"),
    (lambda: Dependency("store", 5, None), "Dependency store: fallback must be a string"),
    (lambda: Alert("psi", ""), "Alert psi: rule must be a non-blank string"),
])
def test_bad_entries_name_the_entry_the_value_and_what_is_allowed(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_every_metric_the_review_knows_is_a_function_of_mlsd_metrics():
    import mlsd.metrics
    from mlsd.design_review import METRIC_FAMILIES

    assert all(callable(getattr(mlsd.metrics, name)) for name in METRIC_FAMILIES)


def test_the_cases_designs_pass_the_review_but_for_what_their_notebooks_answer():
    from mlsd.cases import ad_click, video_recs

    assert video_recs.design_doc().review().passed
    [finding] = ad_click.design_doc().review().findings  # answered by 3_architecture's simulation
    assert (finding.point, finding.problem) == (
        "Serving", "the dependencies' p99s add up to 61 ms, over the 50 ms budget")
