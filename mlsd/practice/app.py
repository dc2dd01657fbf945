"""The interview practice app: a prompt, a timer per phase, the design form, then its review.

:class:`PracticeApp` is a thin view over :mod:`mlsd.practice.form` and
:meth:`mlsd.design.DesignDoc.review`: everything it shows after **Review my design** is what
``design_from_form(...).review()`` returns, so a test can fill the widgets, press the button and
compare with the same review computed directly. ``notebooks/practice_app.ipynb`` shows it, and
``mlsd practice`` serves that notebook with Voilà, without code.

Each phase's timer is an ``ipywidgets.Play`` linked in the browser to a progress bar (it counts
seconds with the page's clock, not the kernel's); the remaining time is written beside it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets
from mlsd.design import CHECKLIST
from mlsd.design_review import Review
from mlsd.practice.form import FormError, FormField, design_from_form, form_fields
from mlsd.practice.interview import PHASES, Phase, Prompt

__all__ = ["PracticeApp", "findings_html", "reference_html"]

WIDTH = "960px"
"""The app's width: inside a 1280-pixel window with the browser's margins."""


class PracticeApp:
    """The practice page for ``prompts``, showing the one keyed ``first`` (by default the first);
    ``.widget`` displays it."""

    def __init__(self, prompts: Sequence[Prompt], first: str | None = None):
        if not prompts:
            raise ValueError("the practice app needs at least one prompt")
        keys = [prompt.key for prompt in prompts]
        if first is not None and first not in keys:
            raise ValueError(f"first must be one of {', '.join(keys)}; got {first!r}")
        self.prompts = {prompt.key: prompt for prompt in prompts}
        self.chooser = widgets.Dropdown(options=[(p.title, p.key) for p in prompts],
                                        value=first or keys[0], description="Prompt",
                                        layout=widgets.Layout(width="480px"))
        self.prompt_text = widgets.HTML()
        self.questions = widgets.HTML()
        self.inputs: dict[str, widgets.Widget] = {field.name: _input(field) for field in form_fields()}
        self.title = widgets.Text(description="Title", placeholder="what you are designing",
                                  layout=widgets.Layout(width="640px"))
        self.review_button = widgets.Button(description="Review my design", button_style="primary",
                                            layout=widgets.Layout(width="220px"))
        self.findings = widgets.HTML()
        self.reference = widgets.HTML()
        self.review_button.on_click(lambda _: self.show_review())
        self.chooser.observe(lambda _: self._show_prompt(), names="value")
        self._show_prompt()
        self.widget = self._layout()

    @property
    def prompt(self) -> Prompt:
        """The prompt chosen."""
        return self.prompts[self.chooser.value]

    def values(self) -> dict:
        """The form's values, ``{form field name: value}``, as :func:`design_from_form` reads them."""
        return {name: _value(widget) for name, widget in self.inputs.items()}

    def show_review(self) -> Review | None:
        """Build the design from the form, show its findings and the reference answer; return the
        review (None when a line of the form cannot be read, which is shown instead)."""
        try:
            doc = design_from_form(self.title.value.strip() or self.prompt.title, self.values())
        except ValueError as error:  # a FormError, or an entry the form read but cannot hold
            self.findings.value = f"<p class='mlsd-form-error'><b>Cannot read the form:</b> {html.escape(str(error))}</p>"
            return None
        review = doc.review()
        self.findings.value = findings_html(review)
        self.reference.value = reference_html(self.prompt)
        return review

    def _show_prompt(self) -> None:
        prompt = self.prompt
        self.prompt_text.value = (f"<h3>{html.escape(prompt.title)}</h3><blockquote style='font-size:1.2em'>"
                                  f"{html.escape(prompt.text)}</blockquote>"
                                  f"<p>{sum(p.minutes for p in PHASES)} minutes. Ask your questions and state your "
                                  "assumptions before you design; start each phase's timer as you reach it.</p>")
        rows = "".join(f"<tr><td>{html.escape(q.question)}</td><td>{html.escape(q.assumption)}</td></tr>"
                       for q in prompt.questions)
        self.questions.value = ("<table><tr><th>question</th><th>what the reference answer assumes</th></tr>"
                                f"{rows}</table>")
        self.findings.value = ""
        self.reference.value = ""

    def _layout(self) -> widgets.VBox:
        questions = widgets.Accordion([self.questions], titles=["Questions to ask first — open after asking yours"],
                                      selected_index=None)
        phases = widgets.Accordion([self._phase_box(phase) for phase in PHASES],
                                   titles=[f"{phase.name} — {phase.minutes} min" for phase in PHASES],
                                   selected_index=0)
        reference = widgets.Accordion([self.reference], titles=["Reference answer — open after your review"],
                                      selected_index=None)
        return widgets.VBox([self.chooser, self.prompt_text, questions, self.title, phases,
                             self.review_button, self.findings, reference],
                            layout=widgets.Layout(width=WIDTH))

    def _phase_box(self, phase: Phase) -> widgets.VBox:
        inputs = [self.inputs[field.name] for field in form_fields() if field.doc_field in phase.fields]
        what = widgets.HTML(f"<i>{html.escape(phase.what_to_do)}</i>")
        return widgets.VBox([_timer(phase), what, *inputs])


