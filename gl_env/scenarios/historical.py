"""``historical-1958``: a representative brigade through the Great Leap Forward, 1958-1962.

Political timeline (per season: spring, summer, autumn, winter):

- 1958, the Leap: communes from August, private plots abolished and free-supply canteens from
  the autumn (free supply until the winter), the backyard-steel drive (autumn-winter), the
  winter water-conservancy campaign; reported growth is rewarded, reported decline is disloyalty.
- 1959: the anti-hiding campaign of the spring; after the Lushan conference (August) the
  anti-right-deviation campaign purges cadres who report decline.
- 1960: Soviet aid withdrawn (July; higher procurement for debts and exports, fewer industrial
  inputs); the November emergency directive restores private plots and starts holding cadres
  to account for deaths.
- 1961-62: the retreat: targets cut, procurement and purges eased, relief raised and sent where
  deaths are seen, flight tolerated.

Values set by judgement from the narrative sources are given inline; the values that calibration
sets are all in :data:`CALIBRATED`, each with its source or the procedure that fitted it
(``python -m gl_env.calibration`` shows the fit; MODEL_CARD.md discusses it).
"""

from dataclasses import dataclass
from typing import Any

from gl_env.scenarios import Scenario
from gl_env.scenarios.provinces import lone_village_spreads


@dataclass(frozen=True)
class Calibrated:
    """A scenario value set by calibration: the value and how it was set (source or fitting procedure)."""

    value: Any
    how: str


# Fitting procedure: the historical cadre (gl_env/agents/historical.py) on 1000 villages with purges off
# (gl_env/calibration.py). works_haste_days_per_ha was tried from 65 to 90 (see its entry); for each
# trial, procurement_rate, relief_rate and collective_effort were fitted together by coordinate
# descent (steps 0.005, 0.05 and 0.01) on the squared misses, scaled by 0.02 for output per person
# 1959-62 and by one point for the procurement (1958-62) and relief (1960-62) shares. The other
# entries are read from the record, not fitted. Row names are those of
# shared/data/calibration_targets.csv.
CALIBRATED: dict[str, Calibrated] = {
    "weather_mean": Calibrated(
        {1958: 1.02, 1959: 1.0, 1960: 0.98, 1961: 0.985, 1962: 1.0},
        "not fitted to output: a good 1958, the disaster years 1960-61 worst, scaled so that weather "
        "alone takes 3.4% off the 1958-61 harvest, about the 12% of the fall that Li & Yang (2005) "
        "attribute to weather (liyang_output_decline_due_to_weather)",
    ),
    "relief_threshold_kg_per_person": Calibrated(
        230.0, "the adequate grain need, 230 kg per person per year (grain_need_adequate)"
    ),
    "free_supply_ration_kg": Calibrated(
        0.6,
        "canteens began at 0.5 kg a day, then served without limit (canteen_ration_gansu_example_initial); "
        "0.6 keeps 1958's grain eaten near 1957's, as recorded (rural_grain_consumption_per_capita 201 vs 204.5)",
    ),
    "works_haste_days_per_ha": Calibrated(
        80.0,
        "fitted jointly with collective_effort: the hastiest works (most failures) at which the scenario "
        "keeps its incentive trap (tests/test_incentive_trap.py). Hastier works put more of the fall on the "
        "works and less on the residual effort, and a cadre who farms normally and reports 1.5 times the "
        "truth then no longer starves. The works of 1958-60 leave spring 1961's infrastructure 9% above "
        "normal upkeep (1.06 vs 0.97): a modest lasting gain from a campaign that standard accounts "
        "(MacFarquhar 1983, Dikotter 2010) judge mostly wasted",
    ),
    "procurement_rate": Calibrated(
        {1958: 0.158, 1959: 0.245, 1960: 0.296, 1961: 0.238, 1962: 0.207},
        "fitted to the gross procurement share of true output (procurement_share_gross): the rate applies "
        "to the inflated report (and, in part, the target), so it is lower than the share",
    ),
    "relief_rate": Calibrated(
        {1958: 0.1, 1960: 1.0, 1961: 0.42, 1962: 0.5},
        "1961-62 fitted by hand to the state's resales as a share of output (procurement_share_gross less "
        "procurement_share_net; v1: resales half at the autumn procurement, half in the spring lean season, "
        "plus relief for visible deaths from winter 1960; refitted after the physiology review, 2026-12-02); "
        "1960 at the top of the range still gives 11.4% "
        "against the record's 14.1% (the 1959 report, 1.6 times the truth, blocks the spring 1960 resales); "
        "1958-59 not identified (the inflated reports block resales) and kept at 0.1",
    ),
    "collective_effort": Calibrated(
        {1958: 1.0, 1959: 0.99, 1960: 0.74, 1961: 0.73, 1962: 0.76},
        "the residual, fitted so that output per person matches the old official series 1959-62 "
        "(grain_output_official_old_series) after labor, tools, works, animals, weather and hunger; it "
        "stands for what the model lacks: the incentives lost with the right to leave the collective "
        "(Lin 1990), harmful practices (close planting, deep ploughing), the 1959 cut in sown area",
    ),
}

