"""The single-village Gymnasium environment: a thin view of the core."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar, SupportsFloat

import gymnasium as gym
import numpy as np
from gymnasium import logger, spaces
from gymnasium.envs.registration import EnvSpec

from gl_env.actions import ACTION_SIZE, DISCRETE_SIZE, DISCRETE_TABLE, real_array
from gl_env.core.batch import Villages
from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.params import CoreParams, Params, Value
from gl_env.core.random import next_episode_keys, seeds_to_keys
from gl_env.core.state import State
from gl_env.core.views import RecordColumn
from gl_env.envs.checks import check_options, check_seed, plain
from gl_env.info import village_info
from gl_env.observations import OBSERVATION_HIGH, OBSERVATION_LOW
from gl_env.render import season_report
from gl_env.rewards import resolve_weights
from gl_env.scenarios import make_params

ACTION_TYPES = ("continuous", "discrete")


class GreatLeapEnv(gym.Env[np.ndarray, np.ndarray | int]):
    """A village cadre under state grain procurement, season by season (China, 1958-1962).

    ## Description

    You are the cadre of a production brigade of about 1,000 people. Each season you decide how
    the village's labor is spent (collective fields, private plots, water-conservancy works,
    backyard steel, rest), whether to mobilise the women's labor, the grain ration, how much
    grain to hide, and, at the autumn harvest, what to report upward. The state procures grain
    on what you *report*; your superiors reward reported growth and steel and punish reported
    decline. Report honestly and you risk your post; inflate and the state takes grain that
    does not exist, and the village starves. The mechanisms (M1-M10 of the model brief) are in
    :mod:`gl_env.core.dynamics`; the institution and political climate are parameters.

    ## Action Space

    ``gl_env/GreatLeap-v1``: ``Box(-1, 1, (10,), float32)``; ``gl_env/GreatLeapDiscrete-v1``:
    ``Discrete(200)``. Components, decoding and the discrete levels are tabulated in
    :mod:`gl_env.actions`; build actions from natural units with
    :func:`gl_env.actions.continuous_action` / :func:`gl_env.actions.discrete_action`.
    Continuous values outside [-1, 1] are clipped; NaN or inf raise ``ValueError``.

    ## Observation Space

    ``Box(low, high, (45,), float32)``: season, population, body reserves, stores, last harvest
    and report, target, standing and purge risk, the political climate of the coming season,
    infrastructure, tools, animals, the crop's progress, and the institution. Every component
    (index, name, low, high, unit, meaning) is listed in
    :data:`gl_env.observations.OBSERVATION_SPEC`.

    ## Rewards

    ``sum(weight[t] * t)`` over the terms ``welfare``, ``survival`` and ``honesty`` of
    :mod:`gl_env.rewards`; presets ``careerist`` (default), ``benevolent``,
    ``honest_official``, ``balanced``, or a mapping of weights. ``info["reward_components"]``
    has each term's value and weighted contribution.

    ## Starting State

    Spring of ``start_year`` (1958 by default) after a normal 1957: store of
    ``initial_store_kg_per_person``, well-fed people, 1957's harvest honestly reported.
    ``randomized`` scenarios draw their mechanism at each reset.

    ## Episode End

    - Termination: the cadre is purged (chance per season rises as standing falls below
      ``purge_threshold``, scaled by the climate's ``purge_rate``).
    - Truncation: the horizon, ``4 * num_years`` seasons (20 by default), is reached.

    ## Arguments

    ```python
    import gymnasium as gym
    import gl_env

    env = gym.make("gl_env/GreatLeap-v1", scenario="reform", reward="balanced",
                   audit_probability=0.3, render_mode="ansi")
    ```

    | argument | default | meaning |
    |---|---|---|
    | ``scenario`` | ``"historical-1958"`` | ``historical-1958``, ``reform`` or ``randomized`` |
    | ``reward`` | ``"careerist"`` | a preset name or ``{"welfare": w1, "survival": w2, "honesty": w3}`` |
    | ``render_mode`` | ``None`` | ``"ansi"``: a season report; ``"rgb_array"``: a dashboard image (matplotlib) |
    | ``params`` | ``None`` | a full :class:`~gl_env.core.params.Params` (instead of scenario + overrides) |
    | any ``Params`` field | scenario's | e.g. ``audit_probability=0.3``, ``num_years=3`` |

    ## Vectorized environment

    ``gym.make_vec("gl_env/GreatLeap-v1", num_envs=1024)`` runs the same compiled kernel over the
    whole batch (:class:`gl_env.envs.vector.GreatLeapVectorEnv`), with the same keywords, plus
    ``parallel=True`` for numba's threads. This env is that kernel on a batch of one.

    ## Rendering

    ``render_mode="ansi"`` returns the season's report as text. ``render_mode="rgb_array"``
    returns a 1024 x 576 RGB dashboard of the episode so far (harvest true vs reported,
    procurement, food against the survival need, deaths, standing), drawn with matplotlib in the
    style of :mod:`gl_env.plots`; record an episode with ``gymnasium.wrappers.RecordVideo``
    (needs moviepy).

    ## Version History

    - v0: initial release; the ``rgb_array`` render mode was added later without changing the
      dynamics.
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}
    _spec: EnvSpec | None = None

    def __init__(
        self,
        scenario: str = "historical-1958",
        reward: str | Mapping[str, float] = "careerist",
        action_type: str = "continuous",
        render_mode: str | None = None,
        params: Params | None = None,
        **overrides: Any,
    ):
        if action_type not in ACTION_TYPES:
            raise ValueError(f"unknown action_type {action_type!r}; allowed: {', '.join(ACTION_TYPES)}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(
                f"unknown render_mode {render_mode!r}; allowed: None, {', '.join(self.metadata['render_modes'])}"
            )
        if params is not None and overrides:
            raise TypeError("pass either params=Params(...) or keyword overrides, not both")
        if params is not None and not isinstance(params, Params):
            raise TypeError(f"params={params!r} must be a gl_env.Params (or leave it out and pass keywords)")
        self.params = params if params is not None else make_params(scenario, **overrides)
        self.weights = resolve_weights(reward)
        self.action_type = action_type
        self.render_mode = render_mode
        self.action_space = (
            spaces.Box(-1.0, 1.0, (ACTION_SIZE,), np.float32)
            if action_type == "continuous"
            else spaces.Discrete(DISCRETE_SIZE)
        )
        self.observation_space = spaces.Box(
            OBSERVATION_LOW.astype(np.float32), OBSERVATION_HIGH.astype(np.float32), dtype=np.float32
        )
        # One village in the kernel's arrays (a batch of one).
        # Its state and record are copied into Python numbers (info, state): private to the env.
        self._villages = Villages(
            [self.params], 1, self.weights, OBSERVATION_LOW, OBSERVATION_HIGH, parallel=False, private_state=True
        )
        self._index = np.zeros(1, dtype=np.int64)
        self._horizon = self.params.horizon
        # The state as Python numbers, made when asked for (see the state property).
        self._state: State | None = None
        self._info: dict[str, Any] = {}
        self._done = False
        self._opening = True
        # The seasons' infos of this episode, kept only for the rgb_array dashboard.
        self._history: list[dict[str, Any]] = []
        self._figure: Any = None
        self._figure_layout: tuple[int, int, float] | None = None

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        seed = check_seed(seed)
        check_options(options, allowed=())
        super().reset(seed=seed)
        villages = self._villages
        if seed is not None:
            keys = seeds_to_keys(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))
        elif villages.t is None:
            keys = seeds_to_keys(np.array([self.np_random.integers(2**63)], dtype=np.uint64))
        else:
            keys = next_episode_keys(villages.key)
        villages.reset(keys)
        self._state = None
        self._info = village_info(villages.record)
        self._done = False
        self._opening = True
        self._history = [self._info] if self.render_mode == "rgb_array" else []
        return villages.obs[0], self._info

    def step(self, action: Any) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        villages = self._villages
        if villages.t is None:
            raise RuntimeError("call reset() before step()")
        if self._done:
            raise RuntimeError("the episode has ended; call reset() before step()")
        self._decide(action)
        villages.step()
        info = village_info(villages.record)
        terminated = info["purged"] > 0.0
        truncated = int(villages.t[0]) >= self._horizon
        self._state = None
        self._info = info
        self._done = terminated or truncated
        self._opening = False
        if self.render_mode == "rgb_array":
            self._history.append(info)
        return villages.obs[0], float(villages.record[0, _REWARD]), terminated, truncated, info

    def _decide(self, action: Any) -> None:
        villages = self._villages
        if self.action_type == "discrete":
            if isinstance(action, np.ndarray) and action.shape in ((), (1,)):
                action = action.reshape(()).item()
            if isinstance(action, bool) or not isinstance(action, int | np.integer) or not 0 <= action < DISCRETE_SIZE:
                raise ValueError(
                    f"action {action!r} is not in Discrete({DISCRETE_SIZE}): an int from 0 to {DISCRETE_SIZE - 1}"
                )
            self._index[0] = action
            villages.decide_discrete(self._index, DISCRETE_TABLE)
            return
        if not (isinstance(action, np.ndarray) and action.dtype.kind == "f" and action.shape == (ACTION_SIZE,)):
            action = real_array(action, "action", (ACTION_SIZE,))
        values = np.asarray(action, dtype=np.float64).reshape(1, -1)
        # Documented: out-of-range components are clipped to [-1, 1]; NaN or inf raise.
        bad = villages.decide_continuous(values)
        if bad >= 0:
            raise ValueError(f"action[{bad}]={float(values[0, bad])!r} is not finite; actions must lie in [-1, 1]")

    def render(self) -> str | np.ndarray | None:
        if self.render_mode is None:
            logger.warn(
                "You are calling render method without specifying any render mode. "
                "You can specify the render_mode at initialization, "
                'e.g. gym.make("gl_env/GreatLeap-v1", render_mode="ansi")'
            )
            return None
        if self._villages.t is None:
            raise RuntimeError("call reset() before render()")
        if self.render_mode == "rgb_array":
            return self._dashboard().frame(self._history)
        return season_report(self._info, opening=self._opening)

    def _dashboard(self) -> Any:
        """The figure the frames are drawn on, made at the first frame and kept (its axes follow
        the horizon and the purge threshold, which a randomised episode may redraw)."""
        from gl_env.dashboard import VillageDashboard

        core = self._villages.core
        layout = (int(core.start_year[0]), int(core.horizon[0]) // SEASONS_PER_YEAR)
        threshold = float(core.values[0, Value.purge_threshold])
        if self._figure is None or self._figure_layout != (*layout, threshold):
            if self._figure is not None:
                self._figure.close()
            self._figure = VillageDashboard(*layout, purge_threshold=threshold)
            self._figure_layout = (*layout, threshold)
        return self._figure

    def close(self) -> None:
        if self._figure is not None:
            self._figure.close()
            self._figure = None
        super().close()

    @property
    def spec(self) -> EnvSpec | None:
        """The ``EnvSpec`` ``gym.make`` set, with the episode's length as ``max_episode_steps``
        (the horizon, which ``num_years`` sets; Gymnasium's time-aware wrappers read it) and the
        keyword arguments as JSON-able values."""
        return self._spec

    @spec.setter
    def spec(self, value: EnvSpec | None) -> None:
        if value is not None:
            value = dataclasses.replace(value, max_episode_steps=self.params.horizon, kwargs=plain(value.kwargs))
        self._spec = value

    @property
    def state(self) -> State | None:
        """The core state of the village, as Python numbers (read-only; for analysis and tests)."""
        villages = self._villages
        if self._state is None and villages.t is not None:
            self._state = State(int(villages.t[0]), int(villages.key[0]), *villages.floats[0].tolist())
        return self._state

    @property
    def villages(self) -> Villages:
        """The kernel's arrays of this village (for analysis tools, e.g. :mod:`gl_env.play`'s previews)."""
        return self._villages

    @property
    def core_params(self) -> CoreParams:
        """The compiled params of the current episode (randomised fields drawn; one row)."""
        return self._villages.core


_REWARD = RecordColumn.reward
