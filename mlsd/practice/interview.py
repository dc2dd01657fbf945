"""The shape of a system-design interview answer: its phases, time boxes, and an open prompt.

A 45-minute interview leaves about 40 minutes for the design once the prompt is read. The phases
below split them the way the kit's notebooks are staged, each phase answering the points of the
design review (:data:`mlsd.design.CHECKLIST`) it names:

=========================  =======  ======================================  ====================
phase                      minutes  checklist points                        notebook
=========================  =======  ======================================  ====================
Clarify and scope          5        Decision, User, Cost of failure, Goals  1_problem_framing
Data and labels            5        Data                                    1_problem_framing
Metrics and baseline       7        Baseline, Metrics                       2_metrics
Architecture and serving   13       Model path, Serving, Fallback           3_architecture
Trade-offs and operations  7        Validation, Monitoring, Ownership,      4_tradeoffs
                                    Platform needs
Wrap-up                    3        (the review's findings)                 —
=========================  =======  ======================================  ====================

A :class:`Prompt` is open on purpose, as interviewers ask: one sentence, with the questions a
strong candidate asks before designing (:class:`Question`), each with the assumption the case's
reference answer then makes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from mlsd.design import CHECKLIST, DesignDoc

__all__ = ["PHASES", "Phase", "Prompt", "Question", "details", "phase_table", "questions_table"]


@dataclass(frozen=True)
class Phase:
    """One phase of an answer: its name, time box, the checklist points it answers, and what to do."""

    name: str
    minutes: int
    points: tuple[str, ...]
    what_to_do: str

    def __post_init__(self):
        titles = {point.title for point in CHECKLIST}
        unknown = [point for point in self.points if point not in titles]
        if unknown:
            raise ValueError(f"phase {self.name!r}: {unknown} are not points of the design review; "
                             f"allowed: {sorted(titles)}")

    @property
    def fields(self) -> tuple[str, ...]:
        """The ``DesignDoc`` fields this phase fills, in checklist order."""
        return tuple(part.field for point in CHECKLIST if point.title in self.points
                     for part in point.parts)


PHASES: tuple[Phase, ...] = (
    Phase("Clarify and scope", 5, ("Decision", "User", "Cost of failure", "Goals and non-goals"),
          "Ask what is decided, for whom, at what scale; state each assumption aloud."),
    Phase("Data and labels", 5, ("Data",),
          "Name the sources, the label and when it arrives, the freshness each part needs."),
    Phase("Metrics and baseline", 7, ("Baseline", "Metrics"),
          "The simplest thing to beat; offline metrics that fit the decision; the online test."),
    Phase("Architecture and serving", 13, ("Model path", "Serving", "Fallback"),
          "Models from simple to complex; the serving path against its latency budget; "
          "what serves when a part fails."),
    Phase("Trade-offs and operations", 7,
          ("Validation", "Monitoring", "Ownership", "Platform needs"),
          "How it is launched, watched and rolled back; who is woken."),
    Phase("Wrap-up", 3, (), "Summarise the design in four sentences; name what you would do next."),
)
"""The phases of a 40-minute answer (module docstring); every review point is in exactly one."""


def phase_table() -> pd.DataFrame:
    """The phases as a table: minutes, the points answered, and what to do."""
    return pd.DataFrame(
        {"minutes": [phase.minutes for phase in PHASES],
         "answers": [", ".join(phase.points) or "—" for phase in PHASES],
         "what to do": [phase.what_to_do for phase in PHASES]},
        index=pd.Index([phase.name for phase in PHASES], name="phase"))


@dataclass(frozen=True)
class Question:
    """A clarifying question and the assumption the reference answer makes when it is not answered."""

    question: str
    assumption: str


@dataclass(frozen=True)
class Prompt:
    """An open interview prompt of a case.

    Attributes
    ----------
    key : str
        Its name for ``mlsd practice`` and the practice notebook, e.g. ``"video_home"``.
    case : str
        The case it belongs to (a name of :data:`mlsd.cases.CASES`).
    title, text : str
        The prompt as an interviewer says it: short and open on purpose.
    questions : tuple of Question
        What to ask first, each with the assumption the reference answer makes.
    reference : callable
        Returns the reference answer, a filled :class:`~mlsd.design.DesignDoc`.
    differences : tuple of str
        For a variant of the case's own problem: what changes from that problem's answer.
    """

    key: str
    case: str
    title: str
    text: str
    questions: tuple[Question, ...]
    reference: Callable[[], DesignDoc]
    differences: tuple[str, ...] = ()

    def questions_table(self) -> pd.DataFrame:
        """The clarifying questions with the assumption the reference answer makes for each."""
        return questions_table(self.questions)

    def questions_markdown(self) -> str:
        """The questions and assumptions as a Markdown table, folded until opened."""
        rows = "".join(f"| {q.question} | {q.assumption} |\n" for q in self.questions)
        return details("Questions to ask first — open after writing yours",
                       "| question | what the reference answer assumes |\n|---|---|\n" + rows)

    def reference_markdown(self) -> str:
        """The reference answer in Markdown; for a variant, first what changes from the case's own
        problem."""
        doc = self.reference()
        changes = "".join(f"- {line}\n" for line in self.differences)
        head = f"**What changes from the case's own problem:**\n\n{changes}\n" if changes else ""
        return head + doc.to_markdown()

    def to_markdown(self) -> str:
        """The prompt as the interviewer says it, with the time boxes."""
        boxes = ", ".join(f"{phase.name.lower()} {phase.minutes} min" for phase in PHASES)
        return f"### {self.title}\n\n> {self.text}\n\n*{sum(p.minutes for p in PHASES)} minutes: {boxes}.*\n"

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def questions_table(questions) -> pd.DataFrame:
    """Clarifying questions (:class:`Question`) as a table: ``question`` and ``assumption``."""
    return pd.DataFrame({"question": [q.question for q in questions],
                         "assumption": [q.assumption for q in questions]})


def details(summary: str, body: str) -> str:
    """Markdown folded under ``summary`` until opened (HTML ``<details>``: JupyterLab, Voilà and the
    kit's HTML report render it)."""
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>\n"
