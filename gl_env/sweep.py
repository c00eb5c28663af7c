"""Mechanism sweep: the careerist cadre's computed best response on a grid of institutions.

``python -m gl_env.sweep`` lays a grid over institutional parameters on top of a scenario,
*computes* in every cell the cadre's best response (the reporting policy that maximises his
return; ``careerist`` by default: keep the post), and measures what that best response does to
the village. The default grid crosses two institutional choices on ``historical-1958``: how much
superiors pay for reported growth above the target (``growth_credit`` 0 to 1.5, the 1959 Leap's
value) and how often the harvest is audited (``audit_probability`` 0.05 to 1, an audit finding
over-reporting costing 2 standing per unit).

Every run writes a new folder (an existing, non-empty one is refused unless ``--overwrite``, and
then it must be an earlier sweep's folder holding nothing else); the files are written into a
hidden folder beside it and moved in at the end, so an interrupted sweep leaves nothing behind::

    <out>/cells.csv             one row per cell: the grid values, then the columns below
    <out>/policies.json         each cell's best-response policy (weights by feature)
    <out>/config.json           the arguments, the fixed overrides, the seeds and the wall time
    <out>/heatmap_<metric>.png  one heatmap per metric (rows: first axis; columns: second)
    <out>/sweep.png             all the heatmaps in one figure

Columns of ``cells.csv`` (the best response, on held-out villages; each the mean over the
cell's villages of the :mod:`gl_env.metrics` value of the same name, where it is defined):

- ``report_ratio``: mean reported / true harvest over the autumn reports made;
- ``excess_per_1000``: deaths above the 1957 rate over the episode, per 1000 initial villagers;
- ``deaths_per_1000_year``: deaths per 1000 person-years lived in the episode;
- ``harvest_kg_per_person``: mean true harvest per person alive at the harvest (kg);
- ``purge_rate``: share of episodes ended by the cadre's purge;
- ``return``: the cadre's return (reward preset ``--reward``); ``honest_return``: the honest
  cadre's, in the same cell and villages; ``constant_report_ratio``: the best constant report
  ratio, where the search started; ``chosen``: which finalist won (see below).

Episodes end at a purge, so a purged cadre's village is counted only while he ruled it (deaths
per person-year are comparable across cells; excess deaths favour cells with early purges).

How the best response is computed
---------------------------------
*Policy class.* The cadre farms and rations like the scripted honest cadre
(:func:`gl_env.agents.scripted.honest`); on each *lever* (by default only ``report_ratio``; see
``--levers``) he adds a linear function of what he observes, ``a = clip(honest_a + w . [1, x],
-1, 1)`` in action units, with ``x`` the named observation components of :data:`FEATURES`
(standing and purge risk, the last report, the target, the crop, the store, the coming
season's political climate, ...). Zero weights are the honest cadre; a bias alone is a
constant report ratio. Fixing the farming and the ration isolates the incentive the grid is
about: what the institution makes the cadre *report*, and what procurement on that report does
to the village.

*Optimiser.* A line search over constant report ratios (0.82 to 3) finds the best one per
cell; two cross-entropy searches then refine the whole linear policy, one from that constant
ratio and one from honesty (the return has several peaks). Each iteration
samples ``--population`` weight vectors per cell (the current mean among them), plays each on
the same ``--seeds`` fresh villages (common random numbers: weather, audits and purges come
from the village's seed, so candidates differ only by what they do), and refits a Gaussian to
the best ``--elite-share``. Every cell and candidate runs in one batch of the vectorized core,
each village carrying its cell's mechanism, stepped on numba's threads over every core
(``--serial``: on one; the results are the same bits). At the end, the :data:`FINALISTS` (the two
searches' policies, the best constant ratio and the honest cadre) are compared on fresh
validation villages and the best is kept (``chosen``); it is then measured on
``--eval-seeds`` held-out villages (never used before). Seeds follow :mod:`gl_env.seeds`: the
search and the validation play the training range (a block per ``--seed``), the measurement
the held-out range (from 900,000), and never the benchmark's evaluation seeds. Each cell draws
its candidates from its own generator, keyed by ``--seed`` and the cell's grid values, so a
cell's result does not depend on the order (or the other values) of the grid's axes.

Limits
------
- A best response *within the policy class*: a linear reporting rule on top of a fixed way of
  farming and eating. A cadre who could also divert labor, report steel, hide grain or cut
  rations (``--levers``) may do better, and a richer class (an MLP, a PPO agent) may find
  rules a linear one cannot express.
- A local optimum: the searches start from the best constant ratio (0.82 or above) and from
  honesty, and nothing proves their answer global; under-reporting below 0.82 is found only
  by the refinement, if at all. ``constant_report_ratio``, ``honest_return`` and ``chosen`` let a
  reader check that the answer at least beats the simplest alternatives.
- Foresight: the policy is optimised over whole episodes, so the cadre acts as if he knew the
  scenario's political timeline (e.g. that deaths will be held against him from late 1960),
  which no cadre in 1958 knew.
- Noise: audits and purges are random; with few ``--seeds`` a cell's answer can be off by the
  noise. The defaults (32 villages per candidate, 200 held-out) keep that small.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import itertools
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from gl_env import metrics, sweep_ray
from gl_env.actions import ACTION_NAMES
from gl_env.agents.linear import FEATURES, LinearCadre
from gl_env.core.params import PARAM_NAMES, SCALAR_NAMES, TIMELINE_NAMES, Params
from gl_env.envs.vector import GreatLeapVectorEnv
from gl_env.output_folders import FolderKind, check_writable, is_empty, staged_folder
from gl_env.rewards import REWARD_PRESETS
from gl_env.rollout import Episodes, run_episodes
from gl_env.scenarios import SCENARIOS, get_scenario
from gl_env.seeds import HELD_OUT, TRAINING

# Gridable fields: the numeric ones (a climate field's grid value holds for every season).
GRID_NAMES: tuple[str, ...] = tuple(n for n in PARAM_NAMES if n in SCALAR_NAMES or n in TIMELINE_NAMES)
# What superiors pay for reported growth above the target (1.5: historical-1958 in 1959, the
# Leap at its height; 0: reported growth earns nothing) against auditing the harvest (0.05:
# historical-1958's chance). Under targets that ratchet up from reports and never down, these
# two decide whether inflating pays; accountability for deaths (--grid death_accountability=...)
# decides only how far the village is starved for it.
DEFAULT_GRID: tuple[str, ...] = (
    "growth_credit=0,0.25,0.5,1,1.5",
    "audit_probability=0.05,0.25,0.5,0.75,1",
)
# Fixed in every cell unless --set or --grid names the parameter: an audit that finds
# over-reporting costs real standing (historical-1958's 0.1 would leave the audit axis toothless).
DEFAULT_SET: tuple[str, ...] = ("over_report_penalty=2",)
METRICS: tuple[str, ...] = (
    "report_ratio",
    "excess_per_1000",
    "deaths_per_1000_year",
    "harvest_kg_per_person",
    "purge_rate",
    "return",
)
# Where each cell's two searches start, and the policies compared on validation villages at the
# end (``chosen``): the two searches' results, the best constant ratio, the honest cadre.
_STARTS: tuple[str, ...] = ("constant", "honest")
FINALISTS: tuple[str, ...] = ("search_from_constant", "search_from_honest", "constant", "honest")
# Villages one cell plays at once (a search's candidates x villages): a bound on memory, 40x the default.
MAX_VILLAGES_PER_CELL = 100_000
# Villages the whole grid steps at once (about 4 GB of state); the default grid steps 102,400.
MAX_BATCH = 2_000_000
# What a sweep's folder holds: --overwrite writes only into a folder holding cells.csv and nothing else.
SWEEP_FOLDER = FolderKind(
    "python -m gl_env.sweep", "cells.csv", ("policies.json", "config.json", "heatmap_*.png", "sweep*.png")
)
# Constant report ratios of the line search, in action units a = 2(r-1)/(r+1): r = 0.82 to 3.
_CONSTANT_REPORT_LOW, _CONSTANT_REPORT_HIGH = -0.2, 1.0
# Initial spread of the weights (action units per unit of a feature), and an extra spread that
# decays to zero over the iterations so that the search does not collapse early.
_INITIAL_SD = 0.25
_EXTRA_SD = 0.05


@dataclass
class Args:
    """Arguments of ``python -m gl_env.sweep`` (each field is a command-line flag)."""

    scenario: str = field(default="historical-1958", metadata={"help": "scenario the grid is laid on"})
    grid: list[str] = field(
        default_factory=lambda: list(DEFAULT_GRID),
        metadata={
            "metavar": "NAME=V1,V2,...",
            "help": "an axis of the grid, NAME=V1,V2,... (repeat for more axes; any numeric parameter; "
            "a climate field's value holds for every season). Default: " + " ".join(DEFAULT_GRID),
        },
    )
    set: list[str] = field(
        default_factory=list,
        metadata={
            "metavar": "NAME=VALUE",
            "help": "a fixed override for every cell, NAME=VALUE (repeatable), e.g. honesty_protection=1; "
            "added to the default " + " ".join(DEFAULT_SET) + ", which a --set or --grid of the same name replaces",
        },
    )
    reward: str = field(default="careerist", metadata={"help": "reward preset the cadre maximises"})
    levers: list[str] = field(
        default_factory=lambda: ["report_ratio"],
        metadata={
            "metavar": "LEVER",
            "help": "an action component the cadre adjusts beyond the honest cadre's (repeatable; "
            "default report_ratio); one of " + ", ".join(ACTION_NAMES),
        },
    )
    iterations: int = field(default=40, metadata={"help": "cross-entropy iterations after the line search"})
    population: int = field(default=64, metadata={"help": "candidate policies per cell and iteration"})
    seeds: int = field(default=32, metadata={"help": "training villages per candidate and iteration"})
    eval_seeds: int = field(default=200, metadata={"help": "validation and held-out villages per cell"})
    elite_share: float = field(default=0.2, metadata={"help": "share of the candidates the search refits to"})
    seed: int = field(default=0, metadata={"help": "seed of the search: its samples and training villages"})
    out: Path | None = field(default=None, metadata={"help": "output folder (default: runs/sweep-<scenario>)"})
    ray: str | None = field(
        default=None,
        metadata={
            "metavar": "ADDRESS",
            "help": "run the cells as Ray Tune trials: --ray alone starts a Ray on this machine, --ray ADDRESS "
            "joins a cluster (e.g. 10.0.0.1:6379); the same cells.csv as the local run. Needs gl_env[ray]",
        },
    )
    cells_per_task: int = field(default=4, metadata={"help": "grid cells each Ray task computes (with --ray)"})
    serial: bool = field(
        default=False,
        metadata={
            "help": "step the villages on one thread (default: on numba's threads, every core; the same "
            "results either way; Ray tasks always run serial, one CPU each)"
        },
    )
    overwrite: bool = field(default=False, metadata={"help": "write into --out even if it is not empty"})


@dataclass(frozen=True)
class Grid:
    """The cells of a sweep: ``points[i]`` (grid values) and ``params[i]`` (validated) of cell i.

    Cells run row-major over ``axes``; ``fixed`` holds the overrides shared by every cell.
    """

    axes: list[tuple[str, list[float]]]
    fixed: dict[str, float]
    points: list[dict[str, float]]
    params: list[Params]

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(values) for _, values in self.axes)


def parse_args(argv: Sequence[str] | None = None) -> Args:
    """:class:`Args` from the command line; a bad value exits with a message naming it."""
    parser = argparse.ArgumentParser(
        prog="python -m gl_env.sweep",
        description=(
            "Compute the careerist cadre's best response in every cell of a grid of institutions "
            "and map what it does to the village: report ratio, deaths, harvest, purges (CSV and heatmaps)."
        ),
        epilog="Method and limits: python -c 'import gl_env.sweep; help(gl_env.sweep)'",
    )
    for f in fields(Args):
        flag = "--" + f.name.replace("_", "-")
        if f.type == "bool":
            parser.add_argument(flag, action="store_true", help=f.metadata["help"])
        elif f.name == "ray":
            parser.add_argument(
                flag, nargs="?", const=sweep_ray.LOCAL, default=None, metavar="ADDRESS", help=f.metadata["help"]
            )
        elif f.type == "list[str]":
            # None marks "not given", replaced by the field's default below (append would extend it).
            parser.add_argument(
                flag, action="append", default=None, metavar=f.metadata["metavar"], help=f.metadata["help"]
            )
        else:
            kind = {"int": int, "float": float, "str": str, "Path | None": Path}[str(f.type)]
            shown = "" if f.default is None else f" (default: {f.default})"  # None: the help names it
            parser.add_argument(flag, type=kind, default=f.default, help=f"{f.metadata['help']}{shown}")
    given = {k: v for k, v in vars(parser.parse_args(argv)).items() if v is not None}
    args = Args(**given)
    try:
        check_args(args)
        build_grid(args)
    except ValueError as error:
        parser.error(str(error))
    return args


def check_args(args: Args) -> None:
    """Raise ``ValueError`` naming the first bad search argument."""
    if args.scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {args.scenario!r}; allowed: {', '.join(SCENARIOS)}")
    if args.reward not in REWARD_PRESETS:
        raise ValueError(f"unknown reward preset {args.reward!r}; allowed: {', '.join(REWARD_PRESETS)}")
    for lever in args.levers:
        if lever not in ACTION_NAMES:
            raise ValueError(f"unknown lever {lever!r}; allowed: {', '.join(ACTION_NAMES)}")
    if not args.levers or len(set(args.levers)) != len(args.levers):
        raise ValueError(f"--levers must name distinct action components; got {args.levers}")
    for name, low, high in (
        ("iterations", 0, 10_000),
        ("population", 2, 100_000),
        ("seeds", 1, 100_000),
        ("eval_seeds", 1, len(HELD_OUT)),
        ("seed", 0, max_seed(args)),
        ("cells_per_task", 1, 100_000),
    ):
        if not low <= getattr(args, name) <= high:
            raise ValueError(
                f"--{name.replace('_', '-')}={getattr(args, name)} is out of range; allowed [{low}, {high}]"
            )
    if args.population * args.seeds > MAX_VILLAGES_PER_CELL or args.eval_seeds * len(FINALISTS) > MAX_VILLAGES_PER_CELL:
        raise ValueError(
            f"--population x --seeds ({args.population} x {args.seeds}) and --eval-seeds x {len(FINALISTS)} "
            f"({args.eval_seeds} x {len(FINALISTS)}) must stay within {MAX_VILLAGES_PER_CELL:,} villages per cell"
        )
    if not 0.0 < args.elite_share <= 1.0 or round(args.elite_share * args.population) < 1:
        raise ValueError(
            f"--elite-share={args.elite_share} must be in (0, 1] and keep at least one of {args.population} candidates"
        )


def villages_per_search(args: Args) -> int:
    """Training villages one search plays: the line search, each iteration, and the validation."""
    return args.seeds * (1 + args.iterations) + args.eval_seeds


def max_seed(args: Args) -> int:
    """The largest ``--seed`` whose block of training villages fits the training range."""
    return max(len(TRAINING) // villages_per_search(args) - 1, 0)


def _name_values(text: str, option: str) -> tuple[str, list[float]]:
    name, sep, values = text.partition("=")
    name = name.strip()
    if not sep or not values.strip():
        raise ValueError(f"{option} {text!r} must look like NAME=V1,V2,...")
    if name not in GRID_NAMES:
        raise ValueError(f"{option} {text!r}: {name!r} is not a numeric parameter; allowed: {', '.join(GRID_NAMES)}")
    try:
        numbers = [float(v) for v in values.split(",")]
    except ValueError:
        raise ValueError(f"{option} {text!r}: values must be numbers separated by commas") from None
    return name, numbers


def _fixed(texts: Sequence[str]) -> dict[str, float]:
    fixed = {}
    for text in texts:
        name, values = _name_values(text, "--set")
        if len(values) != 1:
            raise ValueError(f"--set {text!r} takes one value")
        fixed[name] = values[0]
    return fixed


def build_grid(args: Args) -> Grid:
    """The cells of ``args``'s grid; bad axes, overrides or values raise ``ValueError`` naming them.

    Each cell is the scenario with :data:`DEFAULT_SET`, then ``--set``, then the cell's grid
    values applied; a ``--set`` of a parameter that is also on the grid is an error.
    """
    axes = [_name_values(text, "--grid") for text in args.grid]
    names = [name for name, _ in axes]
    if not axes:
        raise ValueError("--grid needs at least one axis")
    if len(set(names)) != len(names):
        raise ValueError(f"--grid repeats a parameter: {', '.join(names)}")
    for name, values in axes:
        if len(set(values)) != len(values):
            raise ValueError(f"--grid {name} repeats a value: {values}")
    chosen = _fixed(args.set)
    clash = sorted(set(chosen) & set(names))
    if clash:
        raise ValueError(f"{', '.join(clash)} is both on the grid and in --set")
    fixed = {name: v for name, v in _fixed(DEFAULT_SET).items() if name not in names} | chosen
    scenario = get_scenario(args.scenario)
    points = [dict(zip(names, combo, strict=True)) for combo in itertools.product(*(v for _, v in axes))]
    batch = len(points) * len(_STARTS) * args.population * args.seeds
    if batch > MAX_BATCH:
        raise ValueError(
            f"{len(points)} cells x {len(_STARTS)} searches x {args.population} candidates x {args.seeds} villages "
            f"= {batch:,} villages a step; allowed at most {MAX_BATCH:,} (fewer cells, --population or --seeds)"
        )
    return Grid(axes, fixed, points, [scenario.params(**fixed, **point) for point in points])


class _Villages:
    """Consecutive blocks of fresh training seeds, from the search's own block of the training range."""

    def __init__(self, args: Args):
        self._next = args.seed * villages_per_search(args)

    def take(self, count: int) -> np.ndarray:
        block = TRAINING.block(self._next, count, "--seed")
        self._next += count
        return block


