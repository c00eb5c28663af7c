"""Many counties of villages in one kernel batch: the arrays behind the county envs.

``num_counties`` x ``num_villages`` villages, county by county, in one
:class:`~gl_env.core.batch.Villages` batch whose kernel reviews each county between its two
passes (:mod:`gl_env.core.county`). Every county has the same villages (params) and rules;
they differ by their random keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from gl_env.actions import ACTION_SIZE, DISCRETE_TABLE
from gl_env.core.batch import Villages
from gl_env.core.params import PARAM_NAMES, Climate, Params, Value
from gl_env.core.state import StateColumn as S
from gl_env.core.views import OBSERVATION_COLUMNS, RecordColumn
from gl_env.county.features import COUNTY_FEATURES, FEATURES_HIGH, FEATURES_LOW, county_features
from gl_env.county.params import COUNTY_PARAM_NAMES, CountyParams, get_county_scenario
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.rewards import resolve_weights
from gl_env.scenarios import make_params

OBS_LOW = np.concatenate([OBSERVATION_LOW, FEATURES_LOW])
OBS_HIGH = np.concatenate([OBSERVATION_HIGH, FEATURES_HIGH])
_STANDING = OBSERVATION_COLUMNS.index("standing")
_PURGE_RISK = OBSERVATION_COLUMNS.index("purge_risk")


def split_params(scenario: str, overrides: Mapping[str, Any]) -> tuple[Params, CountyParams]:
    """The village params and county rules of county scenario ``scenario`` with ``overrides``
    (any :class:`~gl_env.core.params.Params` or :class:`~gl_env.county.params.CountyParams` field)."""
    unknown = sorted(set(overrides) - set(PARAM_NAMES) - set(COUNTY_PARAM_NAMES))
    if unknown:
        raise TypeError(
            f"unknown parameter(s) {', '.join(unknown)}; allowed: the village fields "
            f"({', '.join(PARAM_NAMES)}) and the county fields ({', '.join(COUNTY_PARAM_NAMES)})"
        )
    county = get_county_scenario(scenario)
    village = make_params(county.village_scenario, **{k: v for k, v in overrides.items() if k in PARAM_NAMES})
    rules = county.county.replace(**{k: v for k, v in overrides.items() if k in COUNTY_PARAM_NAMES})
    return village, rules


def village_params(village: Params, rules: CountyParams, num_villages: int) -> list[Params]:
    """One county's villages: land per person spread evenly over +- ``rules.land_spread``."""
    if num_villages == 1 or rules.land_spread == 0.0:
        return [village] * num_villages
    spread = np.linspace(1.0 - rules.land_spread, 1.0 + rules.land_spread, num_villages)
    return [village.replace(land_per_person_ha=float(village.land_per_person_ha * f)) for f in spread]


