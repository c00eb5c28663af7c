"""gl_env: a Gymnasium environment of a village cadre under state grain procurement.

Importing the package registers ``gl_env/GreatLeap-v1`` (continuous actions) and
``gl_env/GreatLeapDiscrete-v1`` (discrete actions), each with a native vector environment for
``gym.make_vec``, and ``gl_env/Planner-v1`` (the state as the agent: :mod:`gl_env.envs.planner`).
"""

from gymnasium.envs.registration import register

from gl_env.actions import continuous_action, discrete_action
from gl_env.core.params import Params
from gl_env.scenarios import SCENARIOS, make_params

register(
    id="gl_env/GreatLeap-v1",
    entry_point="gl_env.envs.great_leap:GreatLeapEnv",
    vector_entry_point="gl_env.envs.vector:GreatLeapVectorEnv",
)
register(
    id="gl_env/GreatLeapDiscrete-v1",
    entry_point="gl_env.envs.great_leap:GreatLeapEnv",
    vector_entry_point="gl_env.envs.vector:GreatLeapVectorEnv",
    kwargs={"action_type": "discrete"},
)
register(id="gl_env/Planner-v1", entry_point="gl_env.envs.planner:PlannerEnv")

__all__ = ["SCENARIOS", "Params", "continuous_action", "discrete_action", "make_params"]
__version__ = "0.1.0"
