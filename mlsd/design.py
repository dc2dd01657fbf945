"""The design-review checklist: the 14 points every ML system design in this kit answers.

``CHECKLIST`` is the single table of the review: for each point its title, the question a reviewer
asks, and the ``DesignDoc`` fields that answer it (several for points with sub-parts). Rendering
and completeness checks both read that table.

``DesignDoc`` holds one filled checklist. Each field is a string (prose) or a list of strings
(bullets); a blank string, an empty list or a list of blank strings counts as still to fill. In a
notebook, a ``DesignDoc`` as the last expression of a cell renders as Markdown. Lists may also hold
the structured entries of :mod:`mlsd.design_review` (a budget, a dependency, an alert, ...) beside
the prose; :meth:`DesignDoc.review` checks what they say against each other.

Examples
--------
>>> doc = DesignDoc(title="Delivery ETA", decision="The delivery time promised at checkout.")
>>> doc.missing()[:2]
['user', 'cost_of_failure']
>>> doc.is_complete
False

References
----------
Huyen, C. (2022). Designing Machine Learning Systems, ch. 2. O'Reilly.
Sculley, D. et al. (2015). Hidden technical debt in machine learning systems. NeurIPS 28.
"""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass
from typing import NamedTuple

from mlsd.design_review import ENTRY_FIELDS, Review, review

__all__ = ["CHECKLIST", "DesignDoc", "Part", "Point"]


class Part(NamedTuple):
    """One answerable part of a checklist point: a ``DesignDoc`` field and its question."""

    field: str
    label: str
    prompt: str


class Point(NamedTuple):
    """One point of the design review: its title, the reviewer's question and its parts."""

    title: str
    prompt: str
    parts: tuple[Part, ...]


def _single(title: str, field: str, prompt: str) -> Point:
    return Point(title, prompt, (Part(field, "", prompt),))


CHECKLIST: tuple[Point, ...] = (
    _single(
        "Decision",
        "decision",
        "Which decision does the model change, and how is it made today?",
    ),
    _single("User", "user", "Who sees or acts on the output, and what do they do with it?"),
    _single(
        "Cost of failure",
        "cost_of_failure",
        "What does a wrong, late, biased or missing output cost, and who pays?",
    ),
    Point(
        "Goals and non-goals",
        "What must the system achieve, and what is deliberately out of scope?",
        (
            Part("goals", "Goals", "What must the system achieve?"),
            Part("non_goals", "Non-goals", "What is deliberately out of scope?"),
        ),
    ),
    Point(
        "Data",
        "Where does the data come from, what are the labels, how fresh must it be, who owns it?",
        (
            Part("data_sources", "Sources", "Which sources feed the model?"),
            Part("data_labels", "Labels", "What are the labels, and when do they arrive?"),
            Part("data_freshness", "Freshness", "How fresh must data and features be?"),
            Part("data_owners", "Owners", "Who owns each source, and who hears when it changes?"),
        ),
    ),
    _single("Baseline", "baseline", "Which rule, heuristic or simple model must the model beat?"),
    Point(
        "Metrics",
        "How is success measured offline, online and for the business; what must not get worse?",
        (
            Part("metrics_offline", "Offline", "Which metric is computed on held-out data?"),
            Part("metrics_online", "Online", "Which metric does an online experiment move?"),
            Part("metrics_business", "Business", "Which business outcome should improve?"),
            Part("metrics_guardrail", "Guardrail", "What must not get worse (latency, cost, ...)?"),
            Part("metrics_slice", "Slice", "Which segments are reported separately?"),
        ),
    ),
    _single(
        "Model path",
        "model",
        "Which model comes first, which next, and what evidence justifies each step up?",
    ),
    _single(
        "Serving",
        "serving",
        "Batch, online, streaming, edge, human-in-the-loop or hybrid? "
        "What latency budget, and how does it degrade under load?",
    ),
    _single(
        "Validation",
        "validation",
        "How is it validated before full launch: offline, backtest, shadow, A/B, staged rollout?",
    ),
    _single(
        "Monitoring",
        "monitoring",
        "What is watched (inputs, outputs, latency, outcomes), and who acts on an alert?",
    ),
    _single(
        "Fallback",
        "fallback",
        "What is served when the model, the data, the features or the service fail?",
    ),
    _single(
        "Ownership",
        "ownership",
        "Who owns the model, the pipeline and the on-call, and who decides to roll back?",
    ),
    _single(
        "Platform needs",
        "platform",
        "Which features, serving, experiment or monitoring pieces built here should be shared?",
    ),
)

