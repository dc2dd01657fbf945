"""The design review of a vacation-rental marketplace's search ranking, filled point by point, with
the scale a candidate states, the questions to ask first and the case's interview prompts."""

from __future__ import annotations

from mlsd.cases.rental_search.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining
from mlsd.practice.interview import Prompt, Question
from mlsd.sizing import Assumptions

RANKER_STAGE = "ranker (GBDT)"
"""The stage of :func:`~.serving.funnel_stages` the sizing's scoring stands for."""

DEPENDENCY_P99_MS = {
    "retrieval": 45,
    "feature fetch": 55,
    "ranker": 120,
    "session personalisation": 45,
    "re-ranker": 15,
}
"""Each stage of :func:`~.serving.funnel_stages`, by the start of its name, with the p99 it is
allowed (its timeout), adding up to less than :data:`~.serving.LATENCY_BUDGET_MS`; a stage past
its timeout is served by its fallback."""

FALLBACKS = {
    "retrieval": "a cached result set for the area and dates, filtered by the calendar when it "
                 "answers",
    "feature fetch": "the listing's last batch features; the price from the nightly snapshot",
    "ranker": "the quality heuristic, rating × ln(1 + reviews)",
    "session personalisation": "the ranker's order, without the session's clicks",
    "re-ranker": "the ranker's order, with a fixed exploration slot",
}


