"""Grading an nbgrader course's submissions: see mlsd.grading.command."""
