"""Grading the submissions of an nbgrader course made by ``mlsd course init`` (``mlsd grade``).

- :mod:`mlsd.grading.collect`: students' files, named by student, into ``submitted/``;
- :mod:`mlsd.grading.screen`: what reading a submission tells, before and after it runs;
- :mod:`mlsd.grading.jobs`: what grading one submission needs, as bytes;
- :mod:`mlsd.grading.isolated`: nbgrader's autograde of one submission in a throw-away course, in a
  child process with a cell limit, a notebook limit and a memory cap;
- :mod:`mlsd.grading.executors`: those children two at a time here, or on a Dask cluster;
- :mod:`mlsd.grading.book`: the grade written into the instructor's course;
- :mod:`mlsd.grading.command`: the command, resuming, the CSV.

Isolation relied on: a submission runs in a temporary copy of the course (its relative paths reach
that copy only, and it is deleted), in a session of its own that is killed with its kernel at the
notebook limit, under ``RLIMIT_AS``; only the grading process writes the instructor's course. Not
promised: the code runs as the grading user, so what it does on purpose with absolute paths, the
user's home or the network is not stopped — grade untrusted classes as a separate user or in a
container.
"""
