"""The pure simulation core: parameters, state, the per-village season and its compiled batch loop.

No Gymnasium here. :class:`Villages` is the interface the environments use.
"""

from gl_env.core.batch import Villages
from gl_env.core.dynamics import Outcome
from gl_env.core.params import Climate, CoreParams, Params, Value, compile_params, param_table, stack_params
from gl_env.core.state import Decision, State

__all__ = [
    "Climate",
    "CoreParams",
    "Decision",
    "Outcome",
    "Params",
    "State",
    "Value",
    "Villages",
    "compile_params",
    "param_table",
    "stack_params",
]
