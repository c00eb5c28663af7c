"""The native vector environment: many villages stepped as one numpy batch of the core."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from gymnasium import logger, spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE, decode_continuous, decode_discrete
from gl_env.core import dynamics
from gl_env.core.ops import next_episode_keys, seeds_to_keys
from gl_env.core.params import CoreParams, Params, randomized, stack_params
from gl_env.core.state import State, initial_state
from gl_env.envs.great_leap import ACTION_TYPES
from gl_env.info import per_village, reset_info, step_info
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW, observe
from gl_env.render import season_report
from gl_env.rewards import resolve_weights, reward_terms, weighted_reward
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
      resets at once; ``info["final_obs"]`` and ``info["final_info"]`` hold the last ones).

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

        self._base = stack_params(self.params)
        self._core: CoreParams = self._base
        self._state: State | None = None
        self._keys: np.ndarray | None = None
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
        if self._base.randomize or any(p.randomize for p in new):
            raise ValueError("set_params does not apply to randomised params (they are drawn at each reset)")
        horizons = sorted({p.horizon for p in new} | {p.horizon for p in self.params})
        if len(horizons) > 1:
            raise ValueError(f"set_params must keep the horizon; got horizons {horizons} seasons")
        self.params = new
        # A new compiled batch, never the old one written over (the info and callers may hold it).
        self._base = stack_params(new)
        self._core = self._base

    # --- reset ----------------------------------------------------------------------------------
    def reset(
        self, *, seed: int | Sequence[int] | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        mask = None if options is None else options.get("reset_mask")
        if mask is not None:
            mask = np.asarray(mask, dtype=bool)
            if mask.shape != (self.num_envs,):
                raise ValueError(f"reset_mask must have shape ({self.num_envs},); got {mask.shape}")
            if self._state is None and not mask.all():
                raise ValueError("the first reset must reset every sub-environment")
        keys = self._reset_keys(seed)
        if mask is None or self._state is None:
            self._core = randomized(self._base, keys)
            self._state = initial_state(self._core, keys)
            self._done[:] = False
            self._info = reset_info(self._core, self._state)
        else:
            index = np.flatnonzero(mask)
            self._state, fresh = self._restart(self._state, index, keys[index])
            _scatter_info(self._info, index, reset_info(self._core.rows(index), fresh))
        self._keys = self._state.key
        return observe(self._core, self._state), self._info

    def _reset_keys(self, seed: int | Sequence[int] | None) -> np.ndarray:
        if seed is None:
            if self._keys is not None:
                return next_episode_keys(self._keys)
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

    def _restart(
        self, state: State, index: np.ndarray, keys: np.ndarray, shared: set[int] | None = None
    ) -> tuple[State, State]:
        """Start new episodes (keyed ``keys``) in villages ``index`` of ``state``; the others carry on.

        Returns the whole batch's state, and the new villages' opening state (``index`` rows).
        ``shared`` is as for :func:`_merge_rows`.
        """
        if self._base.randomize:
            rows = randomized(self._base.rows(index), keys)
            for name, value in rows.__dict__.items():
                if isinstance(value, np.ndarray):
                    getattr(self._core, name)[index] = value
        fresh = initial_state(self._core.rows(index), keys)
        self._done[index] = False
        merged = State(*(_merge_rows(full, index, part, shared) for full, part in zip(state, fresh, strict=True)))
        return merged, fresh

    def _start_episodes(self, index: np.ndarray) -> np.ndarray:
        """Start the next episodes of villages ``index`` now, instead of at the next step (for
        adapters with their own autoreset, e.g. :mod:`gl_env.sb3`); returns their first observations.

        Their opening info is not computed: ``info`` is left as the last step returned it.
        """
        self._state, fresh = self._restart(self._state, index, next_episode_keys(self._state.key[index]))
        self._keys = self._state.key
        return observe(self._core.rows(index), fresh)

    # --- step -------------------------------------------------------------------------------------
    def step(self, actions: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[str, Any]]:
        if self._state is None:
            raise RuntimeError("call reset() before step()")
        decision = self._decisions(actions)
        state = self._state
        restarting = np.flatnonzero(self._done) if self.autoreset_mode == AutoresetMode.NEXT_STEP else ()
        if len(restarting):
            # Next-step autoreset: these villages start a new episode instead of stepping. They are
            # stepped with the rest from their ended state (cheaper than splitting the batch; the
            # season is held inside the horizon), and their results replaced by the new opening.
            state = state._replace(t=np.minimum(state.t, self._core.horizon - 1))
        state, outcome = dynamics.step(self._core, state, decision)
        terms = reward_terms(outcome, state, decision)
        reward = weighted_reward(terms, self.weights)
        terminated = outcome.purged > 0.0
        truncated = state.t >= self._core.horizon
        info = step_info(self._core, outcome, state, terms, self.weights)
        if len(restarting):
            # Arrays made by this step are written in place; those carried over from the last state
            # (which the caller may still hold, e.g. through the last info) are copied first.
            shared = {id(field) for field in self._state}
            keys = next_episode_keys(self._state.key[restarting])
            state, fresh = self._restart(state, restarting, keys, shared)
            reward[restarting] = 0.0
            terminated[restarting] = False
            truncated[restarting] = False
            _scatter_info(info, restarting, reset_info(self._core.rows(restarting), fresh), shared)
        # Observed once, after the restarts: a village's observation depends on its own row only.
        obs = observe(self._core, state)
        self._done = terminated | truncated
        if self.autoreset_mode == AutoresetMode.SAME_STEP and self._done.any():
            ended = np.flatnonzero(self._done)
            info["final_info"], info["_final_info"] = dict(info), self._done.copy()
            info["final_obs"], info["_final_obs"] = obs.copy(), self._done.copy()
            state, fresh = self._restart(state, ended, next_episode_keys(state.key[ended]))
            obs[ended] = observe(self._core.rows(ended), fresh)
            _scatter_info(info, ended, reset_info(self._core.rows(ended), fresh))
        self._state = state
        self._info = info
        self._keys = state.key
        return obs, reward, terminated, truncated, info

    def _decisions(self, actions: Any) -> Any:
        if self.action_type == "discrete":
            index = np.asarray(actions)
            if index.shape != (self.num_envs,) or not np.issubdtype(index.dtype, np.integer):
                raise ValueError(f"actions must be {self.num_envs} ints; got shape {index.shape}, dtype {index.dtype}")
            if ((index < 0) | (index >= DISCRETE_SIZE)).any():
                bad = index[(index < 0) | (index >= DISCRETE_SIZE)][0]
                raise ValueError(
                    f"action {bad} is not in Discrete({DISCRETE_SIZE}): an int from 0 to {DISCRETE_SIZE - 1}"
                )
            return decode_discrete(index)
        actions = np.asarray(actions)
        if actions.shape != (self.num_envs, ACTION_SIZE):
            raise ValueError(f"actions must have shape ({self.num_envs}, {ACTION_SIZE}); got {actions.shape}")
        # One float64 copy, one contiguous row per component: the decoding then runs on
        # contiguous rows, and the clipping in place.
        columns = actions.T.astype(np.float64, order="C")
        finite = np.isfinite(columns)
        if not finite.all():
            component, env = np.argwhere(~finite)[0]
            raise ValueError(
                f"actions[{env}, {component}]={float(columns[component, env])!r} is not finite; "
                "actions must lie in [-1, 1]"
            )
        # Documented: out-of-range components are clipped to [-1, 1].
        np.maximum(columns, -1.0, out=columns)
        np.minimum(columns, 1.0, out=columns)
        return decode_continuous(columns.T)

    # --- render -----------------------------------------------------------------------------------
    def render(self) -> tuple[str, ...] | None:
        if self.render_mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. "
                "You can specify the render_mode at initialization, "
                'e.g. gym.make_vec("gl_env/GreatLeap-v0", render_mode="ansi")'
            )
            return None
        if self._state is None:
            raise RuntimeError("call reset() before render()")
        return tuple(season_report(info) for info in per_village(self._info, self.num_envs))

    @property
    def state(self) -> State | None:
        """The batched core state (read-only; for analysis and tests)."""
        return self._state

    @property
    def core_params(self) -> CoreParams:
        """The compiled params, one row per village where they differ."""
        return self._core


def _plain(value: Any) -> Any:
    """numpy scalars from a per_env sequence as Python numbers (Params validates Python types)."""
    return value.item() if isinstance(value, np.generic) else value


def _merge_rows(full: np.ndarray, index: np.ndarray, part: np.ndarray, shared: set[int] | None) -> np.ndarray:
    """``full`` with rows ``index`` replaced by ``part``.

    ``full`` is written in place when it is an array made by the current step; it is copied
    first when it may be held elsewhere: when ``shared`` is None, or holds ``id(full)``. Every
    array written in place joins ``shared``, so that an array met twice (e.g. a state array
    that the info also holds) is never overwritten with different rows.
    """
    if shared is None or id(full) in shared:
        full = full.copy()
    if shared is not None:
        shared.add(id(full))
    full[index] = part
    return full


def _scatter_info(
    info: dict[str, Any], index: np.ndarray, part: dict[str, Any], shared: set[int] | None = None
) -> None:
    """Write villages ``index`` of ``part`` into ``info`` (arrays, nested dicts); ``shared`` as for
    :func:`_merge_rows` (None: copy every array and nested dict, e.g. while a final_info holds them)."""
    for key, value in part.items():
        if isinstance(value, dict):
            if shared is None:
                info[key] = dict(info[key])
            _scatter_info(info[key], index, value, shared)
        else:
            info[key] = _merge_rows(np.asarray(info[key]), index, value, shared)