def cell_generator(seed: int, point: dict[str, float]) -> np.random.Generator:
    """The random generator of one cell's search, keyed by ``seed`` and the cell's grid values
    (not its position in the grid), so that its result does not depend on the order of the axes."""
    key = hashlib.sha256(json.dumps(sorted(point.items())).encode()).digest()
    return np.random.default_rng([seed, *np.frombuffer(key, dtype=np.uint32).tolist()])


def _batch(args: Args, grid: Grid, per_cell: int) -> GreatLeapVectorEnv:
    """One vector env with ``per_cell`` villages for each cell, laid out cell by cell."""
    return GreatLeapVectorEnv(
        num_envs=len(grid.params) * per_cell,
        params=[p for p in grid.params for _ in range(per_cell)],
        reward=args.reward,
        parallel=not args.serial,
    )


def _scores(env: GreatLeapVectorEnv, levers: Sequence[str], theta: np.ndarray, seeds: np.ndarray) -> np.ndarray:
    """Mean return of each candidate of ``theta`` (C, N, dim), every one played on the villages ``seeds``."""
    n_cells, n_cand, _ = theta.shape
    weights = np.repeat(theta.reshape(n_cells * n_cand, len(levers), -1), len(seeds), axis=0)
    cadre = LinearCadre(weights, levers)
    obs, info = env.reset(seed=np.tile(seeds, n_cells * n_cand))
    total = np.zeros(env.num_envs)
    playing = np.ones(env.num_envs, dtype=bool)
    for _ in range(int(np.max(env.core_params.horizon))):
        obs, reward, terminated, truncated, info = env.step(cadre(obs, info))
        total += np.where(playing, reward, 0.0)
        playing &= ~(terminated | truncated)
        if not playing.any():
            break
    return total.reshape(n_cells, n_cand, len(seeds)).mean(axis=2)


