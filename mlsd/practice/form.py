"""A design written in a form, read back into a :class:`~mlsd.design.DesignDoc`.

Each prose answer is a text box, one answer per line. The facts the review compares across fields
(:mod:`mlsd.design_review`) are written as short lines too, each read into its entry:

=========================  ============================  ====================================
form field                 a line reads                  entry, in DesignDoc field
=========================  ============================  ====================================
``kind``                   choices                       :class:`Kind`, ``decision``
``labels``                 ``engaged watch, 2``          :class:`Label` (name, hours), ``data_labels``
``retrain_every_hours``    a number                      :class:`Retraining`, ``data_freshness``
``metrics``                choices                       :class:`Metric`, ``metrics_offline``
``budget_ms``              a number                      :class:`Budget`, ``serving``
``dependencies``           ``ranker, 80, cached order``  :class:`Dependency` (name, p99 ms,
                                                         fallback), ``serving``
``alerts``                 ``recall; drops 10%; on-call``  :class:`Alert` (signal; rule; owner),
                                                         ``monitoring``
=========================  ============================  ====================================

Blank lines and blank numbers are left out. A line that cannot be read raises :class:`FormError`
naming the form field, the line number, the line, and the form it must take; nothing is built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mlsd.design import CHECKLIST, DesignDoc
from mlsd.design_review import (DECISION_NEEDS, METRIC_FAMILIES, Alert, Budget, Dependency, Kind,
                                Label, Metric, Retraining, entries)

__all__ = ["ENTRY_FIELDS", "FormError", "FormField", "design_from_form", "form_fields", "form_values"]


class FormError(ValueError):
    """A form value that cannot be read: the message names the field, the line and the form wanted."""


@dataclass(frozen=True)
class FormField:
    """One input of the form: its name, the DesignDoc field it fills, how it is entered, its label.

    ``entry`` is ``"text"`` (prose, one answer per line), ``"lines"`` (entries, one per line),
    ``"number"`` or ``"choices"``; ``help`` says what a line looks like.
    """

    name: str
    doc_field: str
    entry: str
    label: str
    help: str = ""
    options: tuple[str, ...] = ()


ENTRY_FIELDS: tuple[FormField, ...] = (
    FormField("kind", "decision", "choices", "Kind of decision",
              "what the output is used for (one or more)", tuple(DECISION_NEEDS)),
    FormField("labels", "data_labels", "lines", "Labels and their delay",
              "one per line: name, hours until it arrives — e.g. engaged watch, 2"),
    FormField("retrain_every_hours", "data_freshness", "number", "Retrain every (hours)",
              "how often the model is retrained"),
    FormField("metrics", "metrics_offline", "choices", "Offline metrics (mlsd.metrics)",
              "the metrics computed on held-out data", tuple(METRIC_FAMILIES)),
    FormField("budget_ms", "serving", "number", "Latency budget, p99 (ms)",
              "the whole request's deadline"),
    FormField("dependencies", "serving", "lines", "Online dependencies",
              "one per line: name, p99 ms, fallback — e.g. ranker, 80, cached order"),
    FormField("alerts", "monitoring", "lines", "Alerts",
              "one per line: signal; rule; owner — e.g. recall@100; 10% below last week; on-call"),
)
"""The form's entry inputs (module docstring), each next to the prose answer of its DesignDoc field."""


def form_fields() -> tuple[FormField, ...]:
    """Every input of the form in checklist order: each prose answer, then its entry inputs."""
    fields = []
    for point in CHECKLIST:
        for part in point.parts:
            label = point.title if not part.label else f"{point.title}: {part.label.lower()}"
            fields.append(FormField(part.field, part.field, "text", label, part.prompt))
            fields.extend(entry for entry in ENTRY_FIELDS if entry.doc_field == part.field)
    return tuple(fields)


