"""The design review of the ad click-prediction system, filled point by point."""

from __future__ import annotations

from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining
from mlsd.practice.interview import Prompt, Question
from mlsd.sizing import Assumptions


def design_doc() -> DesignDoc:
    """The 14-point review of click prediction for a second-price ad auction."""
    return DesignDoc(
        title="Ad click prediction for the auction",
        decision=[
            "Which ad wins each slot, and what it pays: ads are ranked by expected value "
            "eCPM = bid × pCTR, and the price depends on the runner-up's eCPM. The probability "
            "itself enters the price, so it must be right, not just well ordered.",
            Kind("priced probability"),
            Kind("ranking"),
        ],
        user=[
            "Users see the winning ads (relevance, ad load).",
            "Advertisers pay per click and judge return on spend.",
            "The auction service consumes pCTR on every request.",
        ],
        cost_of_failure=[
            "Miscalibrated pCTR (calibration ratio away from 1): the wrong ad wins and prices move; an "
            "over-predicted winner pays less per click, an under-predicted ad loses auctions it should win.",
            "Under-predicted pCTR: good ads lose auctions and revenue is left on the table.",
            "Late prediction: the request times out and the slot is filled by the fallback, or left empty.",
            "Biased prediction: new ads or small advertisers never get shown (cold start feeds itself).",
        ],
        goals=["Calibrated pCTR with low normalized entropy on tomorrow's traffic.", "Within the serving latency budget at peak QPS."],
        non_goals=["Choosing bids or budgets for advertisers.", "Post-click conversion prediction (a separate model)."],
        data_sources=["Impression logs (user, ad, site, device, hour, slot).", "Click logs, joined to impressions by impression id.", "Ad and advertiser catalogue."],
        data_labels=[
            "Label = clicked within a window after the impression. Clicks arrive late (minutes to days), "
            "so the window trades label completeness against freshness.",
            Label("click within the window", delay_hours=24),
        ],
        data_freshness=[
            "Ad quality drifts daily and new ads arrive every day: counters in near real time, retraining daily "
            "on the impressions whose 24 h window has closed.",
            Retraining(every_hours=24),
        ],
        data_owners=["Ads logging team (impressions, clicks).", "Ads catalogue team (ads, advertisers)."],
        baseline="Each ad's smoothed historical click rate (clicks + m × global rate) / (impressions + m).",
        metrics_offline=[
            "Normalized entropy (log loss / entropy of the base rate).",
            "Calibration ratio, and expected calibration error over ten quantile bins, read against its "
            "noise floor (the truth's own ECE is not 0 on a sample).",
            "ROC AUC for ranking, on a time-based split; miscalibration that differs between advertisers "
            "moves it too.",
            Metric("normalized_entropy"),
            Metric("calibration_ratio"),
            Metric("expected_calibration_error"),
            Metric("roc_auc"),
        ],
        metrics_online=["CTR", "Revenue per thousand requests", "Calibration ratio on live traffic"],
        metrics_business=["Advertiser return on spend and retention", "Total revenue"],
        metrics_guardrail=["p99 scoring latency", "Ad hide / report rate", "Share of impressions for new ads"],
        metrics_slice=[
            "New vs established ads, device, publisher (site), ad category, slot (position): each "
            "slice's calibration ratio with its bootstrap interval — a slice of a hundred clicks is noisy.",
        ],
        model=[
            "Smoothed historical CTR per ad (the baseline).",
            "Logistic regression on hashed categoricals (2^18 buckets) with feature crosses: both "
            "measurably lower normalized entropy.",
            "The slot (position) as a training feature, fixed at serving, so that position bias is "
            "not learned as ad quality.",
            "Gradient-boosted trees on historical counters, or trees feeding a linear model (He et al. 2014).",
        ],
        serving=[
            "Online: request → feature lookup (counters, user and context) → candidate ads → pCTR for each "
            "→ auction; tens of milliseconds in total at thousands of QPS. Degrades to the baseline CTR table. "
            "The stages' p99s add up to more than the budget: the whole path's p99 is simulated "
            "(3_architecture), not budgeted stage by stage.",
            Budget(p99_ms=50),
            Dependency("feature lookup", p99_ms=32, fallback="the advertiser-level rate and default context"),
            Dependency("candidate retrieval", p99_ms=19, fallback="the ads eligible for the page, cached"),
            Dependency("pCTR scoring", p99_ms=10, fallback="the smoothed-CTR table"),
        ],
        validation=[
            "Offline: time-based split, NE and calibration by day; thresholds chosen on a held-out "
            "day before the test days.",
            "Shadow scoring on live traffic.",
            "A/B test on CTR and revenue with guardrails: a model that wins more clicks need not earn "
            "more in a second-price auction.",
        ],
        monitoring=[
            "Input drift (PSI of device, slot, site, hour), prediction drift, calibration ratio by hour.",
            "Label delay and click-join completeness.",
            Alert("input PSI (device, slot, site, hour)", "at or above 0.25 on a day", owner="ads-ranking on-call"),
            Alert("calibration ratio on clicked-window traffic", "outside [0.9, 1.1] for an hour",
                  owner="ads-ranking on-call"),
            Alert("p99 scoring latency", "above the 50 ms budget for 5 minutes", owner="ads-infrastructure on-call"),
        ],
        fallback=["Model or feature service down: serve the smoothed-CTR table.", "Stale counters: fall back to the advertiser-level rate."],
        ownership=["Ads ranking team owns model and features.", "Ads infrastructure owns serving and the auction."],
        platform=["Feature store with streaming counters.", "Shared calibration and monitoring service.", "Experimentation platform."],
    )


