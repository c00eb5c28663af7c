"""Gymnasium views of the core: the single-village environment (and the vector environment)."""

from gl_env.envs.great_leap import GreatLeapEnv

__all__ = ["GreatLeapEnv"]
