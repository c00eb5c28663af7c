"""Shared test fixtures. Hypothesis runs derandomised so every run checks the same examples."""

from hypothesis import settings

settings.register_profile("gl_env", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("gl_env")
