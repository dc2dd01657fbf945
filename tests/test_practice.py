"""Interview practice: the phases cover the review, the form reads back into the design it shows,
its bad lines get one clear message, the cases' prompts, and the app view over form and review."""

import pytest

from mlsd.cases import practice
from mlsd.design import CHECKLIST, DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining
from mlsd.practice import PHASES, FormError, Phase, design_from_form, phase_table
from mlsd.practice.app import PracticeApp, findings_html
from mlsd.practice.form import form_fields, form_values

SERVING_OVER_BUDGET = {"budget_ms": "50", "dependencies": "retrieval, 30, popular ads\nranker, 40, cached scores"}


def test_every_review_point_is_answered_in_exactly_one_phase_and_the_boxes_fill_forty_minutes():
    points = [point for phase in PHASES for point in phase.points]
    assert sorted(points) == sorted(point.title for point in CHECKLIST)
    assert sum(phase.minutes for phase in PHASES) == 40
    assert phase_table().loc["Data and labels", "answers"] == "Data"
    assert PHASES[1].fields == ("data_sources", "data_labels", "data_freshness", "data_owners")
    with pytest.raises(ValueError, match=r"phase 'x': \['Modelling'\] are not points of the design review"):
        Phase("x", 5, ("Modelling",), "")


@pytest.mark.parametrize("key", [prompt.key for prompt in practice.prompts()])
def test_a_reference_answer_written_in_the_form_reads_back_with_the_same_entries_and_review(key):
    doc = practice.prompt(key).reference()
    back = design_from_form(doc.title, form_values(doc))
    assert back.review() == doc.review()
    for field in ("decision", "data_labels", "data_freshness", "metrics_offline", "serving", "monitoring"):
        original = [item for item in getattr(doc, field) if not isinstance(item, str)]
        assert [item for item in getattr(back, field) if not isinstance(item, str)] == original, field


def test_the_form_writes_each_entry_into_its_field():
    doc = design_from_form("t", {
        "decision": "Rank ads.\n\n", "kind": ("priced probability",), "labels": "click, 24",
        "retrain_every_hours": "12", "metrics": ("log_loss", "roc_auc"), "budget_ms": "50",
        "dependencies": "ranker, 20, the ad's historical CTR, shrunk", "alerts": "calibration; off by 10%; ads on-call",
    })
    assert doc.decision == ["Rank ads.", Kind("priced probability")]
    assert doc.data_labels == [Label("click", 24)] and doc.data_freshness == [Retraining(12)]
    assert doc.metrics_offline == [Metric("log_loss"), Metric("roc_auc")]
    assert doc.serving == [Budget(50), Dependency("ranker", 20, "the ad's historical CTR, shrunk")]
    assert doc.monitoring == [Alert("calibration", "off by 10%", "ads on-call")]
    assert design_from_form("", {}).title == "Untitled design"


@pytest.mark.parametrize("values, message", [
    ({"dependencies": "ranker 80"}, "Online dependencies, line 1: 'ranker 80' — write it as name, p99 ms, "
                                    "fallback — e.g. ranker, 80, cached order (a name and a p99 are needed)"),
    ({"dependencies": "ok, 5, x\nranker, fast, cached"}, "Online dependencies, line 2: 'ranker, fast, cached'"),
    ({"labels": "click"}, "Labels and their delay, line 1: 'click' — write it as name, hours until it arrives"),
    ({"labels": "click, -3"}, "delay_hours must be a positive number; got -3.0"),
    ({"alerts": "recall dropped"}, "Alerts, line 1: 'recall dropped'"),
    ({"budget_ms": "fifty"}, "Latency budget, p99 (ms) must be a positive number; got 'fifty'"),
    ({"retrain_every_hours": "0"}, "Retrain every (hours) must be a positive number; got '0'"),
    ({"metrics": ("accuracy",)}, "Offline metrics (mlsd.metrics): 'accuracy' is not allowed; allowed: precision_at_k"),
    ({"kind": ("ranked",)}, "Kind of decision: 'ranked' is not allowed; allowed: ranking, threshold"),
    ({"serving_path": "x"}, "the form has no field 'serving_path'; its fields are decision, kind, user"),
    ({"goals": 3}, "goals must be text; got 3"),
])
def test_a_line_the_form_cannot_read_names_the_field_the_line_and_the_form_it_takes(values, message):
    with pytest.raises(FormError) as caught:
        design_from_form("t", values)
    assert message in str(caught.value)


