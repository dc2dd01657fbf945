"""What the case exercises' tests share: a check's rejection of a wrong answer, read as one line."""

import pytest

from mlsd.exercises import ExerciseCheckError


def rejected(task, answer, context) -> str:
    """The one-line message with which ``task`` rejects ``answer`` on ``context`` (fails if it
    accepts it, or if the message is not one line starting with ✗)."""
    with pytest.raises(ExerciseCheckError) as caught:
        task.check(answer, context)
    message = str(caught.value)
    assert message.startswith("✗ ") and "\n" not in message
    return message
