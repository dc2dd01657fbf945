"""`mlsd grade` on a class's worth of real submissions of one exercise: every grade and reason,
the gradebook, the CSV, the feedback pages, resuming, isolation, the limits, `course collect`."""

import csv
import json
import logging
import re
import signal
import subprocess
import sys

import nbformat
import psutil
import pytest
from course_submissions import (DELETED, answer_names, misbehaving, release_notebook,
                                source_notebook, submit, with_answers, wrong_answer_code)
from kit_factory import KIT_ROOT, answer_ctrl_c, run_mlsd

from mlsd import course
from mlsd.cases.delivery_eta.exercise import TASKS
from mlsd.cli import main
from mlsd.grading import book
from mlsd.grading.collect import collect, student_id
from mlsd.grading.command import grade_assignment
from mlsd.grading.executors import LocalGrading
from mlsd.grading.isolated import Limits
from mlsd.grading.screen import screen
from mlsd.params import ParameterError

NAME = "05_delivery_eta"
TASK_IDS = [f"task{n}" for n in range(1, len(TASKS) + 1)]
WRONG_ROUNDS = (0, max(len(task.wrong_answers) for task in TASKS) - 1)
"""The rounds of wrong answers submitted: the first listed wrong answer of every task, and the last
round, where only the task with the most wrong answers is wrong. Every wrong answer of every task
is rejected by its check in tests/test_exercise_tasks.py; here the grader counts their points."""
CELL_LIMIT = 20
"""Seconds a cell may run: the setup cell imports the case and trains its models, which on a
loaded 2-core machine (the suite beside it) has taken more than 10 s."""