def test_each_cross_field_check_is_reached_through_the_form():
    values = {**form_values(practice.prompt("video_home").reference()), **SERVING_OVER_BUDGET,
              "alerts": "p99 latency; above 50 ms; ", "retrain_every_hours": "1", "metrics": ("log_loss",),
              "cost_of_failure": "TBD"}
    problems = {finding.point: finding.problem for finding in design_from_form("t", values).review().findings}
    assert problems == {
        "Cost of failure": "the answer 'TBD' is a placeholder",
        "Data": "the model is retrained every 1 h but engaged watch takes up to 2 h to arrive",
        "Metrics": problems["Metrics"], "Serving": "the dependencies' p99s add up to 70 ms, over the 50 ms budget",
        "Monitoring": "the alert on p99 latency has no owner",
    }
    assert problems["Metrics"].startswith("a ranking decision has no ranking metric offline")
    values["dependencies"] = "retrieval, 30"
    assert [f.problem for f in design_from_form("t", values).review().findings if f.point == "Fallback"] == [
        "no fallback is named for retrieval"]


def test_every_case_prompt_is_open_asks_questions_and_a_variant_says_what_changes():
    prompts = practice.prompts()
    assert len({prompt.key for prompt in prompts}) == len(prompts) >= 4
    for prompt in prompts:
        assert len(prompt.text) < 90 and len(prompt.questions) >= 5, prompt.key
        assert list(prompt.questions_table().columns) == ["question", "assumption"]
    variants = [prompt for prompt in prompts if prompt.differences]
    assert {prompt.key for prompt in variants} == {
        "short_video", "notifications", "search_ads", "hotel_search", "experiences_search",
        "grocery_eta", "pickup_eta"}
    assert "What changes from the case's own problem" in variants[0].reference_markdown()
    assert {prompt.reference().title for prompt in variants} == {
        "Short-video feed", "Notifications ranking", "Click prediction for sponsored search",
        "Hotel search ranking at an online travel agency", "Experiences search ranking",
        "Delivery-time promise for grocery delivery", "Pickup-time estimate for ride hailing"}
    assert all(prompt.reference().review().passed for prompt in variants)
    assert "100M daily users" in practice.prompt("video_home").questions_markdown()
    with pytest.raises(ValueError, match="prompt must be one of video_home, short_video, "
                                         "feed_home, notifications, display_ads, search_ads, "
                                         "rental_search, hotel_search, experiences_search, "
                                         "delivery_eta, grocery_eta, pickup_eta; "
                                         "got 'feed'"):
        practice.prompt("feed")


@pytest.fixture
def app():
    return PracticeApp(practice.prompts())


def test_the_app_shows_what_the_review_of_its_form_finds(app, capsys):
    app.inputs["budget_ms"].value = SERVING_OVER_BUDGET["budget_ms"]
    app.inputs["dependencies"].value = SERVING_OVER_BUDGET["dependencies"]
    app.review_button.click()
    expected = design_from_form("Video recommendations", app.values()).review()
    assert app.findings.value == findings_html(expected)
    assert "the dependencies&#x27; p99s add up to 70 ms, over the 50 ms budget" in app.findings.value
    assert "<h3>Design review: Video recommendations for the home page</h3>" in app.reference.value


def test_the_app_says_which_line_it_cannot_read_and_a_new_prompt_starts_clean(app):
    app.inputs["alerts"].value = "latency only"
    assert app.show_review() is None
    assert "Cannot read the form:</b> Alerts, line 1: &#x27;latency only&#x27;" in app.findings.value
    app.chooser.value = "search_ads"
    assert app.findings.value == "" and "Design the ads shown next to search results." in app.prompt_text.value
    assert "Are all queries alike?" in app.questions.value


def test_a_complete_form_passes_and_the_timer_counts_down(app):
    for name, value in form_values(practice.prompt("video_home").reference()).items():
        app.inputs[name].value = value
    assert app.show_review().passed and "No findings" in app.findings.value
    play, _, left = app.widget.children[4].children[0].children[0].children
    assert left.value == "5:00 left"
    play.value = 75
    assert left.value == "3:45 left"


def test_every_form_input_is_in_the_app_once(app):
    assert list(app.inputs) == [field.name for field in form_fields()]
    assert isinstance(DesignDoc, type)
    with pytest.raises(ValueError, match="at least one prompt"):
        PracticeApp([])


def test_the_app_opens_on_the_prompt_asked_for_and_names_the_allowed_ones():
    assert PracticeApp(practice.prompts(), first="display_ads").prompt.title == "Ad click prediction"
    with pytest.raises(ValueError, match="first must be one of video_home, .*; got 'ads'"):
        PracticeApp(practice.prompts(), first="ads")
