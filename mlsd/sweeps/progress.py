"""The progress line of a sweep: ``sweep  7/20 done · 1 failed · 2 running · ETA 0:45``.

``done`` counts finished runs, failed ones included, and those finished before a resume. On a
terminal the line is rewritten in place (``\\r``) as runs start and finish; otherwise one line is
written per finished run, naming it. A failed run also gets a line of its own with its error. The
ETA is the mean duration of the finished runs times the runs left, divided by the runs at once.
"""

from __future__ import annotations

from typing import TextIO


class Progress:
    """Counts of a sweep's runs, shown on ``stream``; ``live`` rewrites one line in place."""

    def __init__(self, total: int, finished: list[dict], jobs: int, stream: TextIO, live: bool):
        self.total, self.jobs, self.stream, self.live = total, jobs, stream, live
        self.done = len(finished)
        self.failed = sum(result["status"] == "failed" for result in finished)
        self.seconds = [result["seconds"] for result in finished]
        self.running = 0
        self._width = 0

    def started(self, running: int) -> None:
        """A run started; ``running`` runs are in flight now."""
        self.running = running
        if self.live:
            self._show(self.line())

    def finished(self, result: dict, label: str, running: int) -> None:
        """Count a finished run (its ``result.json`` content); ``label`` names it in the failure line."""
        self.running = running
        self.done += 1
        self.seconds.append(result["seconds"])
        if result["status"] == "failed":
            self.failed += 1
            self._print(f"{label} failed: {result['error']}")
        if self.live:
            self._show(self.line())
        else:
            self._print(f"{self.line()}  ({result['run']} {result['status']}, {result['seconds']:.1f} s)")

    def close(self) -> None:
        """End the line rewritten in place, so what follows starts on a line of its own."""
        if self.live and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

    def line(self) -> str:
        parts = [f"sweep {self.done:>{len(str(self.total))}}/{self.total} done", f"{self.failed} failed", f"{self.running} running"]
        left = self.total - self.done
        if left and self.seconds:
            eta = sum(self.seconds) / len(self.seconds) * left / max(1, min(self.jobs, left))
            parts.append(f"ETA {format_duration(eta)}")
        return " · ".join(parts)

    def _show(self, text: str) -> None:
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def _print(self, text: str) -> None:
        if self.live and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self._width = 0
        self.stream.write(text + "\n")
        self.stream.flush()


def format_duration(seconds: float) -> str:
    """``M:SS``, or ``H:MM:SS`` from an hour on."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
