"""The design review of a food-delivery platform's delivery-time promise, filled point by point,
with the scale a candidate states, the questions to ask first and the case's interview prompts."""

from __future__ import annotations

from mlsd.cases.delivery_eta.serving import LATENCY_BUDGET_MS, funnel_stages
from mlsd.design import DesignDoc
from mlsd.design_review import Alert, Budget, Dependency, Kind, Label, Metric, Retraining
from mlsd.practice.interview import Prompt, Question
from mlsd.sizing import Assumptions

MODEL_STAGE = "duration model (GBDT)"
"""The stage of :func:`~.serving.funnel_stages` the sizing's scoring stands for."""

DEPENDENCY_P99_MS = {
    "routing": 70,
    "real-time features": 25,
    "batch features": 15,
    "duration model": 10,
    "promise": 5,
}
"""Each stage of :func:`~.serving.funnel_stages`, by the start of its name, with the p99 it is
allowed (its timeout), adding up to less than :data:`~.serving.LATENCY_BUDGET_MS`; a stage past
its timeout is served by its fallback."""

FALLBACKS = {
    "routing": "the straight-line distance at the market's mean speed for the hour",
    "real-time features": "the fallback model on the static features (no store load, no couriers)",
    "batch features": "the category's mean preparation instead of the store's history",
    "duration model": "the store's historical average plus the drive time",
    "promise": "the global conformal correction and the default buffer",
}


def design_doc() -> DesignDoc:
    """The 14-point review of a DoorDash-style delivery promise: a duration model on the order,
    the store and the real-time state, a calibrated quantile as the quote, dispatch from the
    preparation estimate."""
    return DesignDoc(
        title="Delivery-time promise for a food-delivery platform",
        decision=[
            "The delivery time quoted to the customer at checkout (\"25–35 min\"), for one order "
            "from one store, and on the home page for every store listed; the same estimate's "
            "preparation part decides when a courier is dispatched to the store. Today: the "
            "store's historical average duration.",
            "The quote is a promise kept a stated share of the time (a quantile plus a buffer), "
            "not the mean: a late order costs more than an early one, a long quote loses orders.",
            Kind("quantile promise"),
        ],
        user=[
            "Customers deciding whether to order, and waiting for the food.",
            "Stores preparing the order; couriers dispatched to pick it up.",
            "The platform, paid per order: it refunds late orders and loses quoted-away ones.",
        ],
        cost_of_failure=[
            "Late (actual past the quote): a credit or refund, a complaint, a customer who orders "
            "less next month; worse the later it is.",
            "Too long a quote: the customer does not order, or orders elsewhere.",
            "Early: small; the food may wait at the door, and a quote that is always early is too "
            "long.",
            "A courier dispatched too early waits at the store (paid idle time); too late, the "
            "food waits and cools.",
        ],
        goals=["A quote the actual delivery meets 80% of the time, in every market and hour.",
               "The expected cost per checkout (late credits and lost orders) below today's.",
               "A quote within 150 ms at p99 at the dinner peak."],
        non_goals=["Routing couriers (the routing engine's drive time is given).",
                   "Assigning couriers to orders (dispatch's optimiser); only the timing is ours.",
                   "Delivery fees and surge pricing."],
        data_sources=["Order logs: checkout time, store, basket, subtotal, the quote shown, the "
                      "customer's location, and the actual delivery time.",
                      "The real-time state at checkout: the store's orders of the last 20 min, "
                      "the market's outstanding orders, couriers on shift and busy.",
                      "The routing engine's drive time; weather and holiday calendars.",
                      "Dispatch events: courier assigned, arrived at the store, picked up."],
        data_labels=[
            "The duration, delivery minus checkout, in minutes; its parts from the dispatch "
            "events: preparation (checkout to ready), wait (ready to pickup) and travel.",
            "A label arrives when the order is delivered: half an hour for most, up to three "
            "hours for a stuck one; the store's history feature uses only delivered labels.",
            "Orders with absurd durations (over 8 hours) are dropped and counted.",
            Label("pickup (preparation and wait)", delay_hours=1),
            Label("delivery duration", delay_hours=3),
        ],
        data_freshness=[
            "Real-time features from the stream within a minute of the event, computed by the "
            "same functions online and offline; the store's history daily.",
            "Retrained daily on the orders delivered by the end of the day; the conformal "
            "correction recomputed daily on the last week, per market.",
            Retraining(every_hours=24),
        ],
        data_owners=["Logistics data: order and dispatch logs.",
                     "Real-time platform: the stream of store load and courier supply.",
                     "Maps team: the routing engine's drive times."],
        baseline=["The store's historical average duration; a distance rule (minutes from the "
                  "routing engine's drive time, least squares); on DoorDash's take-home data the "
                  "published MAEs: linear regression about 12.0 min, boosting 11.0–11.3 min.",
                  "The model must beat both on MAE and give a quote with the stated coverage."],
        metrics_offline=[
            "MAE and RMSE of the point estimate and the share within ±5 and ±10 minutes, on a "
            "time split; the late rate and the coverage of the quote, per market and hour; the "
            "pinball loss of the quantile; the expected cost per checkout of the promise.",
            Metric("mae"),
            Metric("rmse"),
            Metric("late_rate"),
            Metric("pinball_loss"),
        ],
        metrics_online=["Conversion at checkout", "Late rate of delivered orders",
                        "Minutes late among late orders"],
        metrics_business=["Orders per customer per month", "Refunds and credits paid"],
        metrics_guardrail=["Complaints about lateness", "Courier idle time at stores",
                           "p99 quote latency"],
        metrics_slice=["Markets", "Hours (lunch, dinner, night)", "Rain and holidays",
                       "Stores with little history"],
        model=[
            "Gradient-boosted trees on the order (basket, subtotal, drive time), the store "
            "(category, smoothed history of delivered orders) and the real-time state (store "
            "load, outstanding orders, busy and on-shift couriers); absolute or asymmetric "
            "Huber loss for the point estimate (Uber's DeepETA).",
            "A 0.8 quantile model, calibrated by split conformal on a later week, per market "
            "with a global fallback; the buffer chosen by the expected cost.",
            "One model end to end, or the parts (preparation for dispatch, wait, travel): the "
            "parts are needed for dispatch timing; the sum is compared with the end-to-end "
            "model on MAE.",
        ],
        serving=[
            "Online per checkout: routing → real-time features → batch features → duration "
            "model → promise, each call cut at its stated p99 and served by its fallback after "
            "it; the whole path is simulated with serving.funnel_stages.",
            Budget(p99_ms=LATENCY_BUDGET_MS),
            *[Dependency(name, p99_ms=p99, fallback=FALLBACKS[name])
              for name, p99 in DEPENDENCY_P99_MS.items()],
        ],
        validation=[
            "Offline: time split; MAE, coverage and late rate per market and hour; the fallback "
            "model's accuracy measured beside the full one.",
            "An A/B test of the promise randomised by customer, on expected cost per checkout "
            "(conversion and late credits), with complaints and courier idle time as guardrails.",
        ],
        monitoring=[
            "Residuals (actual minus quote) by market and hour, daily; late rate; the share of "
            "quotes served by the fallback; latency per stage.",
            Alert("late rate by market", "above 0.25 (the promise's 0.20 plus 0.05) for a day",
                  owner="ETA on-call"),
            Alert("mean residual by market and hour", "above 3 minutes for two days",
                  owner="ETA on-call"),
            Alert("real-time feed lag", "above 2 minutes", owner="real-time platform on-call"),
            Alert("quote p99 latency", "above 150 ms for 5 minutes", owner="ETA on-call"),
        ],
        fallback=["Real-time feed down: the fallback model on the static features.",
                  "Model down: the store's historical average plus the drive time, with a wide "
                  "buffer.",
                  "Routing down: straight-line distance at the market's speed for the hour."],
        ownership=["The ETA team owns the models, the calibration and the buffer.",
                   "Logistics owns dispatch; the business owns the costs of late and lost "
                   "orders that set the promise."],
        platform=["Streaming feature store with the same definitions offline",
                  "Routing engine", "Experimentation platform with guardrail metrics"],
    )