def design_doc() -> DesignDoc:
    """The 14-point review of an Airbnb-style search: retrieval by place, dates and party, a
    learning-to-rank model on graded outcomes, a re-ranker for the two sides."""
    return DesignDoc(
        title="Search ranking for a vacation-rental marketplace",
        decision=[
            "The order of the listings for a search (a location, dates, a party size): the "
            "listings in the area that hold the party and are free for the dates, a few thousand, "
            "ranked so that the guest books a place whose host accepts. Today: sorted by a "
            "quality heuristic, rating × ln(1 + reviews).",
            Kind("ranking"),
        ],
        user=[
            "Guests on a trip: they search several times, open listings, ask to book one.",
            "Hosts: they want booking requests they accept (dates, length of stay, guests), and a "
            "new host wants the exposure that earns a first review.",
            "The marketplace, paid per booking: both sides must keep coming back.",
        ],
        cost_of_failure=[
            "Wrong order: the guest does not find the right place and books elsewhere or not at "
            "all; bookings are rare, so each lost one is most of a search's value.",
            "A request the host rejects: the guest waits up to a day and starts again; a guest "
            "rejected twice may leave the platform.",
            "New listings never shown: no first review, no bookings, the host leaves and the "
            "supply shrinks.",
            "Late: the results page times out and the guest sees the heuristic's order.",
        ],
        goals=["More accepted bookings per search, for guests and hosts of every market.",
               "Fewer rejected requests: the host's likely answer counts in the order.",
               "Exposure for new listings until they earn their first reviews.",
               "A results page within 300 ms at p99 at peak traffic."],
        non_goals=["Pricing (the host's price and the smart-pricing tool are given).",
                   "Which listings may be shown at all (trust and safety's policy).",
                   "Ads and sponsored listings."],
        data_sources=["Search logs: the search (place, dates, party), the results shown, their "
                      "positions, the ranker's scores and whether the order was randomised.",
                      "Event logs: clicks, time on the listing page, booking requests, the host's "
                      "answer, cancellations.",
                      "The listing catalogue and calendar: location, capacity, price for the "
                      "dates, availability, reviews and ratings, the host's past answers.",
                      "Guests' sessions: the listings opened earlier in the trip."],
        data_labels=[
            "One grade per shown listing, its best outcome: booked (gain 1), a request the host "
            "rejected (−0.4), a long click (0.02), a click (0.01), viewed (0), after Airbnb's "
            "search-ranking talks.",
            "A click arrives in seconds, a long click in minutes, a request within the trip's "
            "searches (hours to a day), the host's answer up to 24 h later: a search's grade is "
            "final after 48 h. The stay and the review (weeks later) update the listing's rating, "
            "not the label.",
            "Logged grades depend on the position (examination falls down the page): a share of "
            "searches is shown in a random order, and the position enters training only as a "
            "feature fixed at serving.",
            Label("click", delay_hours=0.01),
            Label("long click", delay_hours=0.1),
            Label("booking request", delay_hours=24),
            Label("booked or rejected (the host's answer)", delay_hours=48),
        ],
        data_freshness=[
            "Price and availability for the dates must be exact at serving (the calendar "
            "service); the listing's counters (views, requests, acceptances) update hourly; the "
            "session's clicks in real time for personalisation.",
            "The ranker is retrained every two days on searches whose 48-hour label window has "
            "closed.",
            Retraining(every_hours=48),
        ],
        data_owners=["Search infrastructure: search and event logs.",
                     "Listings and calendar team: the catalogue, prices and availability.",
                     "Reviews team: ratings and review counts."],
        baseline=["The quality heuristic, rating × ln(1 + reviews): a listing without reviews "
                  "scores 0 and sinks.",
                  "Then a pointwise GBDT on the graded gain: LambdaMART must beat both on NDCG "
                  "and on the booking's rank."],
        metrics_offline=[
            "NDCG@10 over searches with the graded gains (a rejection counted as 0, its rate in "
            "the top 10 reported beside it), and the MRR of the booked listing, on a time split.",
            "The same on the random-order searches, where the position does not depend on the "
            "old ranker; on a simulator, NDCG on the true expected gain and bookings per search.",
            Metric("ndcg_at_k"),
            Metric("mrr"),
        ],
        metrics_online=["Accepted bookings per search", "Rejected requests per search",
                        "Searches to booking within a trip"],
        metrics_business=["Booked nights and booking value", "Hosts with a booking in their "
                          "first month"],
        metrics_guardrail=["Host rejection rate", "New listings' share of first-page exposure",
                           "Cancellations", "p99 results-page latency"],
        metrics_slice=["New and established listings", "Markets (big cities, rural areas)",
                       "Party size and length of stay", "Guests on their first trip"],
        model=[
            "The quality heuristic (baseline), then pointwise gradient-boosted trees on the gain.",
            "LambdaMART (LightGBM lambdarank) over searches as query groups, with label_gain the "
            "grades' gains: it learns the order within a search, not each listing's level.",
            "Features known at serving: the price for the dates against the search's other "
            "results, rating, reviews, the listing's age, the host's acceptance rate, the "
            "session's similarity to the listings opened (listing embeddings from click "
            "sessions, Grbovic & Cheng, KDD 2018).",
            "A re-ranker for the two sides: P(host accepts) in the score, an exploration slot "
            "for new listings, at most a few listings of one host on the first page.",
        ],
        serving=[
            "Online per search: retrieval (geo + availability) → feature fetch → ranker → "
            "session personalisation → re-ranker, each call cut at its stated p99 and served by "
            "its fallback after it; the whole path is simulated with serving.funnel_stages.",
            Budget(p99_ms=LATENCY_BUDGET_MS),
            *[Dependency(name, p99_ms=p99, fallback=FALLBACKS[name])
              for name, p99 in DEPENDENCY_P99_MS.items()],
        ],
        validation=[
            "Offline: time split, NDCG and the booking's MRR, on all searches and on the "
            "random-order ones; slices for new listings and markets.",
            "An A/B test on accepted bookings per search, randomised by guest (a trip's searches "
            "stay in one arm), with the rejection rate, new listings' exposure and latency as "
            "guardrails; interleaving for quick comparisons of rankers.",
        ],
        monitoring=[
            "Bookings and rejections per search by market and day; new listings' exposure share; "
            "feature drift (prices, availability); latency per stage.",
            Alert("accepted bookings per search", "15% below its trailing-week mean for a day",
                  owner="search-ranking on-call"),
            Alert("host rejection rate", "above 1.25× its trailing-week mean for a day",
                  owner="search-ranking on-call"),
            Alert("availability feed lag", "above 15 minutes", owner="calendar on-call"),
            Alert("results-page p99 latency", "above 300 ms for 5 minutes",
                  owner="search-infrastructure on-call"),
        ],
        fallback=["Ranker down: the quality heuristic's order of the retrieved listings.",
                  "Embedding service down: the ranker's order without personalisation.",
                  "Calendar late: the last snapshot, with requests checked at booking time."],
        ownership=["Search ranking owns the ranker, the gains and the re-ranker's rules.",
                   "Marketplace team owns the two-sided objective (how much acceptance and new "
                   "listings weigh); search infrastructure owns the serving path and logs."],
        platform=["Feature store with batch and real-time features", "Calendar and pricing "
                  "service", "Experimentation platform with guardrail metrics and interleaving"],
    )


