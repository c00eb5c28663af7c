"""Shared test fixtures. Hypothesis runs derandomised so every run checks the same examples.

The kernel is compiled (or loaded from numba's disk cache) once, in the controlling process,
before pytest-xdist starts its workers: they then load the cache instead of each compiling.
"""

from hypothesis import settings

settings.register_profile("gl_env", derandomize=True, deadline=None, max_examples=60)
settings.load_profile("gl_env")


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or a run without xdist)
        from gl_env.core.batch import compile_kernel

        compile_kernel()
