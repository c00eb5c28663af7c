"""The planner env: the state as the agent, choosing the institution that village cadres respond to.

``gym.make("gl_env/Planner-v1", responder="scripted", cadre="careerist")``. Each step (a year,
or a season with ``seasons_per_step=1``) the state sets the institution for the coming step;
below it ``num_villages`` villages of the scenario are played by a *responder*, a cadre policy
that reacts to what the institution rewards and punishes:

- ``responder="scripted"``: a scripted cadre of :mod:`gl_env.agents.scripted`, named by
  ``cadre`` (default ``"honest"``);
- ``responder="learned"``: a frozen trained cadre, ``cadre`` being a ``train.py`` run folder
  (:func:`gl_env.agents.learned.load_policy`; the run must have trained on the plain env);
- ``responder="best_response"``: the mechanism sweep's computed best response, ``cadre``
  being a ``python -m gl_env.sweep`` output folder; each step the cadres play the linear rule
  (:class:`gl_env.agents.linear.LinearCadre`) of the sweep cell nearest to the institution in
  force, distances measured on the sweep's axes, each scaled to its range of :data:`INSTITUTION`.
  A computed best response is known only where it was computed, so with this responder the
  institution is held to the sweep's domain: each axis clipped to the range of its grid values,
  every other parameter at the sweep's own value (its scenario with its ``--set`` overrides, in
  the coming season). The observation's institution and ``info["institution"]`` are the
  institution so held, the one in force. (Without that, a planner learns to exploit the rule off
  the grid: e.g. no audits at all, where the cadres still behave as at the grid's lowest audit rate.)

The institution reaches the villages through the public vector env interface: a new validated
:class:`~gl_env.core.params.Params` for the coming step
(:meth:`~gl_env.envs.vector.GreatLeapVectorEnv.set_params`); a climate field is set from the
coming season to the end of the horizon, and the seasons already played keep their values.

Action space
------------
``Box(-1, 1, (8,), float32)``, component ``i`` mapped linearly to the range of
:data:`INSTITUTION` ``[i]`` (``-1``: the low end, ``1``: the high end). A value outside
``[-1, 1]`` or not finite raises ``ValueError``:

==  ======================  ==========  ====================================================
i   parameter               range       unit
==  ======================  ==========  ====================================================
0   procurement_rate        0 to 0.6    share of the reported (or audited) harvest procured
1   quota_fixed_share       0 to 1      weight of the fixed quota (60 kg/person/yr) in the due
2   audit_probability       0 to 1      chance per season of an audit
3   over_report_penalty     0 to 5      standing lost per unit of audited over-reporting
4   honesty_protection      0 to 1      share of the decline penalty waived when audited honest
5   growth_credit           0 to 2      standing per unit of reported harvest above target
6   death_accountability    0 to 2      standing lost per 10 excess deaths per 1000 a season
7   relief_rate             0 to 1      share of the reported shortfall returned as relief
==  ======================  ==========  ====================================================

Observation space
-----------------
``Box(low, high, (15,), float32)``: what the state sees of the step just played, as means over
the villages whose cadre still rules (a purged cadre's village leaves the books, as in the
sweep), never the truth except through audits:

==  ======================  ==========  ====================================================
i   name                    range       meaning
==  ======================  ==========  ====================================================
0   time_elapsed            0 to 1      share of the horizon played
1   reported_harvest        0 to 20     reported harvest, 100 kg per person (autumn reports)
2   procurement             0 to 20     grain delivered to the state, 100 kg per person
3   audited_share           0 to 1      share of the villages audited in the step
4   audited_report_ratio    0 to 10     reported / true harvest where an autumn audit found it
                                        (1 when no harvest was audited; the audit's own error
                                        is not applied)
5   deaths                  0 to 1      deaths, per person alive at the start of the step
6   ruling_share            0 to 1      share of the villages whose cadre was never purged
7-14 institution            -1 to 1     the action in force (the state's own choice)
==  ======================  ==========  ====================================================

At reset, components 1-3 and 5 are 0, 4 is 1 (nothing reported or audited yet), and 7-14 hold the scenario's own
institution, clipped to the ranges above.

Reward
------
A weighted sum of named terms of the step (``info["reward_components"]``: ``{term: {"value",
"weighted"}}``), each a mean over the ruling villages: ``urban_grain`` (grain delivered to the
state net of the relief it sends back, 100 kg per person: grain procured and returned as relief
feeds no city), ``deaths`` (minus the excess deaths per 1000 villagers, over 10),
``audit_cost`` (minus the audit probability times the step's share of a year: auditing every
harvest of a year costs 1) and ``honesty`` (minus the mean absolute log report ratio of the
autumn reports made, measured on the truth; the state is scored on what it cannot see).
Presets (:data:`PLANNER_REWARDS`; the weights are a judgement): ``balanced`` (the default),
``procurement`` (grain and audit cost only) and ``welfare`` (deaths first). A mapping
``{term: weight}`` gives any other mix.

Episodes: ``reset(seed=s)`` plays villages ``s * num_villages`` to ``(s + 1) * num_villages - 1``
(so held-out villages, from 900,000, start at ``s = ceil(900000 / num_villages)``); an unseeded
reset draws ``s`` so that its villages are training ones (:mod:`gl_env.seeds`). The episode
ends (``truncated``) at the scenario's horizon, and never terminates early.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from gl_env.agents.linear import LinearCadre
from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.params import TIMELINE_NAMES, Params
from gl_env.envs.vector import GreatLeapVectorEnv
from gl_env.scenarios import make_params
from gl_env.seeds import TRAINING

# The institution the state chooses: (parameter, low, high); the action maps [-1, 1] onto [low, high].
INSTITUTION: tuple[tuple[str, float, float], ...] = (
    ("procurement_rate", 0.0, 0.6),
    ("quota_fixed_share", 0.0, 1.0),
    ("audit_probability", 0.0, 1.0),
    ("over_report_penalty", 0.0, 5.0),
    ("honesty_protection", 0.0, 1.0),
    ("growth_credit", 0.0, 2.0),
    ("death_accountability", 0.0, 2.0),
    ("relief_rate", 0.0, 1.0),
)
INSTITUTION_NAMES = tuple(name for name, _, _ in INSTITUTION)
OBSERVATION_NAMES: tuple[str, ...] = (
    "time_elapsed",
    "reported_harvest",
    "procurement",
    "audited_share",
    "audited_report_ratio",
    "deaths",
    "ruling_share",
    *(f"institution.{name}" for name in INSTITUTION_NAMES),
)
_REPORT_HIGH = np.array([1.0, 20.0, 20.0, 1.0, 10.0, 1.0, 1.0])
PLANNER_REWARD_TERMS = ("urban_grain", "deaths", "audit_cost", "honesty")
PLANNER_REWARDS: dict[str, dict[str, float]] = {
    "balanced": {"urban_grain": 1.0, "deaths": 1.0, "audit_cost": 0.5, "honesty": 1.0},
    "procurement": {"urban_grain": 1.0, "deaths": 0.0, "audit_cost": 0.5, "honesty": 0.0},
    "welfare": {"urban_grain": 0.2, "deaths": 2.0, "audit_cost": 0.2, "honesty": 0.5},
}
RESPONDERS = ("scripted", "learned", "best_response")
_KG = 100.0  # observation and reward unit of grain per person


def planner_weights(reward: str | Mapping[str, float]) -> dict[str, float]:
    """The weights of a preset name or a ``{term: weight}`` mapping; bad ones raise ``ValueError``."""
    if isinstance(reward, str):
        if reward not in PLANNER_REWARDS:
            raise ValueError(f"unknown planner reward preset {reward!r}; allowed: {', '.join(PLANNER_REWARDS)}")
        return dict(PLANNER_REWARDS[reward])
    unknown = sorted(set(reward) - set(PLANNER_REWARD_TERMS))
    if unknown:
        raise ValueError(
            f"unknown planner reward term(s) {', '.join(unknown)}; allowed: {', '.join(PLANNER_REWARD_TERMS)}"
        )
    weights = {term: float(reward.get(term, 0.0)) for term in PLANNER_REWARD_TERMS}
    if not all(np.isfinite(list(weights.values()))):
        raise ValueError(f"planner reward weights must be finite; got {weights}")
    return weights


def institution_values(action: np.ndarray) -> dict[str, float]:
    """The institution an action in ``[-1, 1]^8`` stands for, in the units of :data:`INSTITUTION`."""
    return {
        name: low + (float(a) + 1.0) / 2.0 * (high - low)
        for (name, low, high), a in zip(INSTITUTION, action, strict=True)
    }


def _as_action_values(institution: Mapping[str, float]) -> np.ndarray:
    """An institution in the units of :data:`INSTITUTION` as an action, clipped to ``[-1, 1]``."""
    return np.array(
        [np.clip(2.0 * (institution[name] - low) / (high - low) - 1.0, -1.0, 1.0) for name, low, high in INSTITUTION]
    )


def _as_action(params: Params) -> np.ndarray:
    """The scenario's own institution (its first season) as an action, clipped to the ranges."""
    values = {name: getattr(params, name) for name in INSTITUTION_NAMES}
    return _as_action_values({n: float(v[0]) if isinstance(v, tuple) else float(v) for n, v in values.items()})