HISTORICAL_1958 = Scenario(
    name="historical-1958",
    description="A brigade under the Great Leap Forward's institutions and political climate, 1958-1962.",
    values={
        "start_year": 1958,
        "num_years": 5,
        # Procurement on reports, targets ratcheting from them (M9, M10).
        "quota_fixed_share": 0.0,
        "procurement_target_weight": 0.0,
        "procurement_uses_audit": 0.0,
        "ratchet": 0.8,
        "retention_floor_kg_per_person": 0.0,
        # Few audits; inflation barely punished, concealment hunted (M8).
        "audit_probability": 0.05,
        "over_report_penalty": 0.1,
        "under_report_penalty": 1.5,
        "concealment_penalty": 2.0,
        "honesty_protection": 0.0,
        "quota_shortfall_penalty": 0.3,
        "search_shortfall_sensitivity": 1.0,
        "purge_threshold": 0.3,
        # Communes: neglected animals, canteen waste (M4, M6).
        "animal_neglect": 0.02,
        "canteen_waste": 0.15,
        # Soviet withdrawal, July 1960 (M7).
        "soviet_withdrawal_year": 1960,
        "soviet_procurement_surcharge": 0.15,
        "soviet_input_loss": 0.5,
        # Places differ: each village draws its land and its province's zeal, and the weather
        # noise includes its province's (the ensemble's spreads, gl_env/scenarios/provinces.py).
        **lone_village_spreads(),
        **{name: c.value for name, c in CALIBRATED.items() if not isinstance(c.value, dict)},
    },
    timeline={
        # After Lushan (1959) a report below the target is "right deviation".
        "growth_credit": {1958: 0.8, 1959: 1.5, 1960: 0.4, 1961: 0.1},
        "decline_penalty": {1958: 1.0, 1959: 1.2, 1960: 0.8, 1961: 0.2},
        "purge_rate": {
            1958: (0.1, 0.1, 0.3, 0.3),
            1959: (0.2, 0.2, 0.6, 0.6),
            # From the November 1960 directive the campaigns ease off.
            1960: (0.5, 0.5, 0.15, 0.1),
            1961: 0.05,
        },
        "steel_credit": {1958: (0.0, 0.05, 0.3, 0.3), 1959: (0.1, 0.1, 0.1, 0.05), 1960: 0.05, 1961: 0.0},
        "steel_quota_kg_per_person": {1958: (0.0, 2.0, 8.0, 8.0), 1959: 3.0, 1960: 3.0, 1961: 0.0},
        "works_credit": {
            1958: (0.2, 0.1, 0.1, 0.3),
            1959: (0.1, 0.05, 0.05, 0.2),
            1960: (0.05, 0.0, 0.0, 0.1),
            1961: 0.0,
        },
        "death_accountability": {1958: 0.0, 1960: (0.0, 0.0, 0.0, 0.3), 1961: 0.3, 1962: 0.2},
        # The state reacts to visible deaths only from the November 1960 emergency directive (grain
        # imports from 1961; Bernstein 1984, Yang Jisheng): the size is a judgement.
        "death_relief_kg": {1958: 0.0, 1960: (0.0, 0.0, 0.0, 1.0), 1961: 1.0, 1962: 1.0},
        # Household registration (January 1958), militia on the roads 1959-60, eased in 1961
        # (Dikotter 2010; Yang Jisheng): judgement.
        "migration_control": {1958: 0.5, 1959: 0.8, 1960: 0.8, 1961: 0.4, 1962: 0.4},
        "planned_growth": {1958: 0.4, 1959: 0.2, 1960: 0.0, 1961: -0.2, 1962: 0.0},
        "search_rate": {
            1958: 0.02,
            1959: (0.3, 0.2, 0.3, 0.3),
            1960: (0.3, 0.2, 0.1, 0.1),
            1961: 0.03,
            1962: 0.02,
        },
        "free_supply": {1958: (0.0, 0.0, 1.0, 0.0), 1959: 0.0},
        "private_plots": {1958: (1.0, 1.0, 0.0, 0.0), 1959: 0.0, 1960: (0.0, 0.0, 0.0, 1.0), 1961: 1.0},
        **{name: c.value for name, c in CALIBRATED.items() if isinstance(c.value, dict)},
    },
)
