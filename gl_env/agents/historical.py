"""The historical cadre: a brigade cadre who acts, season by season, as the record says cadres acted.

Used to calibrate ``historical-1958`` (:mod:`gl_env.calibration`) and as a scripted baseline.
Every number below is read from the record (``shared/data/calibration_targets.csv`` rows named in
the comments), not fitted: the calibration fits the *scenario* to what this cadre does.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gl_env.actions import LABOR_NAMES, NORMAL_SEASON
from gl_env.agents.rationing import budget_ration
from gl_env.core.constants import SEASONS_PER_YEAR
from gl_env.scenarios.historical import HISTORICAL_1958

RECORD_START_YEAR: int = HISTORICAL_1958.values["start_year"]
RECORD_SEASONS: int = HISTORICAL_1958.values["num_years"] * SEASONS_PER_YEAR

# Reported / true harvest by year, as claimed at the time against the old official series:
# 1958 claim 375 Mt vs 200 actual (grain_output_announced_dec1958), 1959 claim 275 vs 170
# (grain_output_claimed_nov1959), 1960 claim 150 vs 143.5 (grain_output_claim_mao_to_montgomery);
# from 1961, with the famine known, reports return to the truth.
CLAIMED_OVER_ACTUAL: tuple[float, ...] = (375.0 / 200.0, 275.0 / 170.0, 150.0 / 143.5, 1.0, 1.0)
# Reported / good steel, 1958: 11.08 Mt announced vs 8.0 Mt of usable steel (steel_output_announced,
# steel_output_good_quality); later steel came mostly from modern plants and was reported as made.
STEEL_CLAIMED_OVER_ACTUAL: tuple[float, ...] = (11.08 / 8.0, 1.0, 1.0, 1.0, 1.0)

# Labor plan by season, 1958-1962: shares of the village's labor-days (fields, private plots, works,
# steel, rest) and the share of women mobilised. "Rest" is labor absent from the brigade's work:
# the sick, and the workers drawn to state industry and the cities (state industry took 15.7 million
# peasants in 1958: net_inflow_agri_labour_to_state_industry). Field labor in winter grows nothing.
_NORMAL = tuple(NORMAL_SEASON[k] for k in (*LABOR_NAMES, "mobilization"))
LABOR_PLAN: tuple[tuple[float, float, float, float, float, float], ...] = (
    # 1958. Spring: the winter 1957-58 water-conservancy drive runs on, women join collective work.
    (0.65, 0.10, 0.10, 0.00, 0.15, 0.5),
    (0.70, 0.10, 0.05, 0.00, 0.15, 0.5),
    # Autumn: at least 90 million people at the furnaces (people_mobilised_backyard_furnaces), about
    # 0.3 of a fully mobilised rural labor force; the harvest is left to those who remain; the
    # communes abolish private plots and free women through canteens and nurseries.
    (0.45, 0.00, 0.10, 0.30, 0.15, 1.0),
    # Winter: about 100 million on water works (peasants_mobilised_water_conservancy_winter), the
    # furnaces burn on into December.
    (0.30, 0.00, 0.35, 0.10, 0.25, 1.0),
    # 1959. Farm employment 16% below 1957 (employment_primary_sector 162.7 vs 193.1 million):
    # commune industry, works and state industry keep labor from the fields; many nurseries close.
    (0.58, 0.00, 0.15, 0.00, 0.27, 0.5),
    (0.58, 0.00, 0.15, 0.00, 0.27, 0.5),
    # Autumn: after the Lushan conference (August) the furnaces are lit again; a second winter of works.
    (0.55, 0.00, 0.10, 0.10, 0.25, 0.5),
    (0.30, 0.00, 0.35, 0.05, 0.30, 1.0),
    # 1960. Farm employment still 12% below 1957 (170.2 million); corvee takes up to 40% of
    # workdays in the worst places (corvee_share_of_workdays_ningde_liudu_brigade).
    (0.60, 0.00, 0.15, 0.00, 0.25, 0.5),
    (0.60, 0.00, 0.15, 0.00, 0.25, 0.5),
    (0.65, 0.00, 0.05, 0.00, 0.30, 0.5),
    # Winter: the November 1960 emergency directive stops the works and gives back private plots.
    (0.55, 0.10, 0.05, 0.00, 0.30, 0.5),
    # 1961-62: the retreat; labor sent back to the land (farm employment 197.5 and 212.8 million).
    *[(0.60, 0.10, 0.05, 0.00, 0.25, 0.5)] * SEASONS_PER_YEAR,
    *[(0.65, 0.10, 0.05, 0.00, 0.20, 0.5)] * SEASONS_PER_YEAR,
)
_PLAN = np.asarray((*LABOR_PLAN, _NORMAL))
_CLAIMS = np.asarray((*CLAIMED_OVER_ACTUAL, 1.0))
_STEEL_CLAIMS = np.asarray((*STEEL_CLAIMED_OVER_ACTUAL, 1.0))


def historical_cadre(o: dict[str, np.ndarray]) -> dict[str, Any]:
    """Believes the campaign is the law: reports the harvests claimed at the time (1.9 times the
    truth in 1958, 1.6 in 1959, near the truth from 1960), sends labor to the furnaces and the water
    works at the recorded scale (autumn-winter 1958, again after Lushan, corvee through 1960),
    mobilises the women, works private plots only where they are allowed, lets the village eat freely
    while the canteens are free (autumn 1958) and rations what is left of the store after, and in the
    1961 retreat sends the labor back to the land. It follows the calendar, whatever the
    episode's start and length: ``o["coming_year"]`` and ``o["coming_season"]``, which
    :class:`~gl_env.agents.scripted.ScriptedPolicy` reads from the step's info; seasons outside
    1958-1962 are farmed as in 1957, and reported truthfully."""
    if "coming_year" not in o:
        raise ValueError(
            "historical_cadre follows the calendar: call the policy with the step's info, policy(obs, info)"
        )
    year = np.asarray(o["coming_year"], dtype=np.int64) - RECORD_START_YEAR
    season = year * SEASONS_PER_YEAR + np.asarray(o["coming_season"], dtype=np.int64)
    # Outside the record: the normal 1957 plan (the last row of the tables).
    index = np.where((season >= 0) & (season < RECORD_SEASONS), season, RECORD_SEASONS)
    year = np.minimum(index // SEASONS_PER_YEAR, len(CLAIMED_OVER_ACTUAL))
    fields, private, works, steel, rest, mobilization = _PLAN[index].T
    plots_allowed = o["private_plots"] > 0.5
    return {
        "labor_fields": fields + np.where(plots_allowed, 0.0, private),
        "labor_private": np.where(plots_allowed, private, 0.0),
        "labor_works": works,
        "labor_steel": steel,
        "labor_rest": rest,
        "mobilization": mobilization,
        "report_ratio": _CLAIMS[year],
        "steel_report_ratio": _STEEL_CLAIMS[year],
        "ration_kg": budget_ration(o),
    }
