"""The design review of a professional network's home-feed ranking, filled point by point, with
the scale a candidate states, the questions to ask first and the case's interview prompts."""

from __future__ import annotations

from mlsd.cases.feed_ranking.serving import LATENCY_BUDGET_MS
from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining
from mlsd.practice.interview import Prompt, Question
from mlsd.sizing import Assumptions


def design_doc() -> DesignDoc:
    """The 14-point review of a LinkedIn-style home feed: two passes, six heads, one value model."""
    return DesignDoc(
        title="Home-feed ranking for a professional network",
        decision=[
            "The order of the posts in a member's feed each time it loads: a few thousand "
            "candidates from the network, the creators followed and trending posts, ranked by the "
            "value model Σ weight × P(head) over six heads (click, long dwell, like, comment, "
            "share, hide). Today: reverse-chronological order of the network's posts.",
            Kind("ranking"),
        ],
        user=[
            "Members scrolling the feed: they read, react, comment, share or hide.",
            "Creators, whose reach (and reason to post again) depends on the ranking.",
            "The product team, who set the heads' weights as a decision on what the feed is for.",
        ],
        cost_of_failure=[
            "Wrong order: click-bait on top, hides and early exits; members come back less often.",
            "Miscalibrated heads: the weighted sum silently re-weights the objectives (a head "
            "over-predicted twofold counts double), so the product's trade-off is not the one set.",
            "Late: the load times out and the member sees the cached or chronological feed.",
            "Biased: the largest creators take the top slots, small creators stop posting, the "
            "inventory of the network shrinks.",
        ],
        goals=["More valuable sessions: reads, conversations (comments, shares) and fewer hides "
               "per session, for every member whatever their activity.",
               "A feed load within 200 ms at p99 at peak traffic.",
               "Reach for small creators and a diverse first screen."],
        non_goals=["Ads in the feed (a separate auction).",
                   "Which posts may be shown at all (trust and safety's policy).",
                   "Notifications and email digests."],
        data_sources=["Impression logs: member, post, slot, session, time, the ranker's score.",
                      "Action logs: clicks, dwell, reactions, comments, shares, hides.",
                      "The member graph (connections, follows) and profiles.",
                      "Post and creator metadata (format, topic, age, follower counts)."],
        data_labels=[
            "One 0/1 label per head, joined to the impression by impression id: a click and a "
            "hide arrive within seconds; long dwell (a click followed by 30 s of reading, not a "
            "bounce) when the member comes back to the feed; likes within minutes; comments and "
            "shares within the hour, some later: a two-hour window closes the labels.",
            "Logged labels depend on the slot (a post in slot 8 is rarely seen): train with the "
            "slot as a feature set to 1 at serving, and on the random-order sessions.",
            Label("click", delay_hours=0.01),
            Label("hide", delay_hours=0.01),
            Label("long dwell", delay_hours=0.25),
            Label("like", delay_hours=0.5),
            Label("comment", delay_hours=2),
            Label("share", delay_hours=2),
        ],
        data_freshness=[
            "Streaming counters (a post's engagement in the last minutes) for viral posts, which "
            "gather most of their engagement in their first hours; batch features daily.",
            "The ranker is retrained every 6 h on impressions whose two-hour label window has "
            "closed.",
            Retraining(every_hours=6),
        ],
        data_owners=["Feed infrastructure: impression and action logs.",
                     "Graph team: connections and follows.",
                     "Content understanding: topics and formats."],
        baseline=["Reverse-chronological order of the network's posts (the feed before ranking).",
                  "Then a single click model: the value model must beat both on sessions' value."],
        metrics_offline=[
            "Per head on a time split: ROC AUC and GAUC (AUC within each member, weighted by "
            "impressions), since the feed orders one member's posts and nearly all of AUC's "
            "pairs compare two members.",
            "Per head: normalized entropy and the calibration ratio, since the value model adds "
            "the heads' probabilities.",
            "The value, reads, viral actions and hides per session of the re-ordered feed, "
            "against the truth where a simulator knows it, or on the random-order sessions.",
            Metric("grouped_roc_auc"),
            Metric("roc_auc"),
            Metric("normalized_entropy"),
            Metric("calibration_ratio"),
        ],
        metrics_online=["Sessions with a read or a conversation per member", "Time spent reading",
                        "Hide rate", "Comments and shares per session"],
        metrics_business=["Daily and weekly active members", "Creators who post again"],
        metrics_guardrail=["Hide and report rate", "Share of the first screen for small "
                           "creators; creator concentration (Gini)", "p99 feed-load latency"],
        metrics_slice=["New, occasional and daily members", "Small and large creators",
                       "Post format (text, image, video, article)", "Country and device"],
        model=[
            "Reverse-chronological (baseline), then a logistic click model on counters.",
            "A first-pass ranker per source (light, over thousands of candidates).",
            "A second-pass multi-task network: shared layers, one calibrated head per action, "
            "the value model on top; each head calibrated (isotonic or Platt) on recent traffic.",
            "A re-ranker for diversity (at most two posts of a creator on the first screen) and "
            "freshness.",
        ],
        serving=[
            "Online per feed load: candidate sources → feature fetch → first-pass ranker → "
            "second-pass ranker → re-ranker, each call cut at its stated p99 and served by its "
            "fallback after it; the whole path is simulated with serving.funnel_stages.",
            Budget(p99_ms=LATENCY_BUDGET_MS),
            Dependency("candidate sources", p99_ms=50,
                       fallback="the sources that answered; the member's cached candidates"),
            Dependency("feature store", p99_ms=25,
                       fallback="batch features only, the streaming counters left at 0"),
            Dependency("first-pass ranker", p99_ms=30,
                       fallback="each source's own order, interleaved"),
            Dependency("second-pass ranker", p99_ms=70, fallback="the first-pass order"),
            Dependency("re-ranker", p99_ms=15,
                       fallback="the second-pass order with a cap of two posts per creator"),
        ],
        validation=[
            "Offline: time split, per-head scorecard, and value per session on the random-order "
            "sessions (where the slot does not depend on the old ranker).",
            "Shadow scoring; then an A/B test on sessions' value with hide rate, creator reach "
            "and latency as guardrails.",
            "Any change of the heads' weights is its own experiment.",
        ],
        monitoring=[
            "Calibration ratio per head by hour; head positive rates; feature drift; creator "
            "concentration of the first screen; latency per stage.",
            Alert("calibration ratio of any head", "outside [0.8, 1.25] for two hours",
                  owner="feed-relevance on-call"),
            Alert("hide rate", "20% above its trailing-week mean for an hour",
                  owner="feed-relevance on-call"),
            Alert("streaming counter lag", "above 10 minutes", owner="feed-infrastructure on-call"),
            Alert("feed-load p99 latency", "above 200 ms for 5 minutes",
                  owner="feed-infrastructure on-call"),
        ],
        fallback=["Ranker down: first-pass order, then reverse-chronological.",
                  "Streaming counters late: batch features; viral posts lose their boost."],
        ownership=["Feed relevance owns the heads, the value model and its calibration.",
                   "Product owns the weights; feed infrastructure owns the serving path and logs."],
        platform=["Feature store with batch and streaming features", "Shared calibration service",
                  "Experimentation platform with guardrail metrics"],
    )


