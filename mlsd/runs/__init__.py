"""Parameterized notebook runs: find notebooks, check parameters, execute, summarise."""
