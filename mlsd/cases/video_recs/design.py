"""The design review of the video home-page recommender, filled point by point."""

from __future__ import annotations

from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining
from mlsd.practice.interview import Prompt, Question
from mlsd.sizing import Assumptions


def design_doc() -> DesignDoc:
    """The 14-point review of a YouTube-style home feed (Covington et al. 2016 shape)."""
    return DesignDoc(
        title="Video recommendations for the home page",
        decision=["Which 10–20 videos fill a user's home page when they open the app, and in what order.",
                  Kind("ranking")],
        user=["Viewers browsing the home page.", "Creators, whose audience depends on being recommended."],
        cost_of_failure=[
            "Wrong: watch time lost, users leave; clickbait that is abandoned early teaches the system more of it.",
            "Late: the page renders with a cached or popular fallback.",
            "Biased: popular videos take every slot; new creators and new videos never get an audience.",
            "Missing: an empty shelf, the worst first impression.",
        ],
        goals=["Long-term watch time and return visits, not clicks.", "Fresh and diverse pages within a 200 ms budget."],
        non_goals=["Search ranking (a separate system).", "Choosing which videos may be hosted (policy)."],
        data_sources=["Watch logs (user, video, time, share watched)", "Video metadata (upload time, length, creator)", "User context (device, time)"],
        data_labels=[
            "Implicit: a watch with high engagement (share watched ≥ 0.8) is relevant; the label exists once the "
            "session ends. Logged data only show what the system chose to show (exposure bias).",
            Label("engaged watch", delay_hours=2),
        ],
        data_freshness=["New videos must be recommendable within hours; user histories update within the session.",
                        Retraining(every_hours=24)],
        data_owners=["Playback logging team", "Content metadata team"],
        baseline="The most watched videos of the last period, the same for everyone.",
        metrics_offline=["Recall@100 of the candidate stage", "NDCG@10 and MAP@10 of the ranker on a temporal split", "Coverage, novelty, diversity",
                         Metric("recall_at_k"), Metric("ndcg_at_k"), Metric("catalog_coverage"), Metric("intra_list_diversity")],
        metrics_online=["Watch time per user", "Completion rate", "Click-through rate (as a diagnostic, not the goal)"],
        metrics_business=["Daily active users and return visits", "Creator retention"],
        metrics_guardrail=["p99 page latency", "Share of impressions for new videos", "Reports of harmful content"],
        metrics_slice=["New vs returning users", "New vs established videos", "Country and device"],
        model=[
            "Most popular (baseline).",
            "Candidate sources: popular, item-to-item co-visitation, matrix factorisation; merged.",
            "Gradient-boosted ranker on candidate scores, video and user features; later a deep ranker on watch time.",
        ],
        serving=[
            "Online on page load: candidate generation (thousands) → ranking (hundreds) → re-ranking for freshness, "
            "diversity and policy (tens), within 200 ms; precomputed candidates as the fallback.",
            Budget(p99_ms=200),
            Dependency("candidate sources", p99_ms=60, fallback="the user's precomputed candidates from the last batch"),
            Dependency("feature store", p99_ms=20, fallback="default features: the ranker's training medians"),
            Dependency("ranker", p99_ms=80, fallback="candidates ordered by matrix factorisation's score"),
            Dependency("re-ranker", p99_ms=25, fallback="the ranker's order, unchanged"),
        ],
        validation=["Temporal offline split", "Interleaving for rankers", "A/B test on watch time with guardrails"],
        monitoring=[
            "Candidate recall and coverage by day", "Share of new videos shown", "Latency per stage",
            Alert("candidate recall@100", "10% below its trailing-week mean", owner="recommendations on-call"),
            Alert("share of slots for new videos", "below 2% for a day", owner="recommendations on-call"),
            Alert("page p99 latency", "above 200 ms for 5 minutes", owner="serving on-call"),
        ],
        fallback=["Ranker down: order candidates by a source score.", "Candidates down: cached popular-by-region lists."],
        ownership=["Recommendations team owns candidates and ranker", "Infrastructure owns the serving funnel"],
        platform=["Shared embedding and candidate-retrieval service", "Feature store", "Experimentation platform with interleaving"],
    )



FEED_BUDGET_MS = 100
"""The feed's p99 budget: the next video must be chosen before the swipe's animation ends."""

FEED_DEPENDENCIES = (
    Dependency("session candidates", p99_ms=30,
               fallback="the user's candidates precomputed at the last session"),
    Dependency("feature store", p99_ms=10, fallback="the session's own counters only"),
    Dependency("ranker", p99_ms=35, fallback="candidates in matrix factorisation's order"),
    Dependency("re-ranker", p99_ms=10, fallback="the ranker's order, unchanged"),
)