def _wrong_round(k: int) -> dict[int, int]:
    """Task number → index of its wrong answer in round ``k`` (tasks with fewer are solved)."""
    return {task.number: k for task in TASKS if len(task.wrong_answers) > k}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A course, a class of submissions, one graded past the notebook limit, then all by the CLI."""
    root = tmp_path_factory.mktemp("grading") / "workshop"
    course.init_course(root, {NAME: KIT_ROOT / "exercises" / f"{NAME}.ipynb"})
    names = answer_names(source_notebook(root, NAME))
    submit(root, NAME, "solved", source_notebook(root, NAME))
    submit(root, NAME, "blank", release_notebook(root, NAME))
    submit(root, NAME, "slow", source_notebook(root, NAME))
    for k in WRONG_ROUNDS:
        answers = {task: wrong_answer_code(task, index, names[task])
                   for task, index in _wrong_round(k).items()}
        submit(root, NAME, f"wrong_{k + 1}", with_answers(root, NAME, answers))
    for student, notebook in misbehaving(root, NAME).items():
        submit(root, NAME, student, notebook)
    config = (root / "nbgrader_config.py").read_bytes()
    with LocalGrading(1) as executor:
        grade_assignment(root, NAME, executor, Limits(CELL_LIMIT, 3, 3 * 2**30), ["slow"],
                         log=open("/dev/null", "w"))
    left_behind = _grading_processes()
    command = ("grade", str(root), NAME, "--jobs", "2", "--cell-timeout", str(CELL_LIMIT))
    interrupted = _interrupt_after_first_grade(command)
    result = run_mlsd(*command)
    return {"root": root, "result": result, "config": config, "left_behind": left_behind,
            "interrupted": interrupted}


def _grading_processes() -> list[int]:
    """Processes working in a throw-away course of `mlsd grade` (their cwd is in one)."""
    found = []
    for process in psutil.process_iter(["cwd"]):
        if "mlsd-grade-" in (process.info["cwd"] or ""):
            found.append(process.pid)
    return found


def _interrupt_after_first_grade(command) -> dict:
    """Run `mlsd` with ``command``, press Ctrl-C once the first submission that ran is graded (the
    refused ones are graded first, in no time); return its status, its error output, how many it
    said it graded and the grading processes left once it has exited."""
    child = subprocess.Popen([sys.executable, "-m", "mlsd.cli", *command], text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=answer_ctrl_c)
    lines = []
    for line in child.stderr:
        lines.append(line)
        if "] " in line and "(0.0 s)" not in line:
            child.send_signal(signal.SIGINT)
            break
    stderr = "".join(lines) + child.communicate(timeout=120)[1]
    said = re.search(r"interrupted after (\d+) of (\d+);", stderr)
    return {"status": child.returncode, "stderr": stderr, "left_behind": _grading_processes(),
            "done": int(said.group(1)) if said else None,
            "total": int(said.group(2)) if said else None}


def _grades(root):
    with open(root / "grades" / f"{NAME}.csv", newline="") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def _points(row):
    return [float(row[task]) for task in TASK_IDS]


@pytest.mark.notebooks
def test_the_command_grades_everyone_and_the_csv_has_a_row_each(graded):
    result, rows = graded["result"], _grades(graded["root"])
    assert result.returncode == 0, result.stdout + result.stderr
    before = 1 + graded["interrupted"]["done"]  # slow, and those graded before Ctrl-C
    assert f"({before} already graded)" in result.stderr
    expected = {"solved", "blank", "slow", *(f"wrong_{k + 1}" for k in WRONG_ROUNDS),
                *misbehaving(graded["root"], NAME)}
    assert set(rows) == expected
    assert f"{len(expected) - before} graded, {before} already graded, 0 not" in result.stdout


@pytest.mark.notebooks
def test_ctrl_c_keeps_what_was_graded_and_stops_the_rest_at_once(graded):
    interrupted = graded["interrupted"]
    assert interrupted["status"] == 130, interrupted["stderr"]
    total = 2 + len(WRONG_ROUNDS) + len(misbehaving(graded["root"], NAME))  # all but slow
    assert interrupted["total"] == total and 3 <= interrupted["done"] < total, interrupted["stderr"]
    assert "the same command resumes" in interrupted["stderr"]
    assert interrupted["left_behind"] == []


@pytest.mark.notebooks
def test_solved_blank_and_wrong_answers_get_their_points(graded):
    rows = _grades(graded["root"])
    assert _points(rows["solved"]) == [1.0] * 6 and rows["solved"]["reason"] == "passed all 6 tasks"
    assert _points(rows["blank"]) == [0.0] * 6 and rows["blank"]["status"] == "graded"
    assert rows["blank"]["reason"] == "passed 0 of 6 tasks; not passed: " + ", ".join(TASK_IDS)
    for k in WRONG_ROUNDS:
        wrong = _wrong_round(k)
        row = rows[f"wrong_{k + 1}"]
        assert _points(row) == [0.0 if n in wrong else 1.0 for n in range(1, 7)], (k, row)
        assert row["points"] == f"{6 - len(wrong)}" and row["max_points"] == "6"


@pytest.mark.notebooks
def test_each_misbehaving_submission_gets_a_grade_and_a_one_line_reason(graded):
    rows = _grades(graded["root"])
    assert _points(rows["loops"]) == [1, 1, 0, 1, 1, 1]
    assert f"stopped at the {CELL_LIMIT} s cell limit: task3_answer" in rows["loops"]["reason"]
    assert _points(rows["allocates"]) == [1, 0, 1, 1, 1, 1]
    assert "out of memory (limit 3 GiB): task2_answer" in rows["allocates"]["reason"]
    assert rows["exits"]["status"] == "failed" and _points(rows["exits"]) == [0] * 6
    assert rows["exits"]["reason"].startswith("the kernel died")
    assert rows["not_json"]["status"] == "refused"
    assert rows["not_json"]["reason"].startswith(f"{NAME}.ipynb is not a notebook: not JSON")
    assert rows["edits_check"]["points"] == "6"  # the check was put back before grading
    assert rows["edits_check"]["reason"] == ("passed all 6 tasks; locked cells edited: task1 "
                                             "(restored before grading)")
    assert _points(rows["deletes_cells"]) == [1, 1, 1, 1, 0, 1]  # check 1 restored, answer 5 gone
    assert f"cells deleted: {', '.join(DELETED)}" in rows["deletes_cells"]["reason"]
    assert rows["hands_in_the_kit"]["status"] == "refused"
    assert "not the student version" in rows["hands_in_the_kit"]["reason"]
    assert rows["slow"]["status"] == "killed" and _points(rows["slow"]) == [0] * 6
    assert rows["slow"]["reason"].startswith("still running at the 3 s limit per submission")
    assert all("\n" not in row["reason"] and row["reason"] for row in rows.values())


@pytest.mark.notebooks
def test_a_submission_cannot_touch_the_course_and_a_killed_one_leaves_no_process(graded):
    root = graded["root"]
    assert (root / "nbgrader_config.py").read_bytes() == graded["config"]
    assert _grades(root)["writes_outside"]["points"] == "0"  # it broke its own copy, only
    assert graded["left_behind"] == []
    api = course.nbgrader_api(root)
    from nbgrader.api import Gradebook

    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        scores = {grade.name: grade.score for grade in
                  gradebook.find_submission(NAME, "solved").notebooks[0].grades}
        assert scores == dict.fromkeys(TASK_IDS, 1.0)
        assert len(gradebook.students) == len(_grades(root))


@pytest.mark.notebooks
def test_feedback_opens_offline_and_states_the_grade(graded):
    root = graded["root"]
    for student, row in _grades(root).items():
        page = (root / "feedback" / student / NAME / f"{NAME}.html").read_text(encoding="utf-8")
        assert not book.REMOTE_SCRIPT.search(page)
        assert 'src="http' not in page and 'href="http' not in page and "@import" not in page
        assert f"{float(row['points']):g} of 6 points" in page
    record = json.loads((root / "grades" / NAME / "solved.json").read_text(encoding="utf-8"))
    assert record["scores"] == dict.fromkeys(TASK_IDS, 1.0) and record["status"] == "graded"


@pytest.mark.notebooks
def test_grading_again_skips_what_is_graded_and_regrades_a_changed_submission(graded):
    root = graded["root"]
    again = run_mlsd("grade", str(root), NAME)
    assert again.returncode == 0 and "0 to grade" in again.stderr, again.stderr
    submit(root, NAME, "not_json", b"still not a notebook")
    changed = run_mlsd("grade", str(root), NAME)
    assert "1 to grade" in changed.stderr and "[1/1] not_json: 0/6" in changed.stderr


def test_a_wrong_course_assignment_or_student_is_one_line_and_writes_nothing(tmp_path, capsys):
    def mlsd_grade(*args):
        status = main(["grade", *map(str, args)])
        return status, capsys.readouterr().err

    assert mlsd_grade(tmp_path, NAME) == (2, f"mlsd grade: {tmp_path.resolve()} holds no course: "
                                             "no nbgrader_config.py (mlsd course init writes one)\n")
    root = tmp_path / "c"
    course.write_course(root, {NAME: KIT_ROOT / "exercises" / f"{NAME}.ipynb"})
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    status, unknown = mlsd_grade(root, "99_nothing")
    assert status == 2 and "assignment 99_nothing is not in" in unknown
    assert unknown.endswith(f"the course has: {NAME}\n")
    status, nobody = mlsd_grade(root, NAME, "--student", "zoe")
    assert status == 2 and "--student zoe: no submitted/STUDENT/" in nobody
    assert mlsd_grade(root, NAME, "--memory", "0.1") == (
        2, "mlsd grade: --memory 0.1 is not allowed: expected GiB in [0.5, 1024]\n")
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def _course_notebook():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {
            "grade_id": "setup_0", "locked": True, "grade": False, "solution": False}}),
        nbformat.v4.new_code_cell("ex.check(1, x)", metadata={"nbgrader": {
            "grade_id": "task1", "locked": True, "grade": True, "solution": False, "points": 1}})]
    return notebook


def test_screening_names_what_is_wrong_before_anything_runs():
    source = _course_notebook()
    as_bytes = lambda notebook: {"a.ipynb": nbformat.writes(notebook).encode()}  # noqa: E731
    assert screen({}, "a", source).refusal == "no a.ipynb in the submission (found nothing)"
    assert screen({"b.ipynb": b"{}"}, "a", source).refusal.endswith("(found b.ipynb)")
    assert "not JSON" in screen({"a.ipynb": b"\xff"}, "a", source).refusal
    assert "not a valid notebook" in screen({"a.ipynb": b'{"cells": 3}'}, "a", source).refusal
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    assert "none of the assignment's cells" in screen(as_bytes(plain), "a", source).refusal
    tampered = _course_notebook()
    tampered.cells[1].source = "pass"
    assert screen(as_bytes(tampered), "a", source).problems == (
        "locked cells edited: task1 (restored before grading)",)
    short = _course_notebook()
    del short.cells[0]
    found = screen(as_bytes(short), "a", source)
    assert not found.refusal and found.problems == (
        "cells deleted: setup_0 (nbgrader put test cells back)",)


def _inbox(tmp_path, files: dict[str, str]):
    """A course folder with the assignment's source folder, and a folder of students' files."""
    root = tmp_path / "course"
    (root / "source" / NAME).mkdir(parents=True)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, text in files.items():
        (inbox / name).write_text(text)
    return root, inbox


def test_collect_takes_files_named_by_student_and_checks_them_all_first(tmp_path):
    root, files = _inbox(tmp_path, {"alice.ipynb": "{}", f"bob_{NAME}.ipynb": "[]",
                                    ".DS_Store": ""})
    done = collect(root, NAME, files)
    assert done.new == ("alice", "bob")
    assert (root / "submitted" / "bob" / NAME / f"{NAME}.ipynb").read_text() == "[]"
    assert collect(root, NAME, files).unchanged == ("alice", "bob")
    (files / "alice.ipynb").write_text('{"v": 2}')
    with pytest.raises(ParameterError, match="alice already has another submitted"):
        collect(root, NAME, files)
    assert collect(root, NAME, files, replace=True).replaced == ("alice",)
    (files / f"alice-{NAME}.ipynb").write_text("{}")
    with pytest.raises(ParameterError, match=f"alice-{NAME}.ipynb and alice.ipynb are both"):
        collect(root, NAME, files)
    assert (root / "submitted" / "alice" / NAME / f"{NAME}.ipynb").read_text() == '{"v": 2}'
    with pytest.raises(ParameterError, match="student id '-x' is not allowed"):
        student_id(tmp_path / "-x.ipynb", NAME)
    assert student_id(tmp_path / "ann.lee.ipynb", NAME) == "ann.lee"


def test_collect_from_the_command_line(tmp_path):
    root, inbox = _inbox(tmp_path, {"carol.ipynb": "{}"})
    result = run_mlsd("course", "collect", str(root), NAME, str(inbox))
    assert result.returncode == 0 and result.stdout.startswith("new: carol\n"), result.stderr
    missing = run_mlsd("course", "collect", str(root), "nope", str(inbox))
    assert missing.returncode == 2 and "assignment nope is not in" in missing.stderr


@pytest.mark.slow
@pytest.mark.notebooks
def test_grading_on_a_dask_cluster_gives_the_same_grades(graded):
    distributed = pytest.importorskip("distributed")
    root = graded["root"]
    before = _grades(root)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=True,
                                  dashboard_address=None, silence_logs=logging.CRITICAL) as cluster:
        result = run_mlsd("grade", str(root), NAME, "--student", "solved", "--student", "wrong_1",
                          "--regrade", "--jobs", "2", "--executor", "dask",
                          "--scheduler", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr
    assert "2 to grade" in result.stderr
    after = _grades(root)
    for student in ("solved", "wrong_1"):
        assert after[student] == before[student]