def notifications_doc() -> DesignDoc:
    """The home feed's review (:func:`design_doc`) changed for a notifications feed: what to send,
    when, and how often, not only in which order."""
    doc = design_doc()
    doc.title = "Notifications ranking"
    doc.decision = [
        "Which of the member's candidate notifications (a connection's post, a comment on "
        "theirs, a job) to send now as a push, which to leave in the notifications tab, and in "
        "what order: the value of a push against the cost of interrupting.",
        Kind("ranking"),
        Kind("threshold"),
    ]
    doc.data_labels = [
        "The push is opened within a day, or the member turns notifications off (the costly "
        "negative, rare and slow to show).",
        Label("push opened", delay_hours=24),
        Label("notifications turned off", delay_hours=24),
    ]
    doc.data_freshness = ["Retrained daily on sends whose 24-hour window has closed.",
                          Retraining(every_hours=24)]
    doc.metrics_offline = [
        *[item for item in doc.metrics_offline if not isinstance(item, str)],
        "Per head as in the feed; at the send threshold, precision and the expected cost of a "
        "send against the opens it earns.",
        Metric("expected_cost"),
    ]
    doc.metrics_guardrail = ["Notifications turned off", "Sends per member per day",
                             "Uninstalls"]
    doc.serving = [
        "Event-driven: a new candidate is scored when it appears, sent if its value clears the "
        "member's threshold and the daily cap; the rest wait for the tab.",
        Budget(p99_ms=500),
        Dependency("feature store", p99_ms=25, fallback="batch features only"),
        Dependency("notification ranker", p99_ms=60, fallback="send nothing; the tab only"),
        Dependency("send-rate limiter", p99_ms=10, fallback="the daily cap as a local counter"),
    ]
    doc.monitoring = [
        *[item for item in doc.monitoring if not isinstance(item, Alert) or "latency" not in item.signal],
        Alert("notifications turned off", "daily rate 20% above its trailing-week mean",
              owner="notifications on-call"),
    ]
    return doc