def search(args: Args, grid: Grid, log: Callable[[str], Any] = print) -> dict[str, np.ndarray]:
    """Each cell's best response: ``weights`` ``(C, L, 1 + len(FEATURES))``, ``constant_report_ratio``, ``chosen``.

    The line search over constant report ratios; two cross-entropy searches per cell, one from
    the best constant ratio and one from the honest cadre (the two answers a cadre might start
    from; the return has several peaks); then the choice among :data:`FINALISTS` on fresh
    validation villages, so that a search lost in the noise never ends worse than its start.
    """
    generators = [cell_generator(args.seed, point) for point in grid.points]
    villages = _Villages(args)
    n_cells, n_cand, n_starts = len(grid.params), args.population, len(_STARTS)
    dim = len(args.levers) * (1 + len(FEATURES))
    n_elite = max(1, round(args.elite_share * n_cand))
    env = _batch(args, grid, n_starts * n_cand * args.seeds)
    start = time.perf_counter()

    constant = np.zeros((n_cells, dim))
    # No report lever, no constant-ratio start: the column reads NaN (the start is the honest cadre).
    report_action = np.full(n_cells, np.nan)
    if "report_ratio" in args.levers:
        bias = args.levers.index("report_ratio") * (1 + len(FEATURES))
        trial = np.zeros((n_cells, n_starts * n_cand, dim))
        trial[:, :, bias] = np.linspace(_CONSTANT_REPORT_LOW, _CONSTANT_REPORT_HIGH, n_starts * n_cand)
        best = np.argmax(_scores(env, args.levers, trial, villages.take(args.seeds)), axis=1)
        constant = trial[np.arange(n_cells), best]
        report_action = constant[:, bias]
        log(f"line search over constant report ratios: {time.perf_counter() - start:.0f} s")
    mean = np.stack([constant, np.zeros_like(constant)], axis=1)  # (C, start, dim), as _STARTS
    sd = np.full_like(mean, _INITIAL_SD)
    for iteration in range(1, args.iterations + 1):
        noise = np.stack([g.standard_normal((n_starts, n_cand, dim)) for g in generators])
        theta = mean[:, :, None, :] + sd[:, :, None, :] * noise
        theta[:, :, 0] = mean
        score = _scores(env, args.levers, theta.reshape(n_cells, -1, dim), villages.take(args.seeds))
        score = score.reshape(n_cells, n_starts, n_cand)
        order = np.argsort(-score, axis=2)[:, :, :n_elite, None]
        elite = np.take_along_axis(theta, order, axis=2)
        mean = elite.mean(axis=2)
        sd = elite.std(axis=2) + _EXTRA_SD * (1.0 - iteration / args.iterations)
        progress = ", ".join(f"from {name} {score[:, k, 0].mean():.2f}" for k, name in enumerate(_STARTS))
        log(
            f"iteration {iteration}/{args.iterations}: mean return over cells of the searches' policies "
            f"{progress}; {time.perf_counter() - start:.0f} s"
        )
    env.close()
    finalists = np.concatenate([mean, constant[:, None], np.zeros_like(constant)[:, None]], axis=1)
    validation = _batch(args, grid, len(FINALISTS) * args.eval_seeds)
    winner = np.argmax(_scores(validation, args.levers, finalists, villages.take(args.eval_seeds)), axis=1)
    validation.close()
    return {
        "weights": finalists[np.arange(n_cells), winner].reshape(n_cells, len(args.levers), -1),
        "constant_report_ratio": (1.0 + report_action / 2.0) / (1.0 - report_action / 2.0),
        "chosen": np.array(FINALISTS)[winner],
    }


