"""A county of villages: multi-agent gl_env, villages coupled through the county's quota, targets and review.

:func:`parallel_env` (PettingZoo ``ParallelEnv``), :func:`env` (AEC), :func:`vector` (many
counties as one Gymnasium vector env, for parameter-shared training); rules in
:class:`~gl_env.county.params.CountyParams`, scenarios ``county-1958`` and ``county-reform``.
"""

from typing import Any

from gl_env.county.env import CountyParallelEnv, env, parallel_env
from gl_env.county.params import COUNTY_SCENARIOS, CountyParams, county_param_table


def vector(num_counties: int = 4, num_villages: int = 8, scenario: str = "county-1958", **kwargs: Any):
    """Every cadre of ``num_counties`` counties as one SB3 ``VecEnv`` (parameter-shared training;
    :class:`~gl_env.county.sb3.CountySB3VecEnv`, needs the ``train`` extra)."""
    from gl_env.county.sb3 import CountySB3VecEnv

    return CountySB3VecEnv(num_counties=num_counties, num_villages=num_villages, scenario=scenario, **kwargs)


__all__ = [
    "COUNTY_SCENARIOS",
    "CountyParallelEnv",
    "CountyParams",
    "county_param_table",
    "env",
    "parallel_env",
    "vector",
]