def feed_design_doc() -> DesignDoc:
    """The short-video feed's design, from the home page's (:func:`design_doc`): what a
    swipe changes — the decision, the labels, the freshness, the serving path and its alerts."""
    home = design_doc().to_dict()
    return DesignDoc.from_dict({
        **home,
        "title": "Short-video feed",
        "decision": ["Which video comes next in the endless feed, chosen after every swipe.",
                     Kind("ranking")],
        "data_labels": ["Implicit, within seconds: watch-through, replays and swipe-away time.",
                        Label("watch-through or swipe-away", delay_hours=0.05)],
        "data_freshness": ["Session features update within seconds; new videos are served within "
                           "minutes; the model is updated every 15 minutes.",
                           Retraining(every_hours=0.25)],
        "serving": ["Online per swipe: session candidates → ranker → re-ranker within 100 ms.",
                    Budget(p99_ms=FEED_BUDGET_MS), *FEED_DEPENDENCIES],
        "monitoring": [*[item for item in home["monitoring"] if not isinstance(item, Alert)
                         or "latency" not in item.signal],
                       Alert("swipe p99 latency", "above 100 ms for 5 minutes",
                             owner="serving on-call")],
    })



def scale_assumptions() -> Assumptions:
    """The scale a candidate states for a YouTube-sized home page: 100M daily users opening it
    5 times a day with a peak of 3× the mean, 100M videos as 64 float32 values each, 500 candidates
    ranked per request at 100 µs each over 8 workers, 60 ms for everything else, a 200 ms budget,
    2 kB logged per request."""
    return Assumptions(daily_users=100e6, requests_per_user=5, peak_factor=3, n_items=100e6,
                       embedding_dim=64, bytes_per_value=4, candidates=500, scoring_us=100,
                       scoring_parallelism=8, other_ms=60, latency_budget_ms=200,
                       log_bytes_per_request=2_000)



def clarifying_questions() -> tuple[Question, ...]:
    """What a strong candidate asks before designing the home page, with the assumption this case
    makes for each; the scale is read from :func:`scale_assumptions`."""
    scale = scale_assumptions()
    return (
        Question("Which surface: the home page, 'up next', or search?",
                 "The home page: 10–20 videos when the app opens, ordered."),
        Question("What is success: clicks, watch time, or return visits?",
                 "Long-term watch time and return visits; clicks only as a diagnostic."),
        Question("How many users, videos and requests?",
                 f"{scale.daily_users / 1e6:g}M daily users opening the page "
                 f"{scale.requests_per_user:g} times a day, peaks {scale.peak_factor:g}× the mean; "
                 f"{scale.n_items / 1e6:g}M videos."),
        Question("How fast must the page answer?",
                 f"p99 {scale.latency_budget_ms:g} ms for the whole page."),
        Question("Which feedback exists: ratings or implicit watches?",
                 "Implicit: the share of each video watched; at least 80% is an engaged watch."),
        Question("How fresh: new videos, the current session?",
                 "New videos recommendable within hours; the history updates within the session."),
        Question("Are many users or videos new?",
                 "Yes, both: new users get popular and trending candidates until they have history."),
    )


def interview_prompts() -> tuple[Prompt, ...]:
    """The case's open prompt and a variant, each with its reference answer."""
    questions = clarifying_questions()
    return (
        Prompt("video_home", "video_recs", "Video recommendations",
               "Design the recommendations on the home page of a large video app.",
               questions, design_doc),
        Prompt("short_video", "video_recs", "A short-video swipe feed",
               "Design the ranking of a short-video feed that shows one video at a time.",
               (Question("What does the feed decide, and how often?",
                         "The next video, after every swipe; one at a time, full screen."),
                Question("What is a good outcome of one video?",
                         "Watched through or replayed; a swipe within 2 s is a negative."),
                *questions[2:4],
                Question("How new are the videos?",
                         "Uploaded minutes ago: they need an audience before they have history."),
                ), feed_design_doc, differences=(
                   "The decision is the next video after every swipe, not a page of 10–20.",
                   "The label is the swipe itself (watch-through, replay, skip time), within "
                   "seconds, so training and features can be hours fresher.",
                   "The budget per swipe is tighter (tens of ms), so candidates are prefetched "
                   "for the session.",
                   "New videos must reach an audience within minutes: exploration is part of the "
                   "design, not an add-on.",
               )),
    )