def design_from_form(title: str, values: dict) -> DesignDoc:
    """The DesignDoc the form's ``values`` (``{form field name: value}``) describe.

    Prose values are split into one answer per non-blank line; entry values are read as the
    module docstring says and appended to their field's answers. Names that are not form fields
    raise :class:`FormError`; a missing name is an empty answer.
    """
    known = {field.name: field for field in form_fields()}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise FormError(f"the form has no field {unknown[0]!r}; its fields are {', '.join(known)}")
    answers: dict[str, list] = {field.doc_field: [] for field in form_fields()}
    for name, field in known.items():
        value = values.get(name)
        if field.entry == "text":
            answers[field.doc_field] = _lines(name, value) + answers[field.doc_field]
        else:
            answers[field.doc_field].extend(_READERS[field.entry](field, value))
    return DesignDoc(title=title or "Untitled design",
                     **{name: answer for name, answer in answers.items()})


def form_values(doc: DesignDoc) -> dict:
    """The form's values that describe ``doc``: the inverse of :func:`design_from_form`."""
    values = {}
    for field in form_fields():
        answer = getattr(doc, field.doc_field)
        items = [answer] if isinstance(answer, str) else answer
        if field.entry == "text":
            values[field.name] = "\n".join(item for item in items if isinstance(item, str))
    retrainings = entries(doc.data_freshness, Retraining)
    budgets = entries(doc.serving, Budget)
    values.update(
        kind=tuple(e.kind for e in entries(doc.decision, Kind)),
        labels="\n".join(f"{e.name}, {e.delay_hours:g}" for e in entries(doc.data_labels, Label)),
        retrain_every_hours=f"{retrainings[0].every_hours:g}" if retrainings else "",
        metrics=tuple(e.name for e in entries(doc.metrics_offline, Metric)),
        budget_ms=f"{budgets[0].p99_ms:g}" if budgets else "",
        dependencies="\n".join(f"{e.name}, {e.p99_ms:g}, {e.fallback}"
                               for e in entries(doc.serving, Dependency)),
        alerts="\n".join(f"{e.signal}; {e.rule}; {e.owner}" for e in entries(doc.monitoring, Alert)),
    )
    return values


def _lines(name: str, value) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, str):
        raise FormError(f"{name} must be text; got {value!r}")
    return [line.strip() for line in value.splitlines() if line.strip()]


def _choices(field: FormField, value) -> list:
    chosen = [value] if isinstance(value, str) else list(value or ())
    wrong = [item for item in chosen if item not in field.options]
    if wrong:
        raise FormError(f"{field.label}: {wrong[0]!r} is not allowed; "
                        f"allowed: {', '.join(field.options)}")
    entry = Kind if field.name == "kind" else Metric
    return [entry(name) for name in chosen]


def _number(field: FormField, value) -> list:
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or number <= 0:
        raise FormError(f"{field.label} must be a positive number; got {value!r}")
    return [Retraining(number) if field.name == "retrain_every_hours" else Budget(number)]


def _entry_lines(field: FormField, value) -> list:
    read = {"labels": _label, "dependencies": _dependency, "alerts": _alert}[field.name]
    found = []
    for number, line in enumerate(_lines(field.label, value), start=1):
        try:
            found.append(read(line))
        except ValueError as error:
            raise FormError(f"{field.label}, line {number}: {line!r} — write it as "
                            f"{field.help.split(': ', 1)[1]} ({error})") from None
    return found


def _label(line: str) -> Label:
    name, hours = _split(line, ",", 2)
    return Label(name, _number_text(hours))


def _dependency(line: str) -> Dependency:
    parts = [part.strip() for part in line.split(",", 2)]
    if len(parts) < 2:
        raise ValueError("a name and a p99 are needed")
    return Dependency(parts[0], _number_text(parts[1]), parts[2] if len(parts) == 3 else "")


def _alert(line: str) -> Alert:
    parts = [part.strip() for part in line.split(";")]
    if len(parts) not in (2, 3):
        raise ValueError("a signal, a rule and an owner, separated by ';'")
    return Alert(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def _split(line: str, separator: str, count: int) -> list[str]:
    parts = [part.strip() for part in line.split(separator)]
    if len(parts) != count:
        raise ValueError(f"{count} parts separated by {separator!r} are needed")
    return parts


def _number_text(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None


_READERS = {"choices": _choices, "number": _number, "lines": _entry_lines}