def scale_assumptions() -> Assumptions:
    """The scale a candidate states for a LinkedIn-sized feed: 300M daily members loading the feed
    3 times a day, a peak of 3× the mean; 100M live posts as 64 float32 values each; 500 posts
    through the second-pass ranker (the sizing's scoring stage) at 80 µs each on one worker; 55 ms
    for everything else (the medians of the other stages of :func:`~.serving.funnel_stages`:
    candidate sources, feature fetch, a first pass over 5,000 candidates, the re-ranker); a 200 ms
    budget; 5 kB logged per load (the impressions of the first screens and the scores)."""
    return Assumptions(daily_users=300e6, requests_per_user=3, peak_factor=3, n_items=100e6,
                       embedding_dim=64, bytes_per_value=4, candidates=500, scoring_us=80,
                       scoring_parallelism=1, other_ms=55, latency_budget_ms=LATENCY_BUDGET_MS,
                       log_bytes_per_request=5_000)


def clarifying_questions() -> tuple[Question, ...]:
    """What a strong candidate asks before designing the feed, with the assumption this case
    makes for each; the scale is read from :func:`scale_assumptions`."""
    scale = scale_assumptions()
    return (
        Question("What is the feed for: clicks, reading, conversations?",
                 "Valuable sessions: reads and conversations count more than clicks, and a hide "
                 "counts against; the weights of the heads are the product team's decision."),
        Question("Where do the posts come from?",
                 "The member's connections, the creators they follow and trending posts: "
                 "a few thousand candidates per load."),
        Question("How many members, posts and feed loads?",
                 f"{scale.daily_users / 1e6:g}M daily members loading the feed "
                 f"{scale.requests_per_user:g} times a day, peaks {scale.peak_factor:g}× the mean; "
                 f"{scale.n_items / 1e6:g}M live posts."),
        Question("How fast must the feed load?",
                 f"p99 {scale.latency_budget_ms:g} ms for the ranked feed."),
        Question("Which feedback exists, and when?",
                 "Clicks, dwell, reactions, comments, shares and hides: seconds for clicks and "
                 "hides, minutes for likes, up to two hours for comments and shares."),
        Question("Does the order today bias the logs?",
                 "Yes: lower slots are rarely seen; a small share of sessions is shown in random "
                 "order to measure it."),
        Question("Must creators be protected?",
                 "Yes: small creators keep a share of the first screen; no creator takes more "
                 "than two of its slots."),
    )


def interview_prompts() -> tuple[Prompt, ...]:
    """The case's open prompt and a variant, each with its reference answer."""
    questions = clarifying_questions()
    return (
        Prompt("feed_home", "feed_ranking", "Feed ranking",
               "Design the ranking of a professional network's home feed.", questions, design_doc),
        Prompt("notifications", "feed_ranking", "A notifications feed",
               "Design which notifications a professional network sends, and when.",
               (Question("Push or in-app tab?",
                         "Both: a push interrupts and is capped per day; the tab is ranked like "
                         "a short feed."),
                Question("What is a bad notification?",
                         "One that is not opened, and above all one that makes the member turn "
                         "notifications off: rare, delayed, and costly."),
                *questions[2:4],
                Question("How many may a member get a day?",
                         "A cap of a few pushes a day per member, lower for members who rarely "
                         "open them."),
                ), notifications_doc,
               differences=(
                   "The decision is also whether to send now: a threshold on the value, per "
                   "member, beside the order of the tab.",
                   "The costly negative is turning notifications off, rare and slow: a day's "
                   "label window, so daily retraining.",
                   "Volume is a guardrail: sends per member per day, capped by a rate limiter.",
                   "No page load to wait on: scoring is event-driven, and the budget is looser.",
               )),
    )