class Counties:
    """``num_counties`` counties of ``num_villages`` villages, stepped as one batch.

    ``successor``: a purged cadre is replaced by a successor (standing reset to
    ``initial_standing``) and the village plays on; ``False``: a purge ends its county's episode.
    After :meth:`reset` / :meth:`step`: ``obs`` ``(N, 50)`` float32 (the single env's 45
    components, then :data:`~gl_env.county.features.COUNTY_FEATURES`), ``reward``,
    ``terminated``, ``truncated`` ``(N,)``, and the batch :attr:`villages`.
    """

    def __init__(
        self,
        num_counties: int,
        num_villages: int,
        village: Params,
        rules: CountyParams,
        reward: str | Mapping[str, float] = "careerist",
        successor: bool = True,
        parallel: bool = False,
    ):
        for name, value in (("num_counties", num_counties), ("num_villages", num_villages)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}={value!r} must be a positive integer")
        self.num_counties, self.num_villages = int(num_counties), int(num_villages)
        self.size = self.num_counties * self.num_villages
        self.rules = rules
        self.successor = bool(successor)
        county = np.repeat(np.arange(self.num_counties), self.num_villages)
        self.villages = Villages(
            village_params(village, rules, self.num_villages) * self.num_counties
            if self.num_villages > 1 and rules.land_spread
            else [village],
            self.size,
            resolve_weights(reward),
            OBSERVATION_LOW,
            OBSERVATION_HIGH,
            parallel=parallel,
            county=county if rules.coupled else None,
            coupling=rules.coupling(),
        )
        core = self.villages.core
        self._initial_standing = np.broadcast_to(core.values[:, Value.initial_standing], (self.size,)).copy()
        self.obs = np.zeros((self.size, len(OBS_LOW)), dtype=np.float32)
        self.reward = np.zeros(self.size)
        self.terminated = np.zeros(self.size, dtype=bool)
        self.truncated = np.zeros(self.size, dtype=bool)

    def reset(self, keys: np.ndarray) -> None:
        """Start every county's episode: village i keyed ``keys[i]``."""
        self.villages.reset(keys)
        self._normal = self._village_normals()
        self._observe()
        self.reward = np.zeros(self.size)
        self.terminated = np.zeros(self.size, dtype=bool)
        self.truncated = np.zeros(self.size, dtype=bool)

    def restart(self, counties: np.ndarray, keys: np.ndarray) -> None:
        """Start new episodes now in ``counties`` (indices), their villages keyed ``keys`` (in order)."""
        index = (counties[:, None] * self.num_villages + np.arange(self.num_villages)).ravel()
        self.villages.reset(keys, index)
        self._normal = self._village_normals()
        self.terminated[index] = False
        self.truncated[index] = False
        self._observe()

    def decide(self, actions: np.ndarray, discrete: bool) -> None:
        """Decide every village's action: ``(N, 10)`` continuous or ``(N,)`` discrete (errors name the bad value)."""
        if discrete:
            index = np.asarray(actions)
            if index.shape != (self.size,) or not np.issubdtype(index.dtype, np.integer):
                raise ValueError(f"actions must be {self.size} ints; got shape {index.shape}, dtype {index.dtype}")
            bad = self.villages.decide_discrete(index.astype(np.int64, copy=False), DISCRETE_TABLE)
            if bad >= 0:
                raise ValueError(f"action {index[bad]} is not in Discrete({len(DISCRETE_TABLE)})")
            return
        values = np.ascontiguousarray(actions, dtype=np.float64)
        if values.shape != (self.size, ACTION_SIZE):
            raise ValueError(f"actions must have shape ({self.size}, {ACTION_SIZE}); got {values.shape}")
        bad = self.villages.decide_continuous(values)
        if bad >= 0:
            village, component = divmod(bad, ACTION_SIZE)
            raise ValueError(
                f"action {component} of village {village} is {values[village, component]!r}; must be finite"
            )

    def step(self, restart: np.ndarray | None = None) -> None:
        """One season everywhere on the decided actions (counties ``restart`` marks, ``(counties,)``,
        start their next episode instead)."""
        v = self.villages
        v.step(None if restart is None else np.repeat(restart, self.num_villages))
        if restart is not None and restart.any():
            self._normal = self._village_normals()
        purged = v.record[:, RecordColumn.purged] > 0.0
        if self.successor:
            self.terminated = np.zeros(self.size, dtype=bool)
            if purged.any():
                self._install_successors(np.flatnonzero(purged))
        else:
            self.terminated = np.repeat(purged.reshape(-1, self.num_villages).any(axis=1), self.num_villages)
        self.truncated = v.truncated.copy()
        self.reward = v.record[:, RecordColumn.reward].copy()
        self._observe()

    def _install_successors(self, index: np.ndarray) -> None:
        """The purged cadres' successors start at ``initial_standing`` (state and observation)."""
        v = self.villages
        v.floats[index, S.standing] = self._initial_standing[index]
        core = v.core
        rows = index if core.size > 1 else np.zeros_like(index)
        season = np.minimum(v.t[index], core.horizon[rows] - 1)
        rate = core.timeline[rows, season, Climate.purge_rate]
        threshold = core.values[rows, Value.purge_threshold]
        risk = rate * np.clip((threshold - self._initial_standing[index]) / threshold, 0.0, 1.0)
        v.obs[index, _STANDING] = self._initial_standing[index]
        v.obs[index, _PURGE_RISK] = risk

    def _village_normals(self) -> np.ndarray:
        """Each village's own normal harvest, kg ``(N,)``: the params' on the land it drew at reset
        (as :func:`gl_env.core.dynamics.village_normal_kg`, which the county's review ranks by).
        Fixed for an episode: computed when villages start one."""
        v = self.villages
        values = np.broadcast_to(v.core.values, (self.size, v.core.values.shape[1]))
        return values[:, Value.normal_harvest_kg] * (v.floats[:, S.land_quality] / values[:, Value.land_quality])

    def _observe(self) -> None:
        v = self.villages
        features = county_features(v.floats, self._normal, self.num_villages, bool(self.rules.publish_standing))
        self.obs = np.concatenate([v.obs, features], axis=1)


__all__ = ["COUNTY_FEATURES", "OBS_HIGH", "OBS_LOW", "Counties", "split_params", "village_params"]
