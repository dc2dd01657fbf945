"""The A/B test planner: how many users and days a test needs, what power it really has, what peeking costs.

:class:`ABPlannerState` turns a baseline conversion rate, a minimum detectable (relative) effect,
the level α, the power and the traffic per day into the users per arm and the days needed
(:func:`mlsd.experiments.sample_size_per_arm`, :func:`~mlsd.experiments.days_needed`), then runs
simulated experiments of exactly that size: the share that detect the effect is the power, measured;
the same experiments without an effect, checked every day and stopped at the first significant look,
show how peeking inflates the false-positive rate (:func:`~mlsd.experiments.simulate_peeking`).
:class:`ABPlanner` is its thin ipywidgets view.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets
import pandas as pd
from matplotlib.ticker import PercentFormatter

from mlsd.experiments import days_needed, sample_size_per_arm, simulate_detection, simulate_peeking
from mlsd.explore._figures import canvas_png, new_figure


@dataclass(frozen=True)
class ABPlan:
    """Every number the planner shows for one setting."""

    users_per_arm: int
    days: int
    measured_power: float
    false_positive_rate: float
    peeking_false_positive_rate: float
    peeking: pd.DataFrame


class ABPlannerState:
    """The planner without widgets: set any input as an attribute, read :meth:`snapshot`.

    Parameters
    ----------
    baseline_rate : float
        Conversion rate of the control arm, in (0, 1).
    minimum_detectable_effect : float
        Smallest relative change worth detecting, e.g. 0.05 for +5%.
    alpha, power : float
        Two-sided level and target power, each in (0, 1).
    traffic_per_day : int
        Users entering the test per day, split evenly between two arms.
    n_experiments : int
        Simulated experiments behind the measured rates; more is steadier and slower.
    seed : int
        Seed of the simulations: the same inputs give the same snapshot.
    """

    def __init__(self, baseline_rate=0.05, minimum_detectable_effect=0.05, alpha=0.05, power=0.8, traffic_per_day=20_000, *, n_experiments=2_000, seed=0):
        self.baseline_rate, self.minimum_detectable_effect = baseline_rate, minimum_detectable_effect
        self.alpha, self.power, self.traffic_per_day = alpha, power, traffic_per_day
        self.n_experiments, self.seed = n_experiments, seed

    def snapshot(self) -> ABPlan:
        """Plan the test, then measure it by simulation (validation errors name the input)."""
        users = sample_size_per_arm(self.baseline_rate, self.minimum_detectable_effect, self.alpha, self.power)
        days = days_needed(users, self.traffic_per_day)
        simulate = dict(alpha=self.alpha, n_experiments=self.n_experiments, seed=self.seed)
        peeking = simulate_peeking(self.baseline_rate, 0.0, max(1, self.traffic_per_day // 2), days, **simulate)
        return ABPlan(
            users_per_arm=users,
            days=days,
            measured_power=simulate_detection(self.baseline_rate, self.minimum_detectable_effect, users, **simulate),
            false_positive_rate=simulate_detection(self.baseline_rate, 0.0, users, **simulate),
            peeking_false_positive_rate=float(peeking["significant_by_day"].iloc[-1]),
            peeking=peeking,
        )


class ABPlanner:
    """Sliders for the inputs, a readout of the plan, and the false-positive rate of peeking by day."""

    def __init__(self, baseline_rate=0.05, minimum_detectable_effect=0.05, alpha=0.05, power=0.8, traffic_per_day=20_000, *, n_experiments=2_000, seed=0):
        self.state = ABPlannerState(baseline_rate, minimum_detectable_effect, alpha, power, traffic_per_day, n_experiments=n_experiments, seed=seed)
        style, layout = {"description_width": "220px"}, widgets.Layout(width="520px")
        self.controls = {
            "baseline_rate": widgets.FloatSlider(value=baseline_rate, min=0.005, max=0.5, step=0.005, readout_format=".3f", description="Baseline conversion rate", style=style, layout=layout, continuous_update=False),
            "minimum_detectable_effect": widgets.FloatSlider(value=minimum_detectable_effect, min=0.01, max=0.5, step=0.01, readout_format=".0%", description="Smallest lift worth detecting", style=style, layout=layout, continuous_update=False),
            "alpha": widgets.FloatSlider(value=alpha, min=0.01, max=0.2, step=0.01, description="False-positive level α", style=style, layout=layout, continuous_update=False),
            "power": widgets.FloatSlider(value=power, min=0.5, max=0.99, step=0.01, description="Power (chance to detect)", style=style, layout=layout, continuous_update=False),
            "traffic_per_day": widgets.IntSlider(value=traffic_per_day, min=1_000, max=1_000_000, step=1_000, description="Users per day in the test", style=style, layout=layout, continuous_update=False),
        }
        self.readout = widgets.HTML(layout=widgets.Layout(width="520px"))
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="560px"))
        self._figure = PeekingFigure()
        self.widget = widgets.HBox([widgets.VBox([*self.controls.values(), self.readout]), self.image], layout=widgets.Layout(flex_flow="row wrap"))
        for name, control in self.controls.items():
            control.observe(lambda change, name=name: self._on_change(name, change["new"]), names="value")
        self._show()

    def _on_change(self, name: str, value) -> None:
        setattr(self.state, name, value)
        self._show()

    def _show(self) -> None:
        plan = self.state.snapshot()
        self.readout.value = _readout_html(plan, self.state.alpha)
        self.image.value = self._figure.png(plan.peeking, self.state.alpha)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _readout_html(plan: ABPlan, alpha: float) -> str:
    return (
        "<div style='font-size: 13px; line-height: 1.5'>"
        f"<b>{plan.users_per_arm:,} users per arm</b>, {plan.days} days at this traffic<br>"
        f"measured power (simulated experiments of that size): <b>{plan.measured_power:.1%}</b><br>"
        f"false positives with one look at the end: {plan.false_positive_rate:.1%} (α = {alpha:.0%})<br>"
        f"false positives when checking every day and stopping at the first significant day: <b>{plan.peeking_false_positive_rate:.1%}</b>"
        "</div>"
    )


RATE_AXIS_TOPS = (0.1, 0.2, 0.3, 0.5, 0.75, 1.0)
SHORTEST_DAY_AXIS = 7
MARKED_DAYS_AT_MOST = 30


class PeekingFigure:
    """False-positive rate by day of an A/B test with no real effect: checking every day and
    stopping at the first significant day (red) against one look on that day (blue), and α.

    The axes are drawn once per pair of limits and kept as a background; a change of a control
    only draws the three lines over it. Limits come from a short list so they rarely change: the
    day axis ends at 7 · 2^j days, the rate axis at the first of ``RATE_AXIS_TOPS`` above the data.
    """

    def __init__(self, width_px: int = 560, height_px: int = 300):
        self.figure = new_figure(width_px, height_px)
        self._axes = axes = self.figure.add_subplot()
        (self._checking_daily,) = axes.plot([], [], "o-", color="tab:red", label="checking every day", animated=True)
        (self._one_look,) = axes.plot([], [], "o-", color="tab:blue", label="one look on that day", animated=True)
        self._alpha_line = axes.axhline(0.0, color="grey", ls=":", label="α, the level chosen", animated=True)
        axes.set(xlabel="day of the test", ylabel="false-positive rate (no real effect)", title="What peeking costs")
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        axes.legend(fontsize="small", loc="upper left")
        self._limits = None
        self._background = None

    def png(self, peeking: pd.DataFrame, alpha: float) -> bytes:
        days = peeking["day"].to_numpy()
        highest = max(alpha, float(peeking["significant_by_day"].max()), float(peeking["significant_on_day"].max()))
        limits = (_day_axis_end(int(days.max())), next((top for top in RATE_AXIS_TOPS if top >= 1.05 * highest), 1.0))
        if limits != self._limits:
            self._draw_background(limits)
        self.figure.canvas.restore_region(self._background)
        self._checking_daily.set_data(days, peeking["significant_by_day"])
        self._one_look.set_data(days, peeking["significant_on_day"])
        for line in (self._checking_daily, self._one_look):
            line.set_marker("o" if len(days) <= MARKED_DAYS_AT_MOST else "")
        self._alpha_line.set_ydata([alpha, alpha])
        for line in (self._alpha_line, self._one_look, self._checking_daily):
            self._axes.draw_artist(line)
        return canvas_png(self.figure)

    def _draw_background(self, limits: tuple[int, float]) -> None:
        self._axes.set_xlim(0.5, limits[0] + 0.5)
        self._axes.set_ylim(0, limits[1])
        self.figure.canvas.draw()
        self._background = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self._limits = limits


def _day_axis_end(last_day: int) -> int:
    end = SHORTEST_DAY_AXIS
    while end < last_day:
        end *= 2
    return end