def outcomes(episodes: Episodes, n_groups: int) -> dict[str, np.ndarray]:
    """The :data:`METRICS` of episodes laid out in ``n_groups`` equal groups of villages, ``(n_groups,)`` each:
    the group's mean of each village's :mod:`gl_env.metrics` value, over the villages where it is
    defined (a cadre purged before any harvest made no report)."""

    def group_mean(values: np.ndarray) -> np.ndarray:
        values = values.reshape(n_groups, -1)
        defined = np.isfinite(values)
        return metrics.safe_ratio(np.where(defined, values, 0.0).sum(axis=1), defined.sum(axis=1).astype(float))

    return {
        "report_ratio": group_mean(metrics.mean_report_ratio(episodes)),
        "excess_per_1000": group_mean(metrics.excess_deaths_per_1000(episodes)),
        "deaths_per_1000_year": group_mean(metrics.deaths_per_1000_per_year(episodes)),
        "harvest_kg_per_person": group_mean(metrics.harvest_kg_per_person(episodes)),
        "purge_rate": group_mean(metrics.was_purged(episodes).astype(float)),
        "return": group_mean(episodes.returns),
    }


def evaluate(args: Args, grid: Grid, weights: np.ndarray) -> dict[str, np.ndarray]:
    """The best responses' :data:`METRICS` and the honest cadre's return, on the first N held-out villages."""
    n_cells, villages = len(grid.params), args.eval_seeds
    # The honest cadre is the class's zero-weight member: both run in one batch.
    per_village = np.repeat(weights, villages, axis=0)
    episodes = run_episodes(
        LinearCadre(np.concatenate([per_village, np.zeros_like(per_village)]), args.levers),
        np.tile(HELD_OUT.block(0, villages, "--eval-seeds"), 2 * n_cells),
        params=[p for p in grid.params for _ in range(villages)] * 2,
        reward=args.reward,
        parallel=not args.serial,
    )
    both = outcomes(episodes, 2 * n_cells)
    cells = {name: values[:n_cells] for name, values in both.items()}
    cells["honest_return"] = both["return"][n_cells:]
    return cells