def sponsored_search_doc() -> DesignDoc:
    """The display-ads review (:func:`design_doc`) changed for sponsored search."""
    doc = design_doc()
    doc.title = "Click prediction for sponsored search"
    doc.decision = [
        "Which ads, matched to the user's query by keyword, win the slots above the results, and "
        "what they pay: ranked by bid × pCTR(query, ad), priced by the runner-up.",
        Kind("priced probability"),
        Kind("ranking"),
    ]
    doc.data_sources = ["Query logs and the keyword match of each impression.",
                        "Impression and click logs, joined by impression id.",
                        "Ad, keyword and advertiser catalogue."]
    doc.metrics_slice = ["Head vs tail queries", "Exact vs broad keyword match",
                         "New vs established ads", "Device"]
    doc.serving = [
        "Online: query → query understanding → keyword matching (an inverted index) → feature "
        "lookup → pCTR for each candidate → auction. The stages' p99s are tightened so that their "
        "sum fits the budget: features from a co-located cache, intent classes cached for head "
        "queries.",
        Budget(p99_ms=50),
        Dependency("query understanding", p99_ms=6,
                   fallback="the normalised raw query, exact match only"),
        Dependency("keyword matching", p99_ms=14,
                   fallback="the cached candidates of the head query"),
        Dependency("feature lookup", p99_ms=18,
                   fallback="the advertiser-level rate and default context"),
        Dependency("pCTR scoring", p99_ms=10, fallback="the smoothed-CTR table"),
    ]
    return doc


def scale_assumptions() -> Assumptions:
    """The scale a candidate states for a large ad platform: 200M daily users, 20 ad requests each
    a day with a peak of 3× the mean, 10M live ads as 32 float32 values each, 200 candidate ads
    scored per request at 20 µs each (one worker), 25 ms for everything else, a 50 ms budget, 1 kB
    logged per request."""
    return Assumptions(daily_users=200e6, requests_per_user=20, peak_factor=3, n_items=10e6,
                       embedding_dim=32, bytes_per_value=4, candidates=200, scoring_us=20,
                       scoring_parallelism=1, other_ms=25, latency_budget_ms=50,
                       log_bytes_per_request=1_000)



def clarifying_questions() -> tuple[Question, ...]:
    """What a strong candidate asks before designing click prediction, with the assumption this
    case makes for each; the scale is read from :func:`scale_assumptions`."""
    scale = scale_assumptions()
    return (
        Question("Which ads: display, search, or in a feed?",
                 "Display ads in slots on pages: no query, the user and the page are the context."),
        Question("How is the winner chosen and priced?",
                 "A second-price auction ranked by bid × pCTR: the probability sets the price, so "
                 "it must be calibrated, not only well ordered."),
        Question("How many requests, users and ads?",
                 f"{scale.daily_users / 1e6:g}M daily users, {scale.requests_per_user:g} ad requests "
                 f"each a day, peaks {scale.peak_factor:g}× the mean; {scale.n_items / 1e6:g}M live "
                 f"ads, {scale.candidates:g} candidates scored per request."),
        Question("How fast must an ad be chosen?",
                 f"p99 {scale.latency_budget_ms:g} ms for the whole request."),
        Question("What is the label, and when is it known?",
                 "A click within 24 h of the impression; most arrive within the hour, a tail later."),
        Question("How often do ads and users change?",
                 "New ads start every day and campaigns end: retrain daily, fall back to the "
                 "advertiser's or the slot's rate for a new ad."),
    )


def interview_prompts() -> tuple[Prompt, ...]:
    """The case's open prompt and a variant, each with its reference answer."""
    questions = clarifying_questions()
    return (
        Prompt("display_ads", "ad_click", "Ad click prediction",
               "Design the click prediction behind a display-ads auction.", questions, design_doc),
        Prompt("search_ads", "ad_click", "Sponsored search ads",
               "Design the ads shown next to search results.",
               (Question("Where do the ads come from?",
                         "Advertisers bid on keywords; an ad is a candidate when its keyword matches "
                         "the query (exact, phrase or broad match)."),
                *questions[1:4],
                Question("Are all queries alike?",
                         "No: a few head queries carry much of the traffic; most queries are rare."),
                ), sponsored_search_doc,
               differences=(
                   "The query is known: candidates come from keyword matching (exact, phrase, "
                   "broad), a serving dependency of its own.",
                   "Relevance to the query is a guardrail: an irrelevant ad costs the search "
                   "experience even when clicked.",
                   "Head and tail queries behave differently: slice every metric by query "
                   "frequency.",
                   "The auction runs per query, with reserve prices by query class.",
               )),
    )
