"""A simulated ad marketplace whose click probabilities are known.

Generative story (every draw comes from one ``numpy`` Generator seeded by ``seed``):

Entities
    users ``u``, each in one of ``N_SEGMENTS`` interest segments ``s(u)``; activity is Zipf-like.
    advertisers ``a`` with quality ``q_a ~ N(0, 0.3²)``.
    ads ``d``: an advertiser ``a(d)``, a category ``c(d)`` of ``N_CATEGORIES``, a bid
    ``~ LogNormal(0, 0.5)`` and a base quality ``q_d ~ N(0, 0.5²)``. A share ``1 - new_ad_share``
    of the ads exists on day 0; the others are created on a uniformly drawn later day (cold start).
    sites ``w`` with effect ``q_w ~ N(0, 0.4²)`` and Zipf-like traffic; three devices; 24 hours;
    four slots (positions on the page).
    a segment × category affinity matrix ``A[s, c] ~ N(0, 0.7²)``: the interaction that only a
    feature cross (or a model of interactions) can learn.

Impressions ``i`` over ``n_days`` days
    time ``t_i`` (days, a daily cycle of traffic), user, site, device and slot drawn by their
    traffic shares, and an ad drawn uniformly among the ads created by then.
    ``f_i``: how many times this user saw this ad before (ad fatigue).
    Ad quality drifts: ``q_d(day) = q_d + drift * W_d(day)`` with ``W_d`` a stationary AR(1)
    process, ``W_d(0) ~ N(0, 1)``, ``W_d(t) = AR_COEFFICIENT * W_d(t-1) + sqrt(1 - AR_COEFFICIENT²) * ε``.
    Interests trend the same way: ``A[s, c](day) = A[s, c] + drift * V_sc(day)`` with ``V`` another
    such process. Each day these move by about ``0.63 * drift``, so a model trained on old days goes
    stale, while their spread — and with it the mean click rate — stays the same.

        logit p_i = b + q_a + q_d(day) + q_w + device + hour + slot + A[s(u), c(d)](day) - fatigue * ln(1 + f_i)

    ``b`` is solved (bisection) so the mean of ``p_i`` is ``base_ctr``; ``click_i ~ Bernoulli(p_i)``.

Clicks arrive late
    a click comes ``LogNormal(ln(DELAY_MEDIAN_HOURS), DELAY_SIGMA²)`` hours after its impression, so
    a label window of ``h`` hours misses the clicks that take longer (about a third at 1 hour, 2% at
    24 hours).

A traffic shift (optional)
    from day ``shift_day`` on, a new publisher deal moves traffic to tablets and lower slots
    (device shares ``SHIFTED_DEVICE_SHARE``, slots 3-4 twice as likely): the inputs move, and with
    them the click rate — what drift monitoring should catch.

``true_ctr`` holds each impression's ``p_i``: the truth a model can only approach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlsd.cases.ad_click.schema import COLUMNS, DEVICES, check_table
from mlsd.simulation import intercept_for_rate, sigmoid
from mlsd.validation import check_int, check_number

N_SEGMENTS = 12
N_CATEGORIES = 20
DEVICE_EFFECT = np.array([0.0, -0.25, 0.1])
DEVICE_SHARE = np.array([0.6, 0.3, 0.1])
SHIFTED_DEVICE_SHARE = np.array([0.35, 0.2, 0.45])
SLOT_SHARE = np.full(4, 0.25)
SHIFTED_SLOT_SHARE = np.array([1, 1, 2, 2]) / 6
SLOT_EFFECT = np.array([0.0, -0.35, -0.7, -1.05])
DELAY_MEDIAN_HOURS = 0.5
DELAY_SIGMA = 1.8
AR_COEFFICIENT = 0.8


@dataclass(frozen=True)
class AdMarket:
    """The simulated data: one row per impression, one per ad, and the hidden parameters.

    The hidden parameters are the terms of the logit of the module docstring: ``affinity``
    (segment × category), ``intercept`` ``b``, ``advertiser_quality`` ``q_a``, ``site_effect``
    ``q_w``, ``hour_effect`` (24 values), ``ad_walk`` (ads × days) and ``affinity_walk``
    (segments × categories × days) — the drifts — and ``fatigue``. With them
    :meth:`true_ctr_of` gives the true click probability of any (request, ad) pair, logged or not.
    """

    impressions: pd.DataFrame
    ads: pd.DataFrame
    affinity: np.ndarray
    intercept: float
    advertiser_quality: np.ndarray
    site_effect: np.ndarray
    hour_effect: np.ndarray
    ad_walk: np.ndarray
    affinity_walk: np.ndarray
    fatigue: float

    def true_ctr_of(self, rows: pd.DataFrame) -> np.ndarray:
        """The true click probability ``p_i`` of each row: an impression, or a candidate ad in a
        request's context (columns ``ad_id``, ``day``, ``hour``, ``site_id``, ``device``,
        ``slot``, ``user_segment``, ``user_ad_views``)."""
        if not rows["device"].isin(DEVICES).all():
            raise ValueError(f"rows hold a device outside {', '.join(DEVICES)}")
        device = pd.Categorical(rows["device"], categories=DEVICES).codes
        return sigmoid(self.intercept + self._logit_terms(rows, device))

    def _logit_terms(self, rows: pd.DataFrame, device: np.ndarray) -> np.ndarray:
        ad, day = rows["ad_id"].to_numpy(), rows["day"].to_numpy()
        segment = rows["user_segment"].to_numpy()
        category = self.ads["category"].to_numpy()[ad]
        return (
            self.advertiser_quality[self.ads["advertiser_id"].to_numpy()[ad]]
            + self.ads["quality"].to_numpy()[ad]
            + self.ad_walk[ad, day]
            + self.site_effect[rows["site_id"].to_numpy()]
            + DEVICE_EFFECT[device]
            + self.hour_effect[rows["hour"].to_numpy()]
            + SLOT_EFFECT[rows["slot"].to_numpy() - 1]
            + self.affinity[segment, category]
            + self.affinity_walk[segment, category, day]
            - self.fatigue * np.log1p(rows["user_ad_views"].to_numpy())
        )


def simulate_market(
    n_impressions: int = 200_000,
    n_days: int = 14,
    base_ctr: float = 0.02,
    n_users: int = 20_000,
    n_ads: int = 3_000,
    n_advertisers: int = 300,
    n_sites: int = 500,
    new_ad_share: float = 0.3,
    drift: float = 0.4,
    fatigue: float = 0.3,
    shift_day: int | None = None,
    seed: int = 0,
) -> AdMarket:
    """Draw an :class:`AdMarket` (the module docstring tells the generative story).

    The impressions come sorted by time with the columns of :mod:`.schema`, then ``true_ctr``;
    they pass :func:`~.schema.check_table`. Sizes are integers >= 1, ``base_ctr`` in ``(0, 1)``,
    ``new_ad_share`` in ``[0, 1]``, ``drift`` and ``fatigue`` finite and >= 0, ``shift_day``
    None or an integer >= 0.
    """
    sizes = {
        "n_impressions": n_impressions, "n_days": n_days, "n_users": n_users, "n_ads": n_ads,
        "n_advertisers": n_advertisers, "n_sites": n_sites,
    }
    for name, value in sizes.items():
        check_int(name, value, 1)
    check_number("base_ctr", base_ctr, 0, 1, low_open=True, high_open=True)
    check_number("new_ad_share", new_ad_share, 0, 1)
    check_number("drift", drift, 0)
    check_number("fatigue", fatigue, 0)
    if shift_day is not None:
        check_int("shift_day", shift_day, 0)
    rng = np.random.default_rng(seed)
    ads = _draw_ads(rng, n_ads, n_advertisers, n_days, new_ad_share)
    advertiser_quality = rng.normal(0, 0.3, n_advertisers)
    site_effect = rng.normal(0, 0.4, n_sites)
    hour_effect = 0.3 * np.sin(2 * np.pi * (np.arange(24) - 15) / 24)
    affinity = rng.normal(0, 0.7, (N_SEGMENTS, N_CATEGORIES))
    ad_walk = drift * _stationary_ar1(rng, n_ads, n_days)
    affinity_walk = drift * _stationary_ar1(rng, N_SEGMENTS * N_CATEGORIES, n_days).reshape(N_SEGMENTS, N_CATEGORIES, n_days)
    user_segment = rng.integers(0, N_SEGMENTS, n_users)

    frame = _draw_context(rng, n_impressions, n_days, n_users, n_sites, shift_day)
    frame["ad_id"] = _draw_live_ads(rng, frame["time"].to_numpy(), ads["created_day"].to_numpy())
    frame = frame.sort_values("time", kind="stable", ignore_index=True)
    ad = frame["ad_id"].to_numpy()
    frame["user_segment"] = user_segment[frame["user_id"].to_numpy()]
    frame["advertiser_id"] = ads["advertiser_id"].to_numpy()[ad]
    frame["ad_category"] = ads["category"].to_numpy()[ad]
    frame["ad_age_days"] = frame["time"].to_numpy() - ads["created_day"].to_numpy()[ad]
    frame["user_ad_views"] = frame.groupby(["user_id", "ad_id"]).cumcount().to_numpy()
    frame["bid"] = ads["bid"].to_numpy()[ad]

    hidden = dict(affinity=affinity, advertiser_quality=advertiser_quality, site_effect=site_effect,
                  hour_effect=hour_effect, ad_walk=ad_walk, affinity_walk=affinity_walk,
                  fatigue=float(fatigue))
    unscaled = AdMarket(frame, ads, intercept=0.0, **hidden)
    shifted_logit = unscaled._logit_terms(frame, frame.pop("device_code").to_numpy())
    intercept = intercept_for_rate(shifted_logit, base_ctr)
    true_ctr = sigmoid(intercept + shifted_logit)
    click = rng.random(n_impressions) < true_ctr
    delay = np.exp(np.log(DELAY_MEDIAN_HOURS) + DELAY_SIGMA * rng.standard_normal(n_impressions))
    frame["true_ctr"] = true_ctr
    frame["click"] = click.astype(np.int64)
    frame["click_delay_hours"] = np.where(click, delay, np.nan)
    frame.insert(0, "impression_id", np.arange(n_impressions))
    impressions = check_table(frame[[*COLUMNS, "true_ctr"]], "simulate_market")
    return AdMarket(impressions, ads, intercept=intercept, **hidden)


def _stationary_ar1(rng, n_series: int, n_steps: int) -> np.ndarray:
    """``n_series`` AR(1) paths of unit variance at every step (see the module docstring)."""
    shocks = rng.standard_normal((n_series, n_steps))
    paths = np.empty_like(shocks)
    paths[:, 0] = shocks[:, 0]
    for step in range(1, n_steps):
        paths[:, step] = AR_COEFFICIENT * paths[:, step - 1] + np.sqrt(1 - AR_COEFFICIENT**2) * shocks[:, step]
    return paths


def _draw_ads(rng, n_ads: int, n_advertisers: int, n_days: int, new_ad_share: float) -> pd.DataFrame:
    is_new = rng.random(n_ads) < new_ad_share
    created = np.where(is_new, rng.integers(1, max(n_days, 2), n_ads), 0)
    created[0] = 0  # at least one ad is live from the start
    return pd.DataFrame(
        {
            "ad_id": np.arange(n_ads),
            "advertiser_id": rng.integers(0, n_advertisers, n_ads),
            "category": rng.integers(0, N_CATEGORIES, n_ads),
            "created_day": created,
            "bid": rng.lognormal(0, 0.5, n_ads),
            "quality": rng.normal(0, 0.5, n_ads),
        }
    )


def _draw_context(rng, n: int, n_days: int, n_users: int, n_sites: int, shift_day: int | None) -> pd.DataFrame:
    day = rng.integers(0, n_days, n)
    hour = rng.choice(24, n, p=_daily_traffic())
    time = day + (hour + rng.random(n)) / 24
    shifted = day >= shift_day if shift_day is not None else np.zeros(n, dtype=bool)
    device = np.where(shifted, rng.choice(3, n, p=SHIFTED_DEVICE_SHARE), rng.choice(3, n, p=DEVICE_SHARE))
    slot = 1 + np.where(shifted, rng.choice(4, n, p=SHIFTED_SLOT_SHARE), rng.choice(4, n, p=SLOT_SHARE))
    return pd.DataFrame(
        {
            "time": time,
            "day": day,
            "hour": hour,
            "user_id": _zipf_draw(rng, n_users, n, exponent=0.8),
            "site_id": _zipf_draw(rng, n_sites, n, exponent=1.0),
            "device_code": device,
            "slot": slot,
        }
    ).assign(device=lambda f: pd.Categorical.from_codes(f["device_code"], DEVICES).astype(str))


def _draw_live_ads(rng, time: np.ndarray, created_day: np.ndarray) -> np.ndarray:
    """For each impression, an ad drawn uniformly among those created on or before its day."""
    by_creation = np.argsort(created_day, kind="stable")
    live_count = np.searchsorted(created_day[by_creation], np.floor(time), side="right")
    return by_creation[(rng.random(len(time)) * live_count).astype(np.int64)]


def _zipf_draw(rng, n_items: int, n_draws: int, exponent: float) -> np.ndarray:
    weights = 1 / np.arange(1, n_items + 1) ** exponent
    return rng.permutation(n_items)[rng.choice(n_items, n_draws, p=weights / weights.sum())]


def _daily_traffic() -> np.ndarray:
    shape = 1 + 0.6 * np.sin(2 * np.pi * (np.arange(24) - 9) / 24)
    return shape / shape.sum()