_PARTS: tuple[Part, ...] = tuple(part for point in CHECKLIST for part in point.parts)


@dataclass(kw_only=True, slots=True)
class DesignDoc:
    """A filled design-review checklist for one ML system.

    Every field below except ``title`` answers a part of a point in ``CHECKLIST``; its value is a
    string or a list of strings (rendered as bullets). Values are checked on every assignment:
    anything else raises ``TypeError`` naming the field and the type, and a misspelt field name
    raises ``AttributeError``. Blank strings, empty lists and lists of blank strings count as empty;
    blank items of a list are left out of the rendering.

    Parameters
    ----------
    title : str
        Name of the system under review, e.g. ``"Delivery ETA"``.
    decision, user, cost_of_failure : str or list of str
        Points 1-3.
    goals, non_goals : str or list of str
        Point 4.
    data_sources, data_labels, data_freshness, data_owners : str or list of str
        Point 5; labels say what they are and when they arrive.
    baseline : str or list of str
        Point 6.
    metrics_offline, metrics_online, metrics_business : str or list of str
        Point 7.
    metrics_guardrail, metrics_slice : str or list of str
        Point 7.
    model, serving, validation, monitoring, fallback, ownership, platform : str or list of str
        Points 8-14.

    References
    ----------
    Huyen, C. (2022). Designing Machine Learning Systems, ch. 2. O'Reilly.
    """

    title: str
    decision: str | list[str] = ""
    user: str | list[str] = ""
    cost_of_failure: str | list[str] = ""
    goals: str | list[str] = ""
    non_goals: str | list[str] = ""
    data_sources: str | list[str] = ""
    data_labels: str | list[str] = ""
    data_freshness: str | list[str] = ""
    data_owners: str | list[str] = ""
    baseline: str | list[str] = ""
    metrics_offline: str | list[str] = ""
    metrics_online: str | list[str] = ""
    metrics_business: str | list[str] = ""
    metrics_guardrail: str | list[str] = ""
    metrics_slice: str | list[str] = ""
    model: str | list[str] = ""
    serving: str | list[str] = ""
    validation: str | list[str] = ""
    monitoring: str | list[str] = ""
    fallback: str | list[str] = ""
    ownership: str | list[str] = ""
    platform: str | list[str] = ""

    def __setattr__(self, name: str, value) -> None:
        if name not in self.__dataclass_fields__:
            fields = ", ".join(self.__dataclass_fields__)
            raise AttributeError(f"DesignDoc has no field {name!r}; fields are: {fields}")
        checked = _checked_title(value) if name == "title" else _checked_answer(name, value)
        object.__setattr__(self, name, checked)

    def review(self) -> Review:
        """The cross-field review of this design: findings with their reasons (see
        :mod:`mlsd.design_review`)."""
        return review(self)

    def missing(self) -> list[str]:
        """Names of the fields still to fill, in checklist order."""
        return [part.field for part in _PARTS if not self._filled(part)]

    def missing_points(self) -> list[str]:
        """Titles of the checklist points with at least one part still to fill."""
        return [point.title for point in CHECKLIST if not self._point_complete(point)]

    @property
    def is_complete(self) -> bool:
        """True when every part of every point is filled."""
        return not self.missing()

    def to_markdown(self) -> str:
        """Render the review as Markdown, each empty part shown with the reviewer's question."""
        sections = [f"## Design review: {self.title}"]
        for number, point in enumerate(CHECKLIST, start=1):
            sections.append(f"### {number}. {point.title}\n\n{self._point_body(point)}")
        sections.append("---\n\n" + self._progress())
        return "\n\n".join(sections) + "\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def to_dict(self) -> dict[str, str | list[str]]:
        """The title and every field, in checklist order; lists are copied."""
        return {field.name: _copy(getattr(self, field.name)) for field in dataclasses.fields(self)}

    @classmethod
    def from_dict(cls, values: dict) -> DesignDoc:
        """Build a doc from a mapping such as ``to_dict()`` returns; absent fields stay empty.

        Raises
        ------
        ValueError
            If a key is not a field of ``DesignDoc``; the message lists the allowed keys.
        """
        allowed = [field.name for field in dataclasses.fields(cls)]
        unknown = [key for key in values if key not in allowed]
        if unknown:
            raise ValueError(
                f"unknown DesignDoc keys {unknown}; allowed keys are: {', '.join(allowed)}"
            )
        return cls(**values)

    def _progress(self) -> str:
        incomplete = self.missing_points()
        summary = f"**{len(CHECKLIST) - len(incomplete)} of {len(CHECKLIST)} points complete**"
        if not incomplete:
            return summary
        return f"{summary}; still to fill: {', '.join(incomplete)}."

    def _filled(self, part: Part) -> bool:
        return bool(_lines(getattr(self, part.field)))

    def _point_complete(self, point: Point) -> bool:
        return all(self._filled(part) for part in point.parts)

    def _point_body(self, point: Point) -> str:
        if len(point.parts) == 1:
            return self._answer(point.parts[0])
        return "\n".join(self._labelled_answer(part) for part in point.parts)

    def _labelled_answer(self, part: Part) -> str:
        bullets_follow = isinstance(getattr(self, part.field), list) and self._filled(part)
        separator = "\n" if bullets_follow else " "
        return f"- **{part.label}:**" + _indent(separator + self._answer(part), "  ")

    def _answer(self, part: Part) -> str:
        value = getattr(self, part.field)
        lines = _lines(value)
        if not lines:
            return f"**To fill:** *{part.prompt}*"
        if isinstance(value, str):
            return lines[0]
        return "\n".join("- " + _indent(line, "  ") for line in lines)


