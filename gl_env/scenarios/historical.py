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
- 1961-62: the retreat: targets cut, procurement and purges eased, relief raised.

These values are a first cut; :mod:`gl_env.calibration` documents the fitted ones.
"""

from gl_env.scenarios import Scenario

HISTORICAL_1958 = Scenario(
    name="historical-1958",
    description="A brigade under the Great Leap Forward's institutions and political climate, 1958-1962.",
    values={
        "start_year": 1958,
        "num_years": 5,
        # Procurement on reports, targets ratcheting from them (M9, M10).
        "quota_fixed_share": 0.0,
        "procurement_target_weight": 0.15,
        "procurement_uses_audit": 0.0,
        "ratchet": 0.8,
        "retention_floor_kg_per_person": 0.0,
        "relief_threshold_kg_per_person": 150.0,
        # Few audits; inflation barely punished, concealment hunted (M8).
        "audit_probability": 0.05,
        "over_report_penalty": 0.1,
        "under_report_penalty": 1.5,
        "concealment_penalty": 2.0,
        "honesty_protection": 0.0,
        "quota_shortfall_penalty": 0.3,
        "search_shortfall_sensitivity": 1.0,
        "purge_threshold": 0.3,
        # Communes: weaker work incentives, neglected animals, canteens (M1, M4, M6).
        "collective_effort": 0.9,
        "animal_neglect": 0.02,
        "canteen_waste": 0.15,
        "free_supply_ration_kg": 0.75,
        # Soviet withdrawal, July 1960 (M7).
        "soviet_withdrawal_year": 1960,
        "soviet_procurement_surcharge": 0.15,
        "soviet_input_loss": 0.5,
        "works_haste_days_per_ha": 40.0,
        "weather_sd": 0.05,
    },
    timeline={
        "growth_credit": {1958: 0.6, 1959: 0.6, 1960: 0.4, 1961: 0.1},
        "decline_penalty": {1958: 1.0, 1959: 1.2, 1960: 0.8, 1961: 0.2},
        "purge_rate": {
            1958: (0.1, 0.1, 0.3, 0.3),
            1959: (0.2, 0.2, 0.6, 0.6),
            1960: (0.5, 0.5, 0.3, 0.2),
            1961: 0.1,
            1962: 0.05,
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
        "procurement_rate": {1958: 0.16, 1959: 0.22, 1960: 0.25, 1961: 0.2, 1962: 0.2},
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
        "weather_mean": {1958: 1.03, 1959: 0.93, 1960: 0.88, 1961: 0.92, 1962: 0.98},
        "relief_rate": {1958: 0.1, 1960: 0.3, 1961: 0.6, 1962: 0.5},
    },
)
