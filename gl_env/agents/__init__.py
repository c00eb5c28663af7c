"""Agents for gl_env: scripted baselines and learning-agent glue, all behind one policy protocol."""

from gl_env.agents.scripted import SCRIPTED_POLICIES, Policy, make_policy

__all__ = ["SCRIPTED_POLICIES", "Policy", "make_policy"]
