"""A stable-baselines3 ``VecEnv`` over the batched core (needs the ``train`` extra).

SB3's ``VecEnv`` is not Gymnasium's ``VectorEnv``: ``reset()`` takes no arguments (seeds come
from ``seed()``), ``step_wait`` returns ``dones`` and a list of one info dict per village, and
an ended episode is reset at once, its last observation kept in
``info["terminal_observation"]``. This adapter runs :class:`~gl_env.envs.vector.GreatLeapVectorEnv`,
starts the next episodes of the villages that ended itself (as the vector env's same-step
autoreset would, without the opening infos SB3 does not return) and translates; no Python loop
over villages touches the dynamics.

Infos: by default (``infos="episode"``) a step's info for a village is empty until its episode
ends; then it holds ``"episode_metrics"``: the episode's sums of the reward terms
(``reward/<term>``) and of :data:`EPISODE_SUMS`, ``purged`` (1.0 if it ended in a purge) and
``length`` (seasons), accumulated in arrays as the batch steps (no per-village dict per step).
``infos="full"`` gives every village every documented key of the Gymnasium env's info each
step, as Python numbers (slower: one dict per village per step), besides ``episode_metrics``.

>>> from gl_env.sb3 import GreatLeapSB3VecEnv
>>> from stable_baselines3 import PPO
>>> env = GreatLeapSB3VecEnv(num_envs=16, scenario="historical-1958", reward="careerist")
>>> model = PPO("MlpPolicy", env).learn(10_000)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import gymnasium as gym
import numpy as np
from gymnasium.envs.registration import EnvSpec

try:
    from stable_baselines3.common.vec_env.base_vec_env import VecEnv, VecEnvIndices, VecEnvStepReturn
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("gl_env.sb3 needs stable-baselines3: pip install -c constraints.txt -e '.[train]'") from error

from gl_env.core.views import RecordColumn
from gl_env.envs.checks import plain
from gl_env.envs.vector import GreatLeapVectorEnv
from gl_env.info import per_village
from gl_env.rewards import REWARD_TERMS

# Info keys summed over each episode into ``episode_metrics`` (besides the reward terms).
EPISODE_SUMS = ("deaths", "excess_deaths", "births", "harvest_kg", "reported_kg", "procurement_kg", "concealed_kg")
EPISODE_METRICS = (*(f"reward/{term}" for term in REWARD_TERMS), *EPISODE_SUMS, "purged", "length")
# The kernel's record columns summed into the metrics (reward terms' values, then EPISODE_SUMS).
_SUMMED = [RecordColumn[name] for name in (*REWARD_TERMS, *EPISODE_SUMS)]
INFO_MODES = ("episode", "full")

ENV_IDS = {"continuous": "gl_env/GreatLeap-v1", "discrete": "gl_env/GreatLeapDiscrete-v1"}


class GreatLeapSB3VecEnv(VecEnv):
    """``num_envs`` villages for stable-baselines3; keywords as for ``gym.make`` (and ``per_env``),
    plus ``infos``: ``"episode"`` (default) or ``"full"`` (see the module docstring).

    The villages live in one batched environment, so what SB3 asks of "each sub-environment" is
    answered per village where a village has its own value: ``get_attr`` gives each village's
    ``spec`` (``gym.make(spec)`` makes that village alone), ``params`` and single-village
    spaces, and the batch's value of any other attribute; ``env_method("render")`` and
    ``get_images`` give each village's frame. Other methods act on the whole batch: they are
    called once, for all villages (``indices`` naming only some of them is refused), and
    ``set_attr`` is refused. ``set_options`` are passed to the next ``reset``.
    """

    def __init__(self, num_envs: int = 8, infos: str = "episode", **env_kwargs: Any):
        if env_kwargs.get("autoreset_mode", "next_step") != "next_step":
            raise ValueError("GreatLeapSB3VecEnv resets ended episodes itself: leave autoreset_mode at 'next_step'")
        if infos not in INFO_MODES:
            raise ValueError(f"unknown infos {infos!r}; allowed: {', '.join(INFO_MODES)}")
        self.venv = GreatLeapVectorEnv(num_envs=num_envs, **env_kwargs)
        self._env_kwargs = env_kwargs
        super().__init__(num_envs, self.venv.single_observation_space, self.venv.single_action_space)
        self.infos = infos
        self._actions: np.ndarray | None = None
        # Running sums of the episodes in progress, one column per village (EPISODE_METRICS rows).
        self._sums = np.zeros((len(EPISODE_METRICS), num_envs))

    def reset(self) -> np.ndarray:
        options = self._options
        if any(o != options[0] for o in options):
            raise ValueError("the villages are reset together: set_options must give every village the same options")
        obs, info = self.venv.reset(seed=list(self._seeds), options=options[0] or None)
        self.reset_infos = per_village(info, self.num_envs) if self.infos == "full" else [{} for _ in obs]
        self._sums[:] = 0.0
        self._reset_seeds()
        self._reset_options()
        return obs

    def step_async(self, actions: np.ndarray) -> None:
        self._actions = actions

    def step_wait(self) -> VecEnvStepReturn:
        if self.infos == "full":
            obs, rewards, terminated, truncated, info = self.venv.step(self._actions)
            infos = per_village(info, self.num_envs)
        else:
            # No Gymnasium info to build: the episode sums come from the kernel's record.
            obs, rewards, terminated, truncated, _ = self.venv._advance(self._actions)
            infos = [{} for _ in range(self.num_envs)]
        dones = terminated | truncated
        self._accumulate(self.venv._villages.record)
        ended = np.flatnonzero(dones)
        if len(ended):
            # SB3 wants each ended episode's last info and observation, and the next episode's
            # first observation in obs at once.
            last = obs[ended]
            obs[ended] = self.venv._start_episodes(ended)
            metrics = self._sums[:, ended].T.tolist()
            self._sums[:, ended] = 0.0
            for i, last_obs, values in zip(ended.tolist(), last, metrics, strict=True):
                infos[i]["terminal_observation"] = last_obs
                infos[i]["TimeLimit.truncated"] = bool(truncated[i] and not terminated[i])
                infos[i]["episode_metrics"] = dict(zip(EPISODE_METRICS, values, strict=True))
        return obs, rewards.astype(np.float32), dones, infos

    def _accumulate(self, record: np.ndarray) -> None:
        """Add this step (the kernel's ``record``, one row a village) to the episodes' sums
        (``purged`` is the last step's, ``length`` counts)."""
        sums = self._sums
        sums[:-2] += record[:, _SUMMED].T
        sums[-2] = record[:, RecordColumn.purged]
        sums[-1] += 1.0

    def close(self) -> None:
        self.venv.close()

    def get_attr(self, attr_name: str, indices: VecEnvIndices = None) -> list[Any]:
        return [self._village_attr(attr_name, i) for i in self._get_indices(indices)]

    def _village_attr(self, name: str, village: int) -> Any:
        if name == "spec":
            return self._village_spec(village)
        if name == "params":
            return self._village_params(village)
        if name in ("observation_space", "action_space"):
            return getattr(self.venv, f"single_{name}")
        return getattr(self.venv, name)

    def _village_params(self, village: int) -> Any:
        params = self.venv.params
        return params[village] if len(params) > 1 else params[0]

    def _village_spec(self, village: int) -> EnvSpec:
        """The spec of ``gym.make`` for village ``village`` alone: its own ``per_env`` values
        (or ``params``) in place of the batch's."""
        registered = gym.spec(ENV_IDS[self.venv.action_type])
        kwargs = {**registered.kwargs, **self._env_kwargs}
        per_env = kwargs.pop("per_env", None) or {}
        kwargs.update({name: values[village] for name, values in per_env.items()})
        if "params" in kwargs:
            kwargs["params"] = self._village_params(village)
        horizon = self._village_params(village).horizon
        return dataclasses.replace(registered, kwargs=plain(kwargs), max_episode_steps=horizon)

    def set_attr(self, attr_name: str, value: Any, indices: VecEnvIndices = None) -> None:
        raise AttributeError(f"cannot set {attr_name!r}: the villages share one batched environment")

    def env_method(self, method_name: str, *args: Any, indices: VecEnvIndices = None, **kwargs: Any) -> list[Any]:
        villages = list(self._get_indices(indices))
        if method_name == "render":
            return [frame for i, frame in enumerate(self.get_images()) if i in villages]
        if sorted(villages) != list(range(self.num_envs)):
            raise ValueError(
                f"{method_name!r} acts on the whole batch of villages at once; it cannot be called "
                f"for villages {villages} alone"
            )
        return [getattr(self.venv, method_name)(*args, **kwargs)] * len(villages)

    def get_images(self) -> Sequence[np.ndarray | None]:
        if self.venv.render_mode != "rgb_array":
            warnings.warn(
                f"the render mode is {self.venv.render_mode}; images need render_mode='rgb_array'",
                stacklevel=2,
            )
            return [None] * self.num_envs
        return list(self.venv.render())

    def env_is_wrapped(self, wrapper_class: type, indices: VecEnvIndices = None) -> list[bool]:
        return [False] * len(self._get_indices(indices))

    def _get_indices(self, indices: VecEnvIndices) -> Sequence[int]:
        if indices is None:
            return range(self.num_envs)
        return [indices] if isinstance(indices, int) else list(indices)