class _BestResponse:
    """The cadre policy of the sweep cell nearest to the institution in force (see the module docstring)."""

    action_type = "continuous"

    def __init__(self, folder: Path, num_villages: int, scenario: str):
        try:
            config = json.loads((folder / "config.json").read_text())
            cells = json.loads((folder / "policies.json").read_text())["cells"]
        except (OSError, ValueError, KeyError) as error:
            raise ValueError(f"{folder} is not a readable sweep folder (python -m gl_env.sweep): {error}") from None
        self.axes = list(config["axes"])
        outside = [name for name in self.axes if name not in INSTITUTION_NAMES]
        if outside:
            raise ValueError(
                f"the sweep in {folder} varies {', '.join(outside)}, which the planner does not set; "
                f"allowed axes: {', '.join(INSTITUTION_NAMES)}"
            )
        if config.get("scenario") != scenario:
            raise ValueError(
                f"the sweep in {folder} computed its best responses on scenario {config.get('scenario')!r}; "
                f"this planner plays {scenario!r}: sweep that scenario (python -m gl_env.sweep --scenario {scenario})"
            )
        self.levers = list(config["levers"])
        self.ranges = {name: (min(values), max(values)) for name, values in config["axes"].items()}
        self.base = make_params(config["scenario"], **config.get("fixed", {}))
        span = {name: high - low for name, low, high in INSTITUTION}
        self.points = np.array([[cell["cell"][n] / span[n] for n in self.axes] for cell in cells])
        self.weights = [np.array([list(cell["weights"][lever].values()) for lever in self.levers]) for cell in cells]
        self.num_villages = num_villages
        self.cadre = self._cadre(0)

    def _cadre(self, cell: int) -> LinearCadre:
        return LinearCadre(np.repeat(self.weights[cell][None], self.num_villages, axis=0), self.levers)

    def in_domain(self, institution: Mapping[str, float], season: int) -> dict[str, float]:
        """``institution`` held to the sweep's domain (module docstring), from ``season`` on."""
        held = {}
        for name in INSTITUTION_NAMES:
            if name in self.ranges:
                low, high = self.ranges[name]
                held[name] = min(max(institution[name], low), high)
            else:
                value = getattr(self.base, name)
                held[name] = float(value[min(season, len(value) - 1)]) if isinstance(value, tuple) else float(value)
        return held

    def choose(self, institution: Mapping[str, float]) -> None:
        span = {name: high - low for name, low, high in INSTITUTION}
        here = np.array([institution[n] / span[n] for n in self.axes])
        self.cadre = self._cadre(int(np.argmin(((self.points - here) ** 2).sum(axis=1))))

    def __call__(self, obs: np.ndarray, info: Any = None) -> np.ndarray:
        return self.cadre(obs, info)


