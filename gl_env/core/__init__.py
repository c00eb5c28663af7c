"""The pure, batched simulation core: parameters, state and the seasonal ``step``. No Gymnasium here."""

from gl_env.core.dynamics import Climate, Outcome, step
from gl_env.core.params import CoreParams, Params, compile_params, param_table, stack_params
from gl_env.core.state import Decision, State, initial_state

__all__ = [
    "Climate",
    "CoreParams",
    "Decision",
    "Outcome",
    "Params",
    "State",
    "compile_params",
    "initial_state",
    "param_table",
    "stack_params",
    "step",
]
