"""A county of village cadres as a PettingZoo environment (parallel, and AEC by PettingZoo's converter)."""

from __future__ import annotations

import copy
from typing import Any, ClassVar

import numpy as np
from gymnasium import spaces
from pettingzoo import ParallelEnv
from pettingzoo.utils.conversions import parallel_to_aec

from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE
from gl_env.core.random import seeds_to_keys
from gl_env.county.batch import OBS_HIGH, OBS_LOW, Counties, split_params
from gl_env.envs.great_leap import ACTION_TYPES
from gl_env.info import batch_info, per_village


class CountyParallelEnv(ParallelEnv):
    """One county of ``num_villages`` villages, each run by a cadre (agent ``"village_i"``).

    Every agent acts as in :class:`~gl_env.envs.great_leap.GreatLeapEnv` (the same action
    space: ``Box(-1, 1, (10,))`` or ``Discrete``) and is rewarded as there (``reward``), but the
    villages share a county: its rules (:class:`~gl_env.county.params.CountyParams`) set their
    procurement, targets and standing from all the villages' reports.

    Observation: ``Box((50,), float32)``: the single env's 45 components
    (:mod:`gl_env.observations`, same units and ranges), then the county features
    (:mod:`gl_env.county.features`): 45 ``report_rank`` (0 highest report ratio to 1 lowest),
    46 ``county_mean_report_ratio`` and 47 ``county_best_report_ratio`` (report / normal
    harvest, 0 to 5), 48 ``quota_share`` (own share of the county's last procurement, 0 to 1),
    49 ``peers_standing`` (the others' mean standing, 0 to 1, where published; else 0).

    Villages differ by land per person (``land_spread``) and by their own weather draws, on top of
    the weather they share (``county_weather_sd``).

    Episode end: all agents are truncated together at the horizon (``num_years`` x 4 seasons).
    A purged cadre is replaced by a successor whose standing starts at ``initial_standing``
    (``successor=True``, the default): ``terminations`` stay False and the purge shows as the
    season's reward (the survival term's purge penalty) and ``infos[agent]["purged"]``. With
    ``successor=False`` a purge terminates every agent of the county (the county's episode ends).

    ``reset(seed=s)`` keys village i as the single env seeded ``s + i`` (a county of one village
    with no coupling is the single env, bit for bit).
    """

    metadata: ClassVar[dict[str, Any]] = {"name": "gl_county_v1", "render_modes": [], "is_parallelizable": True}

    def __init__(
        self,
        num_villages: int = 8,
        scenario: str = "county-1958",
        reward: str = "careerist",
        action_type: str = "continuous",
        successor: bool = True,
        **params: Any,
    ):
        if action_type not in ACTION_TYPES:
            raise ValueError(f"unknown action_type {action_type!r}; allowed: {', '.join(ACTION_TYPES)}")
        village, rules = split_params(scenario, params)
        self.scenario = scenario
        self.discrete = action_type == "discrete"
        self._counties = Counties(1, num_villages, village, rules, reward, successor)
        self.possible_agents = [f"village_{i}" for i in range(self._counties.size)]
        self.agents: list[str] = []
        action = spaces.Discrete(DISCRETE_SIZE) if self.discrete else spaces.Box(-1.0, 1.0, (ACTION_SIZE,), np.float32)
        observation = spaces.Box(OBS_LOW.astype(np.float32), OBS_HIGH.astype(np.float32), dtype=np.float32)
        self.action_spaces = {a: copy.deepcopy(action) for a in self.possible_agents}
        self.observation_spaces = {a: copy.deepcopy(observation) for a in self.possible_agents}
        self._rng = np.random.default_rng()
        self.render_mode = None  # nothing to render (PettingZoo's converters ask)

    def observation_space(self, agent: str) -> spaces.Box:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space:
        return self.action_spaces[agent]

    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None):
        if seed is not None:
            self._rng = np.random.default_rng(seed)
            first = int(seed)
        else:
            first = int(self._rng.integers(0, 2**62))
        n = self._counties.size
        self._counties.reset(seeds_to_keys(np.arange(first, first + n, dtype=np.uint64)))
        self.agents = list(self.possible_agents)
        c = self._counties
        infos = per_village(batch_info(c.villages.record), n)
        return {a: c.obs[i] for i, a in enumerate(self.agents)}, dict(zip(self.agents, infos, strict=True))

    def step(self, actions: dict[str, Any]):
        if not self.agents:
            raise RuntimeError("the county's episode is over; call reset()")
        missing = sorted(set(self.agents) - set(actions))
        if missing:
            raise ValueError(f"actions missing for agent(s) {', '.join(missing)}")
        c = self._counties
        stacked = np.stack([np.asarray(actions[a]) for a in self.possible_agents])
        c.decide(stacked, self.discrete)
        c.step()
        infos = per_village(batch_info(c.villages.record), c.size)
        agents = self.agents
        obs = {a: c.obs[i] for i, a in enumerate(agents)}
        rewards = {a: float(c.reward[i]) for i, a in enumerate(agents)}
        terminations = {a: bool(c.terminated[i]) for i, a in enumerate(agents)}
        truncations = {a: bool(c.truncated[i]) for i, a in enumerate(agents)}
        info = dict(zip(agents, infos, strict=True))
        if c.terminated.any() or c.truncated.any():
            self.agents = []
        return obs, rewards, terminations, truncations, info

    def render(self) -> None:
        return None

    def state(self) -> np.ndarray:
        """Every village's observation, ``(num_villages, 50)`` (for centralised critics)."""
        return self._counties.obs.copy()

    @property
    def counties(self) -> Counties:
        """The batch behind the env (for analysis and tests)."""
        return self._counties


def parallel_env(num_villages: int = 8, scenario: str = "county-1958", **kwargs: Any) -> CountyParallelEnv:
    """A county as a PettingZoo ``ParallelEnv`` (see :class:`CountyParallelEnv`)."""
    return CountyParallelEnv(num_villages=num_villages, scenario=scenario, **kwargs)


def env(num_villages: int = 8, scenario: str = "county-1958", **kwargs: Any):
    """A county as a PettingZoo AEC env (PettingZoo's ``parallel_to_aec`` over :func:`parallel_env`)."""
    return parallel_to_aec(parallel_env(num_villages=num_villages, scenario=scenario, **kwargs))
