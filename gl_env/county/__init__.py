"""A county of villages: multi-agent gl_env, villages coupled through the county's quota, targets and review.

:func:`parallel_env` (PettingZoo ``ParallelEnv``), :func:`env` (AEC), :func:`vector` (many
counties as one Gymnasium vector env, for parameter-shared training); rules in
:class:`~gl_env.county.params.CountyParams`, scenarios ``county-1958`` and ``county-reform``.
"""

from gl_env.county.env import CountyParallelEnv, env, parallel_env
from gl_env.county.params import COUNTY_SCENARIOS, CountyParams, county_param_table

__all__ = ["COUNTY_SCENARIOS", "CountyParallelEnv", "CountyParams", "county_param_table", "env", "parallel_env"]
