"""The native vector environment: many villages stepped as one numpy batch of the core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from gymnasium import logger, spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE, DISCRETE_TABLE
from gl_env.core.batch import Villages
from gl_env.core.params import CoreParams, Params
from gl_env.core.random import next_episode_keys, seeds_to_keys
from gl_env.core.state import State
from gl_env.core.views import RecordColumn
from gl_env.envs.great_leap import ACTION_TYPES
from gl_env.info import batch_info, per_village
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.render import season_report
from gl_env.rewards import resolve_weights
from gl_env.scenarios import make_params

AUTORESET_MODES = {"next_step": AutoresetMode.NEXT_STEP, "same_step": AutoresetMode.SAME_STEP}


class GreatLeapVectorEnv(VectorEnv):
    """``num_envs`` villages of :class:`~gl_env.envs.great_leap.GreatLeapEnv`, stepped as one batch.

    Made by ``gym.make_vec("gl_env/GreatLeap-v0", num_envs=N)`` (or the discrete id); accepts
    every ``gym.make`` keyword, plus:

    - ``per_env``: ``{field: sequence of num_envs values}`` to give each village its own
      mechanism (e.g. ``{"audit_probability": np.linspace(0, 1, N)}`` sweeps audits in one
      batch); or ``params``: one :class:`~gl_env.core.params.Params` per village;
    - ``autoreset_mode``: ``"next_step"`` (default; the step after an episode ends resets that
      village and returns its first observation, reward 0) or ``"same_step"`` (the village
      resets at once; ``info["final_obs"]`` and ``info["final_info"]`` hold the last ones);
    - ``parallel``: ``True`` steps the villages on numba's threads (``prange``; their number:
      ``numba.set_num_threads`` or ``NUMBA_NUM_THREADS``), ``False`` (default) on one. The results
      are the same bits either way. Threads pay only for large batches on idle cores; on the
      shared 2-core machine of the README's Performance section they never did, hence the default.

    ``reset(seed=s)`` seeds village i with ``s + i``; ``reset(seed=[s_0, ..., s_N-1])`` seeds
    each. A village seeded ``s`` follows exactly the trajectory of ``GreatLeapEnv`` reset with
    ``seed=s`` (the core is the same code, and its random numbers depend on the village's own
    key only). ``options={"reset_mask": mask}`` resets only the masked villages.

    Infos are dicts of arrays (one entry per village), with the keys of the single env.
    """

    metadata: ClassVar[dict[str, Any]] = {
        "render_modes": ["ansi"],
        "render_fps": 4,
        "autoreset_mode": AutoresetMode.NEXT_STEP,
    }

    def __init__(
        self,
        num_envs: int = 1,
        scenario: str = "historical-1958",
        reward: str | Mapping[str, float] = "careerist",
        action_type: str = "continuous",
        render_mode: str | None = None,
        params: Params | Sequence[Params] | None = None,
        per_env: Mapping[str, Sequence[Any]] | None = None,
        autoreset_mode: str = "next_step",
        parallel: bool = False,
        **overrides: Any,
    ):
        if not isinstance(num_envs, int | np.integer) or isinstance(num_envs, bool) or num_envs < 1:
            raise ValueError(f"num_envs={num_envs!r} must be a positive integer")
        if action_type not in ACTION_TYPES:
            raise ValueError(f"unknown action_type {action_type!r}; allowed: {', '.join(ACTION_TYPES)}")
        if autoreset_mode not in AUTORESET_MODES:
            raise ValueError(f"unknown autoreset_mode {autoreset_mode!r}; allowed: {', '.join(AUTORESET_MODES)}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"unknown render_mode {render_mode!r}; allowed: None, {', '.join(self.metadata['render_modes'])}"
            )
        self.num_envs = int(num_envs)
        self.params = self._sub_env_params(scenario, params, per_env, overrides)
        self.weights = resolve_weights(reward)
        self.action_type = action_type
        self.render_mode = render_mode
        self.autoreset_mode = AUTORESET_MODES[autoreset_mode]
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
        self._done = np.zeros(self.num_envs, dtype=bool)
        self._info: dict[str, Any] = {}

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
            params = list(params)
            if len(params) != self.num_envs:
                raise ValueError(
                    f"params has {len(params)} entries; expected one per sub-environment ({self.num_envs})"
                )
            return params
        base = make_params(scenario, **overrides)
        if not per_env:
            return [base]
        for name, values in per_env.items():
            if len(values) != self.num_envs:
                raise ValueError(f"per_env[{name!r}] has {len(values)} values; expected num_envs={self.num_envs}")
        return [
            base.replace(**{name: _plain(values[i]) for name, values in per_env.items()}) for i in range(self.num_envs)
        ]

    # --- reset ----------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | Sequence[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        mask = None if options is None else options.get("reset_mask")
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (self.num_envs,):
                raise ValueError(f"reset_mask must have shape ({self.num_envs},); got {mask.shape}")
            if self._villages.t is None and not mask.all():
                raise ValueError("the first reset must reset every sub-environment")
        keys = self._reset_keys(seed)
        villages = self._villages
        if mask is None or villages.t is None:
            villages.reset(keys)
            self._done[:] = False
        else:
            index = np.flatnonzero(mask)
            villages.reset(keys[index], index)
            self._done[index] = False
            # A partial reset updates the last info: the other villages keep their last step's values
            # (and the keys only a step returns, such as final_obs, stay as that step left them).
            self._info = {**self._info, **batch_info(villages.record)}
            return villages.obs, self._info
        self._info = batch_info(villages.record)
        return villages.obs, self._info

    def _reset_keys(self, seed: int | Sequence[int] | None) -> np.ndarray:
        if seed is None:
            if self._villages.t is not None:
                return next_episode_keys(self._villages.key)
            super().reset(seed=None)
            seeds = self.np_random.integers(0, 2**63, size=self.num_envs, dtype=np.int64)
        elif isinstance(seed, int | np.integer):
            super().reset(seed=int(seed))
            seeds = np.arange(int(seed), int(seed) + self.num_envs, dtype=np.uint64)
        else:
            seeds = np.asarray(seed)
            if seeds.shape != (self.num_envs,) or not np.issubdtype(seeds.dtype, np.integer) or (seeds < 0).any():
                raise ValueError(f"seed must be an int or {self.num_envs} non-negative ints; got {seed!r}")
            super().reset(seed=int(seeds[0]))
        return seeds_to_keys(np.asarray(seeds).astype(np.uint64))

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
        villages = self._villages
        if villages.t is None:
            raise RuntimeError("call reset() before step()")
        self._decide(actions)
        # Next-step autoreset: the villages whose episode ended start the next one instead of a season.
        next_step = self.autoreset_mode == AutoresetMode.NEXT_STEP
        villages.step(self._done if next_step and self._done.any() else None)
        obs, record = villages.obs, villages.record
        reward = record[:, RecordColumn.reward].copy()
        terminated = villages.terminated
        truncated = villages.truncated
        self._done = terminated | truncated
        info = batch_info(record)
        if not next_step and self._done.any():
            ended = np.flatnonzero(self._done)
            info["final_info"], info["_final_info"] = batch_info(record.copy()), self._done.copy()
            info["final_obs"], info["_final_obs"] = obs.copy(), self._done.copy()
            # The arrays of this step are not handed out yet: the new episodes are written into them.
            villages.reset(next_episode_keys(villages.key[ended]), ended, in_place=True)
            info.update(batch_info(record))
        self._info = info
        return obs, reward, terminated, truncated, info

    def _decide(self, actions: Any) -> None:
        villages = self._villages
        if self.action_type == "discrete":
            index = np.asarray(actions)
            if index.shape != (self.num_envs,) or not np.issubdtype(index.dtype, np.integer):
                raise ValueError(f"actions must be {self.num_envs} ints; got shape {index.shape}, dtype {index.dtype}")
            bad = villages.decide_discrete(index.astype(np.int64, copy=False), DISCRETE_TABLE)
            if bad >= 0:
                raise ValueError(
                    f"action {index[bad]} is not in Discrete({DISCRETE_SIZE}): an int from 0 to {DISCRETE_SIZE - 1}"
                )
            return
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs, ACTION_SIZE):
            raise ValueError(f"actions must have shape ({self.num_envs}, {ACTION_SIZE}); got {actions.shape}")
        values = np.ascontiguousarray(actions, dtype=np.float64)
        # Documented: out-of-range components are clipped to [-1, 1]; NaN or inf raise.
        bad = villages.decide_continuous(values)
        if bad >= 0:
            env, component = divmod(bad, ACTION_SIZE)
            raise ValueError(
                f"actions[{env}, {component}]={float(values[env, component])!r} is not finite; "
                "actions must lie in [-1, 1]"
            )

    # --- render -----------------------------------------------------------------------------------
    def render(self) -> tuple[str, ...] | None:
        if self.render_mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. "
                "You can specify the render_mode at initialization, "
                'e.g. gym.make_vec("gl_env/GreatLeap-v0", render_mode="ansi")'
            )
            return None
        if self._villages.t is None:
            raise RuntimeError("call reset() before render()")
        return tuple(season_report(info) for info in per_village(self._info, self.num_envs))

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
