"""The files a submission is graded with: the gradebook nbgrader makes for an assignment is made
once for the same course configuration and source, kept in the user's cache, and made again when
either changes."""

import pytest
from kit_factory import KIT_ROOT

from mlsd import course
from mlsd.grading import jobs

NAME = "01_video_recs"


@pytest.fixture(scope="module")
def workshop(tmp_path_factory):
    root = tmp_path_factory.mktemp("course") / "workshop"
    course.init_course(root, {NAME: KIT_ROOT / "exercises" / f"{NAME}.ipynb"})
    return root


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "mlsd" / "gradebooks"


def _refuse(*args):
    raise AssertionError("the gradebook was made again")


def test_the_gradebook_is_made_once_for_the_same_inputs_and_read_back(workshop, cache, monkeypatch):
    made = jobs.assignment_files(workshop, NAME)
    assert jobs.gradebook_folder() == cache
    assert [path.name.rsplit("-", 1)[0] for path in cache.iterdir()] == [NAME]
    monkeypatch.setattr(jobs, "_generate_gradebook", _refuse)
    assert jobs.assignment_files(workshop, NAME) == made
    assert made[jobs.GRADEBOOK_FILE].startswith(b"SQLite format 3\0")


def test_a_changed_configuration_makes_a_new_gradebook_and_drops_the_old_one(tmp_path, cache):
    root = tmp_path / "workshop"
    course.init_course(root, {NAME: KIT_ROOT / "exercises" / f"{NAME}.ipynb"})
    jobs.assignment_files(root, NAME)
    (before,) = cache.iterdir()
    config = root / jobs.CONFIG_FILE
    config.write_text(config.read_text() + "\n# the instructor changed something\n")
    jobs.assignment_files(root, NAME)
    (after,) = cache.iterdir()
    assert after != before


def test_a_cache_that_cannot_be_written_still_gives_the_gradebook(workshop, tmp_path, monkeypatch):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    files = jobs.assignment_files(workshop, NAME)
    assert files[jobs.GRADEBOOK_FILE].startswith(b"SQLite format 3\0")
