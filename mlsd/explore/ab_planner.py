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
        self.image.value = _peeking_png(plan.peeking, self.state.alpha)

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


def _peeking_png(peeking: pd.DataFrame, alpha: float) -> bytes:
    figure = new_figure(560, 300)
    axes = figure.add_subplot()
    axes.plot(peeking["day"], peeking["significant_by_day"], "o-", color="tab:red", label="checking every day")
    axes.plot(peeking["day"], peeking["significant_on_day"], "o-", color="tab:blue", label="one look on that day")
    axes.axhline(alpha, color="grey", ls=":", label=f"α = {alpha:.0%}")
    axes.set(xlabel="day of the test", ylabel="false-positive rate (no real effect)", title="What peeking costs", ylim=(0, None))
    axes.legend(fontsize="small")
    figure.canvas.draw()
    return canvas_png(figure)
