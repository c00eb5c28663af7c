"""A province-structured ensemble of villages: places differ together.

A national figure is an aggregate over a heterogeneous population, never one representative
village. :func:`province_ensemble` gives each of ``villages`` villages its own
:class:`~gl_env.core.params.Params`, drawn around a scenario's in two levels, province then village:

- **land quality** (``land_quality``): a provincial level and a village deviation;
- **weather** (``weather_mean``): a provincial shock each year, shared by its villages, on top of
  the village's own year-to-year noise (``weather_sd`` = :data:`WEATHER_VILLAGE_SD`);
- **zeal** of the provincial leadership: a higher procurement rate (``procurement_zeal``) and, for
  the cadre, a larger inflation of the report (returned as a multiplier of the report's excess
  over the truth for the policy to apply: the cadre is the agent, not the scenario).

A lone village of ``historical-1958`` (every env) draws the same spreads at each reset without the
provinces: :func:`lone_village_spreads` gives the scenario's ``land_quality_sd``,
``procurement_zeal_spread`` and ``weather_sd``, the ensemble's spreads summed over its two
levels (uniform draws of the same s.d.; the province's yearly weather shock joins the village's
noise). The ensemble sets those spreads to 0 and draws the levels itself, so that villages of a
province share theirs.

Villages are dealt to provinces in turn, so provinces are of equal size (a judgement: the
provinces' rural populations are not in the project's data), and national figures stay plain
sums over villages. Every draw is uniform with the stated standard deviation (bounded, so no
village leaves a parameter's range), from a generator seeded by :data:`ENSEMBLE_SEED`: the
ensemble is the same in every run. The spreads are the constants below, each with its source or
marked a judgement (MODEL_CARD.md lists them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.core.params import Params

PROVINCES = 25
ENSEMBLE_SEED = 1958
# Land quality: normal yields differed widely between provinces (rice south, dry north); the
# village's normal harvest scales with it. Provincial and village s.d. of the yield multiple:
# judgement (provincial yield series exist, NBS, but are not in the project's data).
LAND_QUALITY_PROVINCE_SD = 0.10
LAND_QUALITY_VILLAGE_SD = 0.05
# Weather: a provincial shock each year, s.d. of the weather multiple. Judgement, of the size of
# the national weather effect the scenario carries (3.4% off the 1958-61 harvest: about the 12%
# of the fall Li & Yang 2005 attribute to weather), since provinces' weather varied around it.
WEATHER_PROVINCE_SD = 0.04
# The village's own year-to-year weather noise (historical-1958's weather_sd before the ensemble).
WEATHER_VILLAGE_SD = 0.05
# Zeal: provinces led by alternate members of the Central Committee procured about 3 percentage
# points more of their output (Kung & Chen 2011, APSR 105:27; calibration data row
# kungchen_excess_procurement_gap_alternate_vs_full), about a tenth of a ~30% share: the
# procurement rate is scaled by 1 + ZEAL_PROCUREMENT x z, z uniform on [-1, 1], so the zealous half
# procures ~10% more than the other. The report's excess over the truth is scaled by 1 +
# ZEAL_REPORT x z: 1958's claim of 1.9 times the truth ranges 1.6-2.2, about the span of the
# recorded claims (Fujian 1.7, Ye Fei's self-criticism; Wuwei county 2.7, a weak source); judgement.
ZEAL_PROCUREMENT = 0.1
ZEAL_REPORT = 0.35

_UNIFORM_HALF_WIDTH = 3.0**0.5  # a uniform on [-h, h] with h = sqrt(3) has s.d. 1


@dataclass(frozen=True)
class ProvinceEnsemble:
    """Villages' params, province labels and the cadres' report zeal, one entry per village."""

    params: tuple[Params, ...]
    province: tuple[str, ...]
    report_zeal: np.ndarray  # multiplier of the report's excess over the truth (1 = the scenario's cadre)

    def zealous_report(self, report_ratio: np.ndarray) -> np.ndarray:
        """``report_ratio`` (per village) with its excess over 1 scaled by the village's zeal."""
        return 1.0 + (np.asarray(report_ratio, dtype=np.float64) - 1.0) * self.report_zeal


def lone_village_spreads() -> dict[str, float]:
    """The params of a village drawn alone from the ensemble's spreads (module docstring)."""
    return {
        "land_quality_sd": float(np.hypot(LAND_QUALITY_PROVINCE_SD, LAND_QUALITY_VILLAGE_SD)),
        "procurement_zeal_spread": ZEAL_PROCUREMENT,
        "weather_sd": float(np.hypot(WEATHER_VILLAGE_SD, WEATHER_PROVINCE_SD)),
    }


def _uniform(rng: np.random.Generator, sd: float, size: int | tuple[int, ...]) -> np.ndarray:
    return rng.uniform(-_UNIFORM_HALF_WIDTH, _UNIFORM_HALF_WIDTH, size) * sd


def province_ensemble(base: Params, villages: int, provinces: int | None = None) -> ProvinceEnsemble:
    """``villages`` villages of ``base`` in ``provinces`` provinces (village i in province i mod P;
    default :data:`PROVINCES`, or one province per village where there are fewer villages)."""
    if villages < 1:
        raise ValueError(f"villages={villages!r} must be at least 1")
    provinces = min(PROVINCES, villages) if provinces is None else provinces
    if not 1 <= provinces <= villages:
        raise ValueError(f"provinces={provinces!r} is out of range; allowed 1 to villages ({villages})")
    rng = np.random.default_rng(ENSEMBLE_SEED)
    land = 1.0 + _uniform(rng, LAND_QUALITY_PROVINCE_SD, provinces)
    weather = 1.0 + _uniform(rng, WEATHER_PROVINCE_SD, (provinces, base.num_years))
    zeal = rng.uniform(-1.0, 1.0, provinces)
    village_land = 1.0 + _uniform(rng, LAND_QUALITY_VILLAGE_SD, villages)
    weather_mean = np.broadcast_to(np.asarray(base.weather_mean, dtype=np.float64), (base.horizon,))
    by_province = [
        {
            "weather_mean": tuple((weather_mean * np.repeat(weather[p], SEASONS_PER_YEAR)).tolist()),
            "procurement_zeal": base.procurement_zeal * (1.0 + ZEAL_PROCUREMENT * zeal[p]),
        }
        for p in range(provinces)
    ]
    index = np.arange(villages) % provinces
    # The ensemble draws the levels itself: no draw at reset, and only the village's own weather noise.
    alone = {"land_quality_sd": 0.0, "procurement_zeal_spread": 0.0, "weather_sd": WEATHER_VILLAGE_SD}
    params = tuple(
        base.replace(land_quality=base.land_quality * land[p] * village_land[i], **alone, **by_province[p])
        for i, p in enumerate(index.tolist())
    )
    return ProvinceEnsemble(
        params=params,
        province=tuple(f"province-{p + 1:02d}" for p in index.tolist()),
        report_zeal=1.0 + ZEAL_REPORT * zeal[index],
    )
