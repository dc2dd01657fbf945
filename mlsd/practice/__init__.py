"""Interview practice: open prompts, time-boxed phases, a design doc to fill and its review.

- :mod:`.interview` — the answer's phases with their time boxes (:data:`PHASES`), an open
  :class:`Prompt` with the clarifying questions it leaves open (:class:`Question`);
- :mod:`.form` — the entries of a design written as lines of text (``ranker, 80, cached scores``)
  and read back into a :class:`~mlsd.design.DesignDoc`, with errors naming the line;
- :mod:`.app` — the code-free practice app (``mlsd practice``): a prompt, a timer per phase, the
  form, then the review's findings and the case's reference answer.

The prompts themselves belong to the cases (each case's ``design.interview_prompts()``);
:func:`mlsd.cases.practice.prompts` collects them.
"""

from mlsd.practice.form import FormError, design_from_form, form_fields
from mlsd.practice.interview import (PHASES, Phase, Prompt, Question, details, phase_table,
                                     questions_table)

__all__ = ["PHASES", "FormError", "Phase", "Prompt", "Question", "design_from_form", "details", "form_fields",
           "phase_table", "questions_table"]