def _checked_title(value) -> str:
    if not isinstance(value, str):
        raise TypeError(f"DesignDoc.title must be a string; got {type(value).__name__}")
    if not value.strip():
        raise ValueError("DesignDoc.title must not be blank; name the system under review")
    return value


def _checked_answer(name: str, value) -> str | list:
    if isinstance(value, str):
        return value
    allowed = [kind for kind, fields in ENTRY_FIELDS.items() if name in fields]
    what = "a string or a list of strings" + (
        f", {' and '.join(kind.__name__ for kind in allowed)} entries" if allowed else "")
    if not isinstance(value, list):
        raise TypeError(f"DesignDoc.{name} must be {what}; got {type(value).__name__}")
    for position, item in enumerate(value):
        if not isinstance(item, (str, *allowed)):
            raise TypeError(f"DesignDoc.{name} must be {what}; "
                            f"{name}[{position}] is {type(item).__name__}")
    return list(value)


def _lines(value: str | list) -> list[str]:
    """The non-blank entries of an answer, each dedented and stripped; structured entries as text."""
    entries = [value] if isinstance(value, str) else value
    return [inspect.cleandoc(entry) if isinstance(entry, str) else str(entry)
            for entry in entries if not isinstance(entry, str) or entry.strip()]


def _indent(text: str, prefix: str) -> str:
    """Indent every line after the first, so multi-line text stays inside its list item."""
    return text.replace("\n", "\n" + prefix)


def _copy(value: str | list[str]) -> str | list[str]:
    return list(value) if isinstance(value, list) else value
