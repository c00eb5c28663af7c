"""The native vector environment: many villages stepped as one numpy batch of the core."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from gymnasium import logger, spaces
from gymnasium.envs.registration import EnvSpec
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE, DISCRETE_TABLE, real_array
from gl_env.core.batch import Villages
from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.params import PARAM_NAMES, CoreParams, Params, Value
from gl_env.core.random import next_episode_keys, seeds_to_keys
from gl_env.core.state import State
from gl_env.core.views import RecordColumn
from gl_env.envs.batch_info import batch_info, final_observations, rows_of
from gl_env.envs.checks import (
    check_autoreset_mode,
    check_options,
    check_reset_mask,
    check_seeds,
    plain,
)
from gl_env.envs.great_leap import ACTION_TYPES
from gl_env.info import batch_info as record_info
from gl_env.info import per_village
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.render import season_report
from gl_env.rewards import resolve_weights
from gl_env.scenarios import make_params

_MASK64 = 2**64 - 1


class GreatLeapVectorEnv(VectorEnv):
    """``num_envs`` villages of :class:`~gl_env.envs.great_leap.GreatLeapEnv`, stepped as one batch.

    Made by ``gym.make_vec("gl_env/GreatLeap-v1", num_envs=N)`` (or the discrete id); accepts
    every ``gym.make`` keyword, plus:

    - ``per_env``: ``{field: sequence of num_envs values}`` to give each village its own
      mechanism (e.g. ``{"audit_probability": np.linspace(0, 1, N)}`` sweeps audits in one
      batch): village i is ``gym.make``'s village with ``field=values[i]`` (horizon fields
      included: its scenario's timeline follows its own start year and length); or ``params``:
      one :class:`~gl_env.core.params.Params` per village;
    - ``autoreset_mode``: a :class:`gymnasium.vector.AutoresetMode` (or its value, or
      ``"next_step"`` / ``"same_step"`` / ``"disabled"``). ``NEXT_STEP`` (default): the step after an
      episode ends resets that village and returns its first observation, reward 0.
      ``SAME_STEP``: the village resets at once; ``info["final_obs"]`` and ``info["final_info"]``
      hold the last ones. ``DISABLED``: ended villages must be reset with
      ``reset(options={"reset_mask": mask})`` before the next step;
    - ``max_episode_steps``: truncate episodes after this many seasons (at most the horizon,
      ``4 * num_years``; ``gym.make_vec`` passes it on);
    - ``parallel``: ``True`` steps the villages on numba's threads (``prange``; their number:
      ``numba.set_num_threads`` or ``NUMBA_NUM_THREADS``), ``False`` (default) on one. The results
      are the same bits either way. Threads pay only for large batches on idle cores: on the
      2-core machine of the README's Performance section, 1.0-1.7x at 4,096 and 65,536 villages
      (it varies from run to run), and the kernel ran at half speed for one village; hence the
      default.

    ``reset(seed=s)`` seeds village i with ``s + i``; ``reset(seed=[s_0, ..., s_N-1])`` seeds
    each (an entry None: that village is not reseeded). A village seeded ``s`` follows exactly
    the trajectory of ``GreatLeapEnv`` reset with ``seed=s`` (the core is the same code, and its
    random numbers depend on the village's own key only). ``options={"reset_mask": mask}`` (a
    bool array, as for ``SyncVectorEnv``) resets only the masked villages.

    Infos are laid out as ``SyncVectorEnv`` lays out its sub-environments' infos: the keys of the
    single env, each an array with one entry per village, and a bool mask ``"_" + key`` of the
    villages it is set for (all of them after a step; the reset ones after a masked reset).
    The arrays are the caller's: the environment never changes them afterwards.

    ``render_mode="ansi"`` gives one season report per village, ``"rgb_array"`` one dashboard
    image per village (the single env's).
    """

    metadata: ClassVar[dict[str, Any]] = {
        "render_modes": ["ansi", "rgb_array"],
        "render_fps": 4,
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }
    _spec: EnvSpec | None = None

    def __init__(
        self,
        num_envs: int = 1,
        scenario: str = "historical-1958",
        reward: str | Mapping[str, float] = "careerist",
        action_type: str = "continuous",
        render_mode: str | None = None,
        params: Params | Sequence[Params] | None = None,
        per_env: Mapping[str, Sequence[Any]] | None = None,
        autoreset_mode: str | AutoresetMode = AutoresetMode.NEXT_STEP,
        max_episode_steps: int | None = None,
        parallel: bool = False,
        **overrides: Any,
    ):
        if not isinstance(num_envs, int | np.integer) or isinstance(num_envs, bool) or num_envs < 1:
            raise ValueError(f"num_envs={num_envs!r} must be a positive integer")
        if action_type not in ACTION_TYPES:
            raise ValueError(f"unknown action_type {action_type!r}; allowed: {', '.join(ACTION_TYPES)}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"unknown render_mode {render_mode!r}; allowed: None, {', '.join(self.metadata['render_modes'])}"
            )
        self.num_envs = int(num_envs)
        self.autoreset_mode = check_autoreset_mode(autoreset_mode)
        self.params = self._sub_env_params(scenario, params, per_env, overrides)
        self.weights = resolve_weights(reward)
        self.action_type = action_type
        self.render_mode = render_mode
        self.metadata = {**self.metadata, "autoreset_mode": self.autoreset_mode}

        self.single_action_space = (
            spaces.Box(-1.0, 1.0, (ACTION_SIZE,), np.float32)
            if action_type == "continuous"
            else spaces.Discrete(DISCRETE_SIZE)
        )
        self.single_observation_space = spaces.Box(
            OBSERVATION_LOW.astype(np.float32), OBSERVATION_HIGH.astype(np.float32), dtype=np.float32
        )
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)

        self._villages = Villages(
            self.params, self.num_envs, self.weights, OBSERVATION_LOW, OBSERVATION_HIGH, parallel=parallel
        )
        self._episode_end = self._truncation_season(max_episode_steps)
        self._done = np.zeros(self.num_envs, dtype=bool)
        # rgb_array: each village's infos of its current episode, and the figure they are drawn on.
        self._histories: list[list[dict[str, Any]]] = [[] for _ in range(self.num_envs)]
        self._figures: dict[tuple[int, int, float], Any] = {}

    def _sub_env_params(
        self,
        scenario: str,
        params: Params | Sequence[Params] | None,
        per_env: Mapping[str, Sequence[Any]] | None,
        overrides: dict[str, Any],
    ) -> list[Params]:
        if params is not None and (overrides or per_env):
            raise TypeError("pass either params=... or keyword overrides / per_env, not both")
        if isinstance(params, Params):
            return [params]
        if params is not None:
            if isinstance(params, str | bytes | Mapping) or not isinstance(params, Sequence):
                raise TypeError(f"params={params!r} must be a Params or a sequence of num_envs Params")
            params = list(params)
            if len(params) != self.num_envs:
                raise ValueError(
                    f"params has {len(params)} entries; expected one per sub-environment ({self.num_envs})"
                )
            for i, p in enumerate(params):
                if not isinstance(p, Params):
                    raise TypeError(f"params[{i}]={p!r} is not a Params")
            return params
        if per_env is None or (isinstance(per_env, Mapping) and not per_env):
            return [make_params(scenario, **overrides)]
        columns = self._per_env_columns(per_env, overrides)
        # Each village is made as gym.make would make it, so that its horizon fields resolve the
        # scenario's timeline and its explicit values pin a randomised field (villages that share
        # their values share their Params).
        made: dict[tuple[Any, ...], Params] = {}
        villages = []
        for i in range(self.num_envs):
            values = tuple(column[i] for column in columns.values())
            if values not in made:
                made[values] = make_params(scenario, **overrides, **dict(zip(columns, values, strict=True)))
            villages.append(made[values])
        return villages

    def _per_env_columns(self, per_env: Any, overrides: dict[str, Any]) -> dict[str, list[Any]]:
        """``per_env`` checked: a mapping of parameter names to sequences of num_envs values."""
        if not isinstance(per_env, Mapping):
            raise TypeError(f"per_env={per_env!r} must be a dict of parameter name -> sequence of num_envs values")
        unknown = sorted(map(str, set(per_env) - set(PARAM_NAMES)))
        if unknown:
            raise TypeError(f"unknown parameter(s) {', '.join(unknown)} in per_env; allowed: {', '.join(PARAM_NAMES)}")
        both = sorted(set(per_env) & set(overrides))
        if both:
            raise TypeError(f"{', '.join(both)} given both as a keyword and in per_env; give each once")
        columns = {}
        for name, values in per_env.items():
            if isinstance(values, np.ndarray) and values.ndim != 1:
                raise ValueError(f"per_env[{name!r}] must be one-dimensional; got shape {values.shape}")
            if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence | np.ndarray):
                raise TypeError(f"per_env[{name!r}]={values!r} must be a list, tuple or array of num_envs values")
            if len(values) != self.num_envs:
                raise ValueError(f"per_env[{name!r}] has {len(values)} values; expected num_envs={self.num_envs}")
            columns[name] = [_plain(v) for v in values]
        return columns

    def _truncation_season(self, max_episode_steps: Any) -> Any:
        """The season count at which episodes are truncated: the horizon, or ``max_episode_steps``
        seasons if that comes first."""
        horizon = self._villages.base.horizon
        if max_episode_steps is None:
            return horizon
        if isinstance(max_episode_steps, bool) or not isinstance(max_episode_steps, int | np.integer):
            raise TypeError(f"max_episode_steps={max_episode_steps!r} must be a positive int or None")
        shortest = int(np.min(horizon))
        if not 1 <= max_episode_steps <= shortest:
            raise ValueError(
                f"max_episode_steps={max_episode_steps} is outside 1 to {shortest}, the horizon "
                f"({SEASONS_PER_YEAR} seasons x num_years); set num_years for longer episodes"
            )
        return np.minimum(horizon, int(max_episode_steps))

    def set_params(self, params: Params | Sequence[Params]) -> None:
        """Give the villages new (validated) params from the next step on; their episodes carry on.

        ``params``: one :class:`~gl_env.core.params.Params` for every village, or one per village.
        A principal changing the institution mid-episode uses this (:mod:`gl_env.envs.planner`);
        the state is kept, so the horizon must stay the same, and randomised scenarios (whose
        params are drawn at each reset) are refused.
        """
        new = self._sub_env_params("", params, None, {})
        if any(not isinstance(p, Params) for p in new):
            raise TypeError(f"params must be Params; got {sorted({type(p).__name__ for p in new})}")
        if self._villages.base.randomize or any(p.randomize for p in new):
            raise ValueError("set_params does not apply to randomised params (they are drawn at each reset)")
        horizons = sorted({p.horizon for p in new} | {p.horizon for p in self.params})
        if len(horizons) > 1:
            raise ValueError(f"set_params must keep the horizon; got horizons {horizons} seasons")
        self._villages.set_params(new)
        self.params = new

    # --- reset ----------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | Sequence[int | None] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        options = check_options(options, allowed=("reset_mask",))
        villages = self._villages
        mask = None
        if "reset_mask" in options:
            mask = check_reset_mask(options["reset_mask"], self.num_envs)
            if villages.t is None and not mask.all():
                raise ValueError("the first reset must reset every sub-environment")
        keys = self._reset_keys(check_seeds(seed, self.num_envs))
        if mask is None or villages.t is None:
            villages.reset(keys)
            self._done[:] = False
            index = np.arange(self.num_envs)
            returned = batch_info(self._info, self.num_envs)
        else:
            index = np.flatnonzero(mask)
            villages.reset(keys[index], index)
            self._done[index] = False
            # The other villages keep their last step's info; only the reset ones are returned.
            returned = batch_info(rows_of(self._info, index), self.num_envs, index)
        self._record(index, stepped=False)
        return villages.obs, returned

    def _reset_keys(self, seeds: list[int | None]) -> np.ndarray:
        """Episode keys of villages reset with ``seeds`` (None: the next episode of a village that
        played before, as for the single env; a fresh random seed for one that did not)."""
        first = next((s for s in seeds if s is not None), None)
        if first is not None:
            super().reset(seed=first)
        keys = np.empty(self.num_envs, dtype=np.uint64)
        given = np.array([s is not None for s in seeds])
        if given.any():
            keys[given] = seeds_to_keys(np.array([s & _MASK64 for s in seeds if s is not None], dtype=np.uint64))
        if not given.all():
            unseeded = ~given
            if self._villages.t is not None:
                keys[unseeded] = next_episode_keys(self._villages.key[unseeded])
            else:
                drawn = self.np_random.integers(0, 2**63, size=int(unseeded.sum()), dtype=np.int64)
                keys[unseeded] = seeds_to_keys(drawn.astype(np.uint64))
        return keys

    def _start_episodes(self, index: np.ndarray) -> np.ndarray:
        """Start the next episodes of villages ``index`` now, instead of at the next step (for
        adapters with their own autoreset, e.g. :mod:`gl_env.sb3`); returns their first observations.

        Their opening info is not computed: ``info`` is left as the last step returned it.
        """
        villages = self._villages
        villages.reset(next_episode_keys(villages.key[index]), index)
        self._done[index] = False
        return villages.obs[index]

    # --- step -------------------------------------------------------------------------------------
    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        obs, reward, terminated, truncated, _ = self._advance(actions)
        villages = self._villages
        record = villages.record
        final: dict[str, Any] = {}
        ended = np.flatnonzero(self._done) if self.autoreset_mode == AutoresetMode.SAME_STEP else ()
        if len(ended):
            final = {
                "final_obs": final_observations(obs, ended),
                "_final_obs": self._done.copy(),
                "final_info": batch_info(rows_of(record_info(record), ended), self.num_envs, ended),
                "_final_info": self._done.copy(),
            }
            # The arrays of this step are not handed out yet: the new episodes are written into them.
            villages.reset(next_episode_keys(villages.key[ended]), ended, in_place=True)
            self._record(ended, stepped=False)
        # The step's record is nobody else's and laid out by columns: each info array is a column of it.
        returned = batch_info(record_info(record), self.num_envs, fresh=True)
        return obs, reward, terminated, truncated, {**returned, **final}

    def _advance(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The season itself, without the Gymnasium info: obs, reward, terminated, truncated and
        the villages that started their next episode instead (next-step autoreset). The season's
        figures are the rows of ``self._villages.record``; :meth:`step` makes the info from them,
        and adapters that keep their own episode statistics (:mod:`gl_env.sb3`) read them there."""
        villages = self._villages
        if villages.t is None:
            raise RuntimeError("call reset() before step()")
        if self.autoreset_mode == AutoresetMode.DISABLED and self._done.any():
            raise RuntimeError(
                f"the episodes of sub-environments {np.flatnonzero(self._done).tolist()} have ended and "
                "autoreset_mode is DISABLED: reset them first, reset(options={'reset_mask': mask})"
            )
        self._decide(actions)
        # Next-step autoreset: the villages whose episode ended start the next one instead of a season.
        next_step = self.autoreset_mode == AutoresetMode.NEXT_STEP
        restarting = np.flatnonzero(self._done) if next_step else np.zeros(0, dtype=np.int64)
        villages.step(self._done if len(restarting) else None)
        reward = villages.record[:, RecordColumn.reward].copy()
        terminated = villages.terminated
        # max_episode_steps may end episodes before the horizon (restarted villages are at t = 0).
        truncated = villages.t >= self._episode_end
        self._done = terminated | truncated
        self._record(restarting, stepped=True)
        return villages.obs, reward, terminated, truncated, restarting

    def _decide(self, actions: Any) -> None:
        villages = self._villages
        if self.action_type == "discrete":
            index = np.asarray(actions)
            if index.ndim == 0:
                raise TypeError(f"actions must be an array of {self.num_envs} ints (one per village); got {actions!r}")
            if index.shape == (self.num_envs, 1):
                # As DummyVecEnv and SyncVectorEnv take them: one action of shape (1,) per village.
                index = index[:, 0]
            if not np.issubdtype(index.dtype, np.integer):
                raise TypeError(f"actions must be {self.num_envs} ints; got dtype {index.dtype}")
            if index.shape != (self.num_envs,):
                raise ValueError(f"actions must be {self.num_envs} ints; got shape {index.shape}")
            bad = villages.decide_discrete(index.astype(np.int64, copy=False), DISCRETE_TABLE)
            if bad >= 0:
                raise ValueError(
                    f"action {index[bad]} is not in Discrete({DISCRETE_SIZE}): an int from 0 to {DISCRETE_SIZE - 1}"
                )
            return
        if actions is None or np.isscalar(actions) or (isinstance(actions, np.ndarray) and actions.ndim == 0):
            raise TypeError(
                f"actions must be an array of shape ({self.num_envs}, {ACTION_SIZE}) (one row per village); "
                f"got {actions!r}"
            )
        values = np.ascontiguousarray(real_array(actions, "actions", (self.num_envs, ACTION_SIZE)), dtype=np.float64)
        # Documented: out-of-range components are clipped to [-1, 1]; NaN or inf raise.
        bad = villages.decide_continuous(values)
        if bad >= 0:
            env, component = divmod(bad, ACTION_SIZE)
            raise ValueError(
                f"actions[{env}, {component}]={float(values[env, component])!r} is not finite; "
                "actions must lie in [-1, 1]"
            )

    # --- render -----------------------------------------------------------------------------------
    @property
    def _info(self) -> dict[str, Any]:
        """The villages' latest infos (views of the kernel's record): what render shows."""
        return record_info(self._villages.record)

    def _record(self, restarted: np.ndarray, stepped: bool) -> None:
        """Keep each village's infos of its episode for the rgb_array dashboard: villages in
        ``restarted`` begin a new record; after a step the others add the season."""
        if self.render_mode != "rgb_array":
            return
        rows = per_village(self._info, self.num_envs)
        for i in restarted.tolist():
            self._histories[i] = [rows[i]]
        if stepped:
            fresh = set(restarted.tolist())
            for i, row in enumerate(rows):
                if i not in fresh:
                    self._histories[i].append(row)

    def render(self) -> tuple[str, ...] | tuple[np.ndarray, ...] | None:
        """One frame per village: its season report (``"ansi"``) or its dashboard (``"rgb_array"``)."""
        if self.render_mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. "
                "You can specify the render_mode at initialization, "
                'e.g. gym.make_vec("gl_env/GreatLeap-v1", render_mode="ansi")'
            )
            return None
        if self._villages.t is None:
            raise RuntimeError("call reset() before render()")
        if self.render_mode == "rgb_array":
            return tuple(self._dashboard(i).frame(history) for i, history in enumerate(self._histories))
        return tuple(season_report(info) for info in per_village(self._info, self.num_envs))

    def _dashboard(self, village: int) -> Any:
        """The figure village ``village`` is drawn on, shared by the villages of the same layout."""
        from gl_env.dashboard import VillageDashboard

        core = self._villages.core
        row = village if core.size > 1 else 0
        layout = (
            int(core.start_year[row]),
            int(core.horizon[row]) // SEASONS_PER_YEAR,
            float(core.values[row, Value.purge_threshold]),
        )
        if layout not in self._figures:
            self._figures[layout] = VillageDashboard(*layout)
        return self._figures[layout]

    def close_extras(self, **kwargs: Any) -> None:
        for figure in self._figures.values():
            figure.close()
        self._figures.clear()

    @property
    def spec(self) -> EnvSpec | None:
        """The ``EnvSpec`` ``gym.make_vec`` set, its keyword arguments as JSON-able values."""
        return self._spec

    @spec.setter
    def spec(self, value: EnvSpec | None) -> None:
        self._spec = None if value is None else dataclasses.replace(value, kwargs=plain(value.kwargs))

    @property
    def state(self) -> State | None:
        """The batched core state, ``(num_envs,)`` arrays (read-only; for analysis and tests)."""
        return None if self._villages.t is None else self._villages.state()

    @property
    def core_params(self) -> CoreParams:
        """The compiled params, one row per village where they differ (randomised fields drawn)."""
        return self._villages.core


def _plain(value: Any) -> Any:
    """numpy scalars from a per_env sequence as Python numbers (Params validates Python types)."""
    return value.item() if isinstance(value, np.generic) else value