def solve(
    args: Args, grid: Grid, log: Callable[[str], Any] = print
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The cells' best responses (:func:`search`) and their measurement (:func:`evaluate`)."""
    best = search(args, grid, log)
    return best, evaluate(args, grid, best["weights"])


def _solve_part(args: Args, part: Grid) -> dict[str, np.ndarray]:
    """One Ray task: :func:`solve` on a part of the grid, both results in one flat dict."""
    # A trial holds one CPU: threads would crowd the other trials' cores.
    best, cells = solve(replace(args, serial=True), part, log=lambda message: None)
    return {**{f"best.{k}": v for k, v in best.items()}, **{f"cells.{k}": v for k, v in cells.items()}}


def solve_on_ray(
    args: Args, grid: Grid, out: Path, log: Callable[[str], Any] = print
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """:func:`solve` with the cells split into groups of ``--cells-per-task``, each a Ray Tune trial
    (:mod:`gl_env.sweep_ray`); the same results, since a cell's randomness is its own."""
    groups = sweep_ray.groups_of(len(grid.points), args.cells_per_task)
    parts = [Grid(grid.axes, grid.fixed, [grid.points[i] for i in g], [grid.params[i] for i in g]) for g in groups]
    results = sweep_ray.run_groups(_solve_part, args, parts, args.ray, out.resolve().parent, log)
    joined = {name: np.concatenate([r[name] for r in results]) for name in results[0]}
    split = {
        kind: {n.partition(".")[2]: v for n, v in joined.items() if n.startswith(kind + ".")}
        for kind in ("best", "cells")
    }
    return split["best"], split["cells"]


def output_folder(args: Args) -> Path:
    """``--out`` (default ``runs/sweep-<scenario>``), checked, not created (see :func:`run`);
    a non-empty one needs ``--overwrite`` and must be an earlier sweep's folder."""
    out = args.out if args.out is not None else Path("runs") / f"sweep-{args.scenario}"
    try:
        check_writable(out, "--out")
        if not is_empty(out):
            if not args.overwrite:
                raise ValueError(f"{out} exists and is not empty; choose another --out or pass --overwrite")
            SWEEP_FOLDER.check_replaceable(out)
    except ValueError as error:
        raise FileExistsError(str(error)) from None
    return out


def write_results(
    out: Path, args: Args, grid: Grid, best: dict[str, np.ndarray], cells: dict[str, np.ndarray], wall_s: float
) -> None:
    """``cells.csv``, ``policies.json`` and ``config.json`` (see the module docstring)."""
    columns = [*METRICS, "honest_return", "constant_report_ratio"]
    table = {**cells, "constant_report_ratio": best["constant_report_ratio"]}
    names = [name for name, _ in grid.axes]
    with open(out / "cells.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([*names, *columns, "chosen"])
        for i, point in enumerate(grid.points):
            numbers = [f"{float(table[c][i]):.6g}" for c in columns]
            writer.writerow([*(f"{point[n]:g}" for n in names), *numbers, best["chosen"][i]])
    policies = [
        {
            "cell": point,
            "chosen": str(best["chosen"][i]),
            "weights": {
                lever: dict(zip(("bias", *FEATURES), best["weights"][i, j].round(6).tolist(), strict=True))
                for j, lever in enumerate(args.levers)
            },
        }
        for i, point in enumerate(grid.points)
    ]
    (out / "policies.json").write_text(json.dumps({"features": FEATURES, "cells": policies}, indent=1) + "\n")
    config = {
        **{k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(args).items()},
        "axes": dict(grid.axes),
        "fixed": grid.fixed,
        "eval_seeds_range": [HELD_OUT.start, HELD_OUT.start + args.eval_seeds - 1],
        "train_seeds_range": [
            args.seed * villages_per_search(args),
            (args.seed + 1) * villages_per_search(args) - 1,
        ],
        "wall_s": round(wall_s, 1),
    }
    (out / "config.json").write_text(json.dumps(config, indent=2) + "\n")


# Heatmap of each metric: title, colormap, number format.
_STYLE: dict[str, tuple[str, str, str]] = {
    "report_ratio": ("mean report ratio (reported / true harvest)", "RdBu_r", "{:.2f}"),
    "excess_per_1000": ("excess deaths per 1000 villagers", "Reds", "{:.0f}"),
    "deaths_per_1000_year": ("deaths per 1000 per year", "Reds", "{:.1f}"),
    "harvest_kg_per_person": ("harvest, kg per person", "Greens", "{:.0f}"),
    "purge_rate": ("share of cadres purged", "Purples", "{:.0%}"),
    "return": ("cadre's return", "viridis", "{:.1f}"),
}


def _heatmap(
    ax: Any, matrix: np.ndarray, metric: str, rows: tuple[str, list[float]], cols: tuple[str, list[float]]
) -> None:
    from matplotlib.colors import LogNorm, TwoSlopeNorm

    title, cmap, fmt = _STYLE[metric]
    norm: Any = None
    if metric == "report_ratio":
        # White at an honest report, red for inflation, blue for under-reporting.
        norm = TwoSlopeNorm(vcenter=1.0, vmin=min(0.9, matrix.min()), vmax=max(1.1, matrix.max()))
    elif metric in ("excess_per_1000", "deaths_per_1000_year") and matrix.max() > 10 * max(matrix.min(), 1.0):
        # Famine and normal years differ by orders of magnitude: a log scale keeps both readable.
        norm = LogNorm(vmin=max(matrix.min(), 1.0), vmax=matrix.max())
    shown = np.maximum(matrix, 1.0) if isinstance(norm, LogNorm) else matrix
    image = ax.imshow(shown, cmap=cmap, norm=norm, origin="lower", aspect="auto")
    scaled = np.asarray(image.norm(shown))
    for (row, col), value in np.ndenumerate(matrix):
        dark = abs(scaled[row, col] - 0.5) > 0.3 if metric == "report_ratio" else scaled[row, col] > 0.6
        ax.text(col, row, fmt.format(value), ha="center", va="center", fontsize=8, color="white" if dark else "black")
    ax.set_xticks(range(len(cols[1])), [f"{v:g}" for v in cols[1]])
    ax.set_yticks(range(len(rows[1])), [f"{v:g}" for v in rows[1]] if rows[0] else [""])
    ax.set_xlabel(cols[0])
    ax.set_ylabel(rows[0])
    ax.set_title(title, fontsize=10)


def plot_heatmaps(out: Path, grid: Grid, cells: dict[str, np.ndarray], title: str) -> list[Path]:
    """``heatmap_<metric>.png`` and ``sweep.png`` (rows: first axis, columns: second); returns the files.

    One axis gives a single row. Axes beyond the second give one set of files per combination
    of their values (suffix ``_<name>=<value>...``). matplotlib is imported here, lazily.
    """
    from gl_env.plots import new_figure, save_figure

    axes = grid.axes if len(grid.axes) > 1 else [("", [0.0]), *grid.axes]
    shape = [len(values) for _, values in axes]
    full = {metric: cells[metric].reshape(shape) for metric in METRICS}
    written = []
    for extra in np.ndindex(*shape[2:]):
        suffix = "".join(f"_{name}={values[j]:g}" for j, (name, values) in zip(extra, axes[2:], strict=True))
        planes = {metric: values[(slice(None), slice(None), *extra)] for metric, values in full.items()}
        for metric, matrix in planes.items():
            fig = new_figure((5.5, 4.5))
            _heatmap(fig.subplots(), matrix, metric, axes[0], axes[1])
            written.append(save_figure(fig, out / f"heatmap_{metric}{suffix}.png", dpi=120))
        fig = new_figure((15, 8.5))
        for ax, (metric, matrix) in zip(fig.subplots(2, 3).ravel(), planes.items(), strict=True):
            _heatmap(ax, matrix, metric, axes[0], axes[1])
        fig.suptitle(title + suffix.replace("_", " "), fontsize=12)
        written.append(save_figure(fig, out / f"sweep{suffix}.png", dpi=110))
    return written


def run(args: Args, log: Callable[[str], Any] = print) -> Path:
    """Run the sweep described by ``args``; returns the output folder."""
    check_args(args)
    grid = build_grid(args)
    out = output_folder(args)
    if importlib.util.find_spec("matplotlib") is None:  # checked before the search, not after it
        raise ImportError("the heatmaps need matplotlib; install it with pip install 'gl_env[plot]'")
    if args.ray is not None:
        sweep_ray.check_installed()
    start = time.perf_counter()
    fixed = ", ".join(f"{k}={v:g}" for k, v in grid.fixed.items()) or "none"
    log(
        f"{len(grid.points)} cells of {args.scenario} (fixed: {fixed}); {args.population} candidates x "
        f"{args.seeds} villages per cell and iteration; levers {', '.join(args.levers)}; reward {args.reward}"
    )
    if args.ray is None:
        best, cells = solve(args, grid, log)
    else:
        best, cells = solve_on_ray(args, grid, out, log)
    wall_s = time.perf_counter() - start
    with staged_folder(out) as staging:
        write_results(staging, args, grid, best, cells, wall_s)
        axes = " x ".join(name for name, _ in grid.axes)
        plot_heatmaps(staging, grid, cells, f"Best response of the {args.reward} cadre, {args.scenario}: {axes}")
    log(f"search and evaluation took {wall_s:.0f} s; results in {out}")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Run the sweep from the command line; returns the exit status (2: bad input or a disk error, 130: Ctrl-C)."""
    args = parse_args(argv)
    try:
        out = run(args)
    # FileExistsError (the --out checks) is an OSError; TaskFailed: a Ray task raised.
    except (OSError, ImportError, sweep_ray.TaskFailed) as error:
        print(f"python -m gl_env.sweep: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("python -m gl_env.sweep: interrupted; no results were written", file=sys.stderr)
        return 130
    print((out / "cells.csv").read_text(), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