def hotel_doc() -> DesignDoc:
    """The rental search's review (:func:`design_doc`) changed for hotel search at an online travel
    agency: rooms from inventory (no host to reject), competitors' prices, sponsored slots."""
    doc = design_doc()
    doc.title = "Hotel search ranking at an online travel agency"
    doc.decision = [
        "The order of the hotels for a search (a destination, dates, rooms and guests) on an "
        "online travel agency: hotels with rooms left for the dates, ranked so that the traveller "
        "books, with the agency's commission and the hotel's price against other sites in view.",
        Kind("ranking"),
    ]
    doc.user = ["Travellers comparing hotels, often on several sites.",
                "Hotels paying the agency a commission per booking, some paying for promotion.",
                "The agency, paid by commission."]
    doc.data_labels = [
        "Booked (Expedia's competition: gain 5) and clicked (1); a booking is confirmed at once "
        "from the inventory, so there is no rejection grade; a cancellation is the late negative.",
        Label("click", delay_hours=0.01),
        Label("booked", delay_hours=24),
    ]
    doc.data_freshness = ["Prices and rooms left change by the minute (the channel manager's "
                          "feed); competitors' prices daily.",
                          "Retrained daily on searches whose 24-hour window has closed.",
                          Retraining(every_hours=24)]
    doc.metrics_guardrail = ["Cancellations", "Commission per search", "Promoted hotels' share of "
                             "the first page", "p99 results-page latency"]
    doc.monitoring = [
        *[item for item in doc.monitoring
          if not isinstance(item, Alert) or "rejection" not in item.signal],
        Alert("price feed lag", "above 10 minutes", owner="supply-integration on-call"),
    ]
    return doc


def experiences_doc() -> DesignDoc:
    """The rental search's review (:func:`design_doc`) changed for experiences (tours, classes):
    time slots instead of nights, few reviews, instant booking."""
    doc = design_doc()
    doc.title = "Experiences search ranking"
    doc.decision = [
        "The order of the experiences (tours, classes, activities) for a search (a city, a day or "
        "a range of days, a group size): those with a time slot free for the group, ranked so "
        "that the guest books one.",
        Kind("ranking"),
    ]
    doc.data_labels = [
        "Booked (instant: no host answer to wait for), a long click and a click; the review "
        "after the experience, days later, feeds the rating.",
        Label("click", delay_hours=0.01),
        Label("long click", delay_hours=0.1),
        Label("booked", delay_hours=24),
    ]
    doc.data_freshness = ["Slots fill by the hour: availability exact at serving.",
                          "Retrained daily on searches whose 24-hour window has closed.",
                          Retraining(every_hours=24)]
    doc.metrics_slice = ["Experiences with fewer than five reviews", "Cities",
                         "Group size", "Guests with a stay booked in the city"]
    doc.monitoring = [
        *[item for item in doc.monitoring
          if not isinstance(item, Alert) or "rejection" not in item.signal],
        Alert("slots sold out after the click", "above 5% of clicks for an hour",
              owner="experiences-inventory on-call"),
    ]
    return doc


def scale_assumptions() -> Assumptions:
    """The scale a candidate states for an Airbnb-sized marketplace: 10M guests searching a day,
    5 searches each, a peak of 3× the mean; 7M listings (the order of Airbnb's count of active
    listings, over 7 million in 2023) as 32 float32 values each (the listing embeddings of
    Grbovic & Cheng, KDD 2018, have 32 dimensions); the ranker's listings (every retrieved one)
    and its cost per listing on one worker, those of :func:`~.serving.funnel_stages`; ``other_ms``
    the medians of the funnel's other stages plus the ranker's fixed time; the 300 ms budget; 3 kB
    logged per search (24 results and the search)."""
    stages = {stage.name: stage for stage in funnel_stages()}
    ranker = stages[RANKER_STAGE]
    other_ms = sum(stage.median_ms for name, stage in stages.items() if name != RANKER_STAGE)
    return Assumptions(daily_users=10e6, requests_per_user=5, peak_factor=3, n_items=7e6,
                       embedding_dim=32, bytes_per_value=4, candidates=ranker.items,
                       scoring_us=ranker.cost_us_per_item, scoring_parallelism=1,
                       other_ms=other_ms + ranker.fixed_ms, latency_budget_ms=LATENCY_BUDGET_MS,
                       log_bytes_per_request=3_000)