def findings_html(review: Review) -> str:
    """The review as HTML: a line when nothing is found, else one row per finding with its reason."""
    if review.passed:
        return "<p class='mlsd-review'><b>No findings:</b> every cross-field check passes.</p>"
    rows = "".join(f"<tr><td>{html.escape(f.point)}</td><td>{html.escape(f.problem)}</td>"
                   f"<td><i>{html.escape(f.reason)}</i></td></tr>" for f in review.findings)
    return (f"<p class='mlsd-review'><b>{len(review.findings)} finding(s)</b> a reviewer would send back:</p>"
            f"<table class='mlsd-review'><tr><th>point</th><th>problem</th><th>why</th></tr>{rows}</table>")


def reference_html(prompt: Prompt) -> str:
    """The prompt's reference answer as HTML, point by point; for a variant, first what changes
    from the case's own problem."""
    doc = prompt.reference()
    parts = []
    if prompt.differences:
        changes = "".join(f"<li>{html.escape(line)}</li>" for line in prompt.differences)
        parts.append(f"<p><b>What changes from the case's own problem:</b></p><ul>{changes}</ul>")
    parts.append(f"<h3>Design review: {html.escape(doc.title)}</h3>")
    for number, point in enumerate(CHECKLIST, start=1):
        parts.append(f"<h4>{number}. {html.escape(point.title)}</h4>")
        for part in point.parts:
            answer = getattr(doc, part.field)
            items = "".join(f"<li>{html.escape(str(item))}</li>"
                            for item in ([answer] if isinstance(answer, str) else answer))
            label = f"<b>{html.escape(part.label)}</b>" if part.label else ""
            parts.append(f"{label}<ul>{items}</ul>")
    return "".join(parts)


def _timer(phase: Phase) -> widgets.HBox:
    seconds = phase.minutes * 60
    play = widgets.Play(value=0, min=0, max=seconds, step=1, interval=1000, description=f"{phase.name} timer")
    bar = widgets.IntProgress(value=0, min=0, max=seconds, layout=widgets.Layout(width="360px"))
    left = widgets.Label(_remaining(seconds))
    widgets.jslink((play, "value"), (bar, "value"))
    play.observe(lambda change: setattr(left, "value", _remaining(seconds - change["new"])), names="value")
    return widgets.HBox([play, bar, left])


def _remaining(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d} left"


def _input(field: FormField) -> widgets.Widget:
    layout = widgets.Layout(width="900px")
    style = {"description_width": "260px"}
    common = dict(description=field.label, style=style, layout=layout)
    if field.entry in ("text", "lines"):
        return widgets.Textarea(placeholder=field.help, rows=2 if field.entry == "text" else 3, **common)
    if field.entry == "number":
        return widgets.Text(placeholder=field.help, **{**common, "layout": widgets.Layout(width="520px")})
    return widgets.SelectMultiple(options=field.options, rows=min(6, len(field.options)), **common)


def _value(widget: widgets.Widget):
    return tuple(widget.value) if isinstance(widget, widgets.SelectMultiple) else widget.value
