"""The benchmark protocol, as data: which scenarios, rewards, seeds and how many episodes.

Results are comparable between people only when they come from the same protocol. A protocol
is versioned (``gl-bench-v1``); any change to its scenarios, presets, seeds, episode count or
score anchors, or to the dynamics behind them (an environment version bump), makes a new one.

Seeds. Evaluation uses the evaluation range of :mod:`gl_env.seeds` (1,000,000 upward); training,
including the held-out episodes a training run uses to pick its best model, must use seeds
below it (:func:`check_training_seeds`).

Every policy plays the same seeds on a scenario (common random numbers): differences between
policies are not differences in weather, audits or drawn mechanisms.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from gl_env.rewards import REWARD_PRESETS
from gl_env.scenarios import SCENARIOS
from gl_env.seeds import EVALUATION, HELD_OUT

EVALUATION_SEED_START = EVALUATION.start


def _check_presets_and_seeds(name: str, presets: Iterable[str], first_seed: int) -> None:
    """A protocol's reward presets exist and its seeds lie in the evaluation range."""
    for preset in presets:
        if preset not in REWARD_PRESETS:
            raise ValueError(f"protocol {name}: unknown reward preset {preset!r}; allowed: {', '.join(REWARD_PRESETS)}")
    if first_seed < EVALUATION_SEED_START:
        raise ValueError(
            f"protocol {name}: first_seed={first_seed} is a training seed; "
            f"evaluation seeds start at {EVALUATION_SEED_START}"
        )


@dataclass(frozen=True)
class Protocol:
    """A fixed evaluation: every listed policy plays ``episodes`` seeded villages on each scenario.

    ``score_floor`` and ``score_reference`` are the policies whose mean return defines a
    normalized score of 0 and 100 on each scenario and reward preset; ``headline_preset`` is the
    reward whose score heads the leaderboard.
    """

    name: str
    scenarios: tuple[str, ...]
    reward_presets: tuple[str, ...]
    headline_preset: str
    episodes: int
    first_seed: int
    score_floor: str
    score_reference: str

    def __post_init__(self) -> None:
        for scenario in self.scenarios:
            if scenario not in SCENARIOS:
                raise ValueError(
                    f"protocol {self.name}: unknown scenario {scenario!r}; allowed: {', '.join(SCENARIOS)}"
                )
        _check_presets_and_seeds(self.name, (*self.reward_presets, self.headline_preset), self.first_seed)

    def seeds(self, episodes: int | None = None) -> np.ndarray:
        """The evaluation seeds: the first ``episodes`` (default: all) from ``first_seed``."""
        count = self.episodes if episodes is None else episodes
        if not 1 <= count <= self.episodes:
            raise ValueError(f"episodes={count} is out of range; allowed 1 to {self.episodes} for {self.name}")
        return np.arange(self.first_seed, self.first_seed + count, dtype=np.int64)


GL_BENCH_V1 = Protocol(
    name="gl-bench-v1",
    scenarios=("historical-1958", "reform", "randomized"),
    reward_presets=("careerist", "benevolent", "honest_official", "balanced"),
    headline_preset="balanced",
    episodes=1000,
    first_seed=EVALUATION_SEED_START,
    score_floor="random",
    score_reference="honest",
)
PROTOCOLS: dict[str, Protocol] = {GL_BENCH_V1.name: GL_BENCH_V1}
DEFAULT_PROTOCOL = GL_BENCH_V1.name


@dataclass(frozen=True)
class CountyProtocol:
    """A fixed county evaluation (:mod:`gl_env.county.benchmark`): every policy plays ``counties``
    seeded counties of ``num_villages`` villages on each county scenario, one episode each.

    Village i of county c is seeded ``first_seed + c * num_villages + i`` (evaluation range).
    """

    name: str
    scenarios: tuple[str, ...]
    reward_presets: tuple[str, ...]
    num_villages: int
    counties: int
    first_seed: int

    def __post_init__(self) -> None:
        _check_presets_and_seeds(self.name, self.reward_presets, self.first_seed)

    def seeds(self, counties: int | None = None) -> np.ndarray:
        """The village seeds of the first ``counties`` (default: all) counties, county by county."""
        count = self.counties if counties is None else counties
        if not 1 <= count <= self.counties:
            raise ValueError(f"counties={count} is out of range; allowed 1 to {self.counties} for {self.name}")
        return np.arange(self.first_seed, self.first_seed + count * self.num_villages, dtype=np.int64)


# Its seeds (2,000,000 to 2,001,599) are apart from gl-bench-v1's, so neither protocol's villages
# are the other's.
GL_BENCH_COUNTY_V1 = CountyProtocol(
    name="gl-bench-county-v1",
    scenarios=("county-1958", "county-reform"),
    reward_presets=("careerist", "benevolent", "honest_official", "balanced"),
    num_villages=8,
    counties=200,
    first_seed=2_000_000,
)
COUNTY_PROTOCOLS: dict[str, CountyProtocol] = {GL_BENCH_COUNTY_V1.name: GL_BENCH_COUNTY_V1}


def get_protocol(name: str) -> Protocol:
    """The protocol called ``name``; unknown names raise ``ValueError`` listing the choices."""
    if name not in PROTOCOLS:
        raise ValueError(f"unknown protocol {name!r}; allowed: {', '.join(PROTOCOLS)}")
    return PROTOCOLS[name]


HELD_OUT_SEED_START = HELD_OUT.start
"""First seed of the held-out villages a training run evaluates on (below the benchmark's)."""


def check_training_seeds(seeds: int | Iterable[int]) -> None:
    """Raise ``ValueError`` if any seed a training run would use is an evaluation seed.

    ``train.py`` calls this on the held-out seeds it picks its best model on
    (:data:`HELD_OUT_SEED_START` upward); its training villages are seeded below those.
    """
    values = [seeds] if isinstance(seeds, int | np.integer) else list(seeds)
    reserved = [int(s) for s in values if int(s) >= EVALUATION_SEED_START]
    if reserved:
        raise ValueError(
            f"training seed {reserved[0]} is reserved for evaluation; training seeds must be below "
            f"{EVALUATION_SEED_START} (see gl_env.seeds)"
        )


__all__ = [
    "COUNTY_PROTOCOLS",
    "DEFAULT_PROTOCOL",
    "EVALUATION_SEED_START",
    "GL_BENCH_COUNTY_V1",
    "GL_BENCH_V1",
    "HELD_OUT_SEED_START",
    "PROTOCOLS",
    "CountyProtocol",
    "Protocol",
    "check_training_seeds",
    "get_protocol",
]