def grocery_doc() -> DesignDoc:
    """The delivery promise (:func:`design_doc`) changed for grocery delivery: a shopper picks the
    basket in the store, baskets are large, many orders are for a later slot."""
    doc = design_doc()
    doc.title = "Delivery-time promise for grocery delivery"
    doc.decision = [
        "The delivery window offered at checkout for a grocery order: the earliest slot the "
        "platform can keep for an on-demand order, and which scheduled slots to offer; the "
        "picking estimate decides when a shopper starts.",
        Kind("quantile promise"),
    ]
    doc.data_labels = [
        "The duration, delivery minus checkout; its parts: picking (items found, replaced or "
        "missing), checkout at the store, travel.",
        Label("picking done", delay_hours=2),
        Label("delivery duration", delay_hours=4),
    ]
    doc.model = [
        "Picking time from the basket (items, aisles, the store's layout and crowding), travel "
        "from the routing engine; shoppers' supply by hour.",
        "A quantile of the on-demand duration, calibrated per store; slots offered only when the "
        "shoppers' plan has capacity.",
    ]
    doc.metrics_slice = ["Basket size", "Stores", "Hours", "On-demand and scheduled orders"]
    return doc


def pickup_doc() -> DesignDoc:
    """The delivery promise (:func:`design_doc`) changed for a ride-hailing pickup ETA: no
    preparation, the driver's approach only, and the rider may cancel while waiting."""
    doc = design_doc()
    doc.title = "Pickup-time estimate for ride hailing"
    doc.decision = [
        "The minutes until the driver arrives, shown when the rider requests a ride and updated "
        "while they wait: the driver's approach through traffic.",
        Kind("quantile promise"),
    ]
    doc.data_labels = [
        "The approach: the driver's arrival minus the match, in minutes, from GPS pings.",
        Label("driver arrival", delay_hours=0.5),
    ]
    doc.model = [
        "A residual on the routing engine's ETA for the driver's route (Uber's DeepETA), by "
        "traffic, hour and pickup point; the quote a quantile so riders are rarely kept waiting.",
        "Re-estimated every few seconds while the driver approaches.",
    ]
    doc.metrics_guardrail = ["Rider cancellations while waiting", "Driver idle time",
                             "p99 quote latency"]
    return doc