class PlannerEnv(gym.Env):
    """The state chooses the institution; ``num_villages`` villages' cadres respond (module docstring)."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(
        self,
        responder: str = "scripted",
        cadre: str | Path = "honest",
        scenario: str = "historical-1958",
        num_villages: int = 16,
        seasons_per_step: int = SEASONS_PER_YEAR,
        reward: str | Mapping[str, float] = "balanced",
        **overrides: Any,
    ):
        if responder not in RESPONDERS:
            raise ValueError(f"unknown responder {responder!r}; allowed: {', '.join(RESPONDERS)}")
        if not isinstance(num_villages, int) or isinstance(num_villages, bool) or not 1 <= num_villages <= 100_000:
            raise ValueError(f"num_villages={num_villages!r} must be an integer in [1, 100000]")
        if seasons_per_step not in (1, SEASONS_PER_YEAR):
            raise ValueError(f"seasons_per_step={seasons_per_step!r} must be 1 (a season) or 4 (a year)")
        self.weights = planner_weights(reward)
        self._scenario = scenario
        self.params = make_params(scenario, **overrides)
        if self.params.randomize:
            raise ValueError(f"scenario {scenario!r} randomises its params; the planner needs a fixed scenario")
        self.num_villages = num_villages
        self.seasons_per_step = seasons_per_step
        self.responder = self._responder(responder, cadre)
        self._villages = GreatLeapVectorEnv(
            num_envs=num_villages, params=self.params, action_type=self.responder.action_type
        )
        self.action_space = spaces.Box(-1.0, 1.0, (len(INSTITUTION),), np.float32)
        low = np.concatenate([np.zeros(len(_REPORT_HIGH)), -np.ones(len(INSTITUTION))])
        high = np.concatenate([_REPORT_HIGH, np.ones(len(INSTITUTION))])
        self.observation_space = spaces.Box(low.astype(np.float32), high.astype(np.float32), dtype=np.float32)
        self._institution = _as_action(self.params)
        self._obs: np.ndarray | None = None
        self._village_info: dict[str, Any] = {}
        self._ruling = np.ones(num_villages, dtype=bool)
        self._t = 0

    def _responder(self, kind: str, cadre: str | Path) -> Any:
        if kind == "scripted":
            from gl_env.agents.scripted import make_policy

            return make_policy(str(cadre))
        if kind == "learned":
            from gl_env.agents.learned import load_policy

            return load_policy(cadre)[0]
        return _BestResponse(Path(cadre), self.num_villages, self._scenario)

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[np.ndarray, dict]:
        if seed is not None and (
            not isinstance(seed, int | np.integer)
            or isinstance(seed, bool)
            or not 0 <= seed < 2**63 // self.num_villages
        ):
            raise ValueError(f"seed={seed!r} must be an integer in [0, {2**63 // self.num_villages - 1}]")
        seed = None if seed is None else int(seed)
        super().reset(seed=seed)
        if seed is None:  # an unseeded episode plays training villages (gl_env.seeds)
            seed = int(self.np_random.integers(0, len(TRAINING) // self.num_villages))
        self._villages.set_params(self.params)
        start = seed * self.num_villages
        self._obs, self._village_info = self._villages.reset(seed=list(range(start, start + self.num_villages)))
        self._ruling[:] = True
        self._t = 0
        self._institution = _as_action(self.params)
        nothing_yet = np.array([0.0, 0.0, 0.0, 1.0, 0.0])  # no report, delivery, audit or death yet
        return self._observation(nothing_yet), {"institution": institution_values(self._institution)}

    def step(self, action: Any) -> tuple[np.ndarray, float, bool, bool, dict[str, Any]]:
        if self._obs is None:
            raise RuntimeError("call reset() before step()")
        action = np.asarray(action, dtype=np.float64)
        if action.shape != self.action_space.shape:
            raise ValueError(f"action must have shape {self.action_space.shape}; got {action.shape}")
        bad = ~np.isfinite(action) | (np.abs(action) > 1.0)
        if bad.any():
            i = int(np.argmax(bad))
            raise ValueError(f"action[{i}] ({INSTITUTION_NAMES[i]}) = {float(action[i])!r} must be a number in [-1, 1]")
        institution = institution_values(action)
        if isinstance(self.responder, _BestResponse):
            institution = self.responder.in_domain(institution, self._t)
            self.responder.choose(institution)
            action = _as_action_values(institution)
        self._institution = action
        self._villages.set_params(self._params_from(institution))
        totals = {
            k: np.zeros(self.num_villages) for k in ("reported", "procured", "relief", "audited", "deaths", "excess")
        }
        log_ratios, audited_ratios = [], []
        start_population = np.asarray(self._village_info.get("population", self.params.population), dtype=float)
        counted = self._ruling.copy()
        for _ in range(self.seasons_per_step):
            actions = self.responder(self._obs, self._village_info)
            self._obs, _, terminated, _, info = self._villages.step(actions)
            self._village_info = info
            per_person = np.where(self._ruling, 1.0, 0.0) / np.maximum(start_population, 1e-9)
            totals["reported"] += info["reported_kg"] * per_person
            totals["procured"] += info["procurement_kg"] * per_person
            totals["relief"] += info["relief_kg"] * per_person
            totals["audited"] = np.maximum(totals["audited"], np.where(self._ruling, info["audited"], 0.0))
            totals["deaths"] += info["deaths"] * per_person
            totals["excess"] += info["excess_deaths"] * per_person
            reported = self._ruling & (info["reported_kg"] > 0)
            log_ratios.extend(np.abs(np.log(info["report_ratio"][reported])))
            audited_ratios.extend(info["report_ratio"][reported & (info["audited"] > 0)])
            self._ruling &= ~terminated
        self._t += self.seasons_per_step
        share = counted.sum()
        mean = {k: float(v[counted].sum() / share) if share else 0.0 for k, v in totals.items()}
        terms = {
            "urban_grain": (mean["procured"] - mean["relief"]) / _KG,
            "deaths": -mean["excess"] * 1000.0 / 10.0,
            "audit_cost": -institution["audit_probability"] * self.seasons_per_step / SEASONS_PER_YEAR,
            "honesty": -float(np.mean(log_ratios)) if log_ratios else 0.0,
        }
        report = np.array(
            [
                mean["reported"] / _KG,
                mean["procured"] / _KG,
                mean["audited"],
                float(np.mean(audited_ratios)) if audited_ratios else 1.0,
                mean["deaths"],
            ]
        )
        reward = float(sum(self.weights[k] * v for k, v in terms.items()))
        truncated = self._t >= self.params.horizon
        info_out = {
            "institution": institution,
            "reward_components": {k: {"value": v, "weighted": self.weights[k] * v} for k, v in terms.items()},
        }
        return self._observation(report), reward, False, bool(truncated), info_out

    def _params_from(self, institution: Mapping[str, float]) -> Params:
        """The scenario with ``institution`` in force from the coming season on (module docstring)."""
        changes: dict[str, Any] = {}
        for name, value in institution.items():
            if name in TIMELINE_NAMES:
                current = getattr(self._villages.params[0], name)
                past = list(current)[: self._t] if isinstance(current, tuple) else [current] * self._t
                changes[name] = tuple([*past, *[value] * (self.params.horizon - self._t)])
            else:
                changes[name] = value
        return self.params.replace(**changes)

    def _observation(self, report: np.ndarray) -> np.ndarray:
        head = np.concatenate([[self._t / self.params.horizon], report, [self._ruling.mean()]])
        return np.clip(
            np.concatenate([head, self._institution]), self.observation_space.low, self.observation_space.high
        ).astype(np.float32)

    def close(self) -> None:
        self._villages.close()
        super().close()