def clarifying_questions() -> tuple[Question, ...]:
    """What a strong candidate asks before designing the search, with the assumption this case
    makes for each; the scale is read from :func:`scale_assumptions`."""
    scale = scale_assumptions()
    return (
        Question("What is the goal: clicks, bookings, revenue?",
                 "Bookings the host accepts; a request the host rejects counts against (gain "
                 "−0.4 beside 1 for a booking and 0.01 for a click)."),
        Question("What does a search hold, and what filters it?",
                 "A place (a map area or a city), dates and a party size: retrieval keeps the "
                 "listings in the area that hold the party and are free for the dates."),
        Question("How many listings, searches and guests?",
                 f"{scale.daily_users / 1e6:g}M guests searching a day, "
                 f"{scale.requests_per_user:g} searches each, peaks {scale.peak_factor:g}× the "
                 f"mean; {scale.n_items / 1e6:g}M listings, {scale.candidates:,.0f} retrieved per "
                 "search."),
        Question("How fast must results load?",
                 f"p99 {scale.latency_budget_ms:g} ms for the results page."),
        Question("Which feedback exists, and when?",
                 "Clicks in seconds, long clicks in minutes, requests within the trip, the host's "
                 "answer within 24 h; the stay and the review weeks later."),
        Question("Can hosts decline a request?",
                 "Yes, unless the listing books instantly: the host's likely answer belongs in "
                 "the order."),
        Question("Do new listings need help?",
                 "Yes: without reviews they sink; they get exposure to earn their first reviews."),
    )


def interview_prompts() -> tuple[Prompt, ...]:
    """The case's open prompt and two variants, each with its reference answer."""
    questions = clarifying_questions()
    return (
        Prompt("rental_search", "rental_search", "Rental search ranking",
               "Design search ranking for a vacation-rental marketplace.", questions, design_doc),
        Prompt("hotel_search", "rental_search", "Hotel search at a travel agency",
               "Design hotel search ranking for an online travel agency.",
               (Question("Who provides the rooms?",
                         "Hotels, through their channel managers: rooms left for the dates come "
                         "from inventory, so a booking is confirmed at once."),
                Question("How does the agency earn?",
                         "A commission per booking; some hotels pay to be promoted."),
                *questions[2:5],
                Question("Do travellers compare prices elsewhere?",
                         "Yes: competitors' prices for the same hotel are known daily and a "
                         "hotel cheaper elsewhere is booked less here."),
                ), hotel_doc,
               differences=(
                   "No host decides: a booking is confirmed from the inventory, so there is no "
                   "rejected grade; a cancellation is the late negative.",
                   "Price against other sites and the commission enter the order; promoted "
                   "hotels need a guardrail on their share of the first page.",
                   "Labels close within a day (no host's answer), so daily retraining.",
                   "Expedia's logs (Kaggle 2013) are this problem: graded booked 5, clicked 1.",
               )),
        Prompt("experiences_search", "rental_search", "Experiences search",
               "Design search ranking for experiences (tours, classes) on a travel marketplace.",
               (Question("What does an experience sell?",
                         "A time slot for a group, on a day, in a city; instant booking."),
                Question("How many reviews does an experience have?",
                         "Few: most have under ten, so cold start is the rule, not the "
                         "exception."),
                *questions[2:5],
                Question("Do guests book experiences with a stay?",
                         "Often: a guest with a stay booked in the city is the main audience, and "
                         "the stay's dates bound the search."),
                ), experiences_doc,
               differences=(
                   "Time slots instead of nights: availability changes by the hour and the "
                   "group size filters slots.",
                   "Instant booking: no host's answer, so no rejected grade; labels close within "
                   "a day.",
                   "Few reviews: the quality heuristic is weak for most items; content features "
                   "and exploration carry more.",
                   "The stay booked in the city is the strongest context: its dates and place.",
               )),
    )