def scale_assumptions() -> Assumptions:
    """The scale a candidate states for a DoorDash-sized platform: 20M customers opening the app a
    day, 4 quote requests each (the home page's list and checkout), a dinner peak of 3× the mean;
    1M stores with a 16-value embedding of their history; 30 stores quoted per request (the home
    page's list) and the duration model's cost per store, those of
    :func:`~.serving.funnel_stages`; ``other_ms`` the medians of the path's other stages plus the
    model's fixed time; the 150 ms budget; 1 kB logged per quote."""
    stages = {stage.name: stage for stage in funnel_stages(n_quotes=30)}
    model = stages[MODEL_STAGE]
    other_ms = sum(stage.median_ms for name, stage in stages.items() if name != MODEL_STAGE)
    return Assumptions(daily_users=20e6, requests_per_user=4, peak_factor=3, n_items=1e6,
                       embedding_dim=16, bytes_per_value=4, candidates=model.items,
                       scoring_us=model.cost_us_per_item, scoring_parallelism=1,
                       other_ms=other_ms + model.fixed_ms, latency_budget_ms=LATENCY_BUDGET_MS,
                       log_bytes_per_request=1_000)


def clarifying_questions() -> tuple[Question, ...]:
    """What a strong candidate asks before designing the promise, with the assumption this case
    makes for each; the scale is read from :func:`scale_assumptions`."""
    scale = scale_assumptions()
    return (
        Question("What is the quote used for: shown to the customer, used by dispatch, both?",
                 "Both: the customer sees it at checkout; its preparation part times the "
                 "courier's dispatch."),
        Question("Which is worse, early or late?",
                 "Late: a credit (about $3) and a complaint, more the later it is; but a long "
                 "quote loses the order (about $5 of margin)."),
        Question("How many orders and stores?",
                 f"{scale.daily_users / 1e6:g}M customers a day, {scale.requests_per_user:g} "
                 f"quote requests each, peaks {scale.peak_factor:g}× the mean; "
                 f"{scale.n_items / 1e6:g}M stores, {scale.candidates:,.0f} quoted on a home "
                 "page."),
        Question("How fast must the quote be?",
                 f"p99 {scale.latency_budget_ms:g} ms: the checkout page waits for it."),
        Question("What is known at checkout?",
                 "The basket, the store, the address and drive time, and the real-time state "
                 "(store load, outstanding orders, couriers on shift and busy)."),
        Question("When does the label arrive?",
                 "At delivery: half an hour for most orders, hours for a stuck one."),
        Question("Is the real-time feed reliable?",
                 "No: it lags or drops; a fallback model on the static features answers then."),
    )


def interview_prompts() -> tuple[Prompt, ...]:
    """The case's open prompt and two variants, each with its reference answer."""
    questions = clarifying_questions()
    return (
        Prompt("delivery_eta", "delivery_eta", "Delivery-time promise",
               "Design the delivery-time estimate a food-delivery app shows at checkout.",
               questions, design_doc),
        Prompt("grocery_eta", "delivery_eta", "Grocery delivery windows",
               "Design the delivery-time promise for a grocery-delivery service.",
               (Question("Who picks the order?",
                         "A shopper, in the store: picking time grows with the basket and the "
                         "store's crowding."),
                Question("On demand or scheduled?",
                         "Both: an on-demand order gets a promise; a scheduled one a slot that "
                         "must have shoppers."),
                *questions[1:5],
                ), grocery_doc,
               differences=(
                   "Picking replaces preparation: it grows with the basket's items and aisles, "
                   "and a shopper, not the store's kitchen, is the capacity.",
                   "Baskets are large and durations longer: the promise is a window or a slot.",
                   "Scheduled slots need a supply plan; only on-demand orders need the quantile.",
               )),
        Prompt("pickup_eta", "delivery_eta", "Ride-hailing pickup estimate",
               "Design the pickup-time estimate a ride-hailing app shows when a rider requests a "
               "ride.",
               (Question("What does the estimate cover?",
                         "The driver's approach from the match to the pickup point."),
                Question("What does a wrong estimate cost?",
                         "A rider kept waiting cancels; a long estimate sends them to another "
                         "app."),
                Question("Is the estimate updated while the rider waits?",
                         "Yes: every few seconds from the driver's GPS, so the label is minutes "
                         "away."),
                *questions[3:5],
                ), pickup_doc,
               differences=(
                   "No preparation and no wait: the approach is all travel, a residual on the "
                   "routing engine's ETA (DeepETA).",
                   "The estimate is updated while the rider waits, so the label is minutes "
                   "away and retraining can be more frequent.",
                   "The guardrail is cancellations while waiting, not refunds.",
               )),
    )
