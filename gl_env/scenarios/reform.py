"""``reform``: the same village, weather and Soviet shock under a redesigned institution.

A fixed quota (procurement no longer depends on the report) and the residual kept by the
village, audited reports (half of all harvests; over- and under-reporting penalised), honest
reports of decline protected where an audit confirms them, no growth campaign, no steel drive,
no free-supply dining, private plots kept, and cadres held to account for deaths.
"""

from gl_env.scenarios import Scenario
from gl_env.scenarios.historical import HISTORICAL_1958

REFORM = Scenario(
    name="reform",
    description="Fixed quota, residual kept by the village, audited reports, honest reports protected.",
    values={
        **HISTORICAL_1958.values,
        "quota_fixed_share": 1.0,
        "fixed_quota_kg_per_person": 60.0,
        "procurement_target_weight": 0.0,
        "procurement_uses_audit": 1.0,
        "ratchet": 0.0,
        "retention_floor_kg_per_person": 150.0,
        # Relief tops every village's reported grain up to the adequate need (230 kg, as in
        # historical-1958: grain_need_adequate), so that villages on poor land are not left hungry.
        "relief_threshold_kg_per_person": 230.0,
        "audit_probability": 0.5,
        "audit_error": 0.05,
        "audit_tolerance": 0.1,
        "over_report_penalty": 2.0,
        "under_report_penalty": 1.0,
        "honesty_protection": 1.0,
        "collective_effort": 1.0,
        "animal_neglect": 0.0,
        "growth_credit": 0.1,
        "decline_penalty": 0.5,
        "purge_rate": 0.1,
        "steel_credit": 0.0,
        "steel_quota_kg_per_person": 0.0,
        "works_credit": 0.0,
        "death_accountability": 1.0,
        "procurement_rate": 0.2,
        "planned_growth": 0.0,
        "search_rate": 0.02,
        "free_supply": 0.0,
        "private_plots": 1.0,
        "relief_rate": 0.5,
        # Accountable for deaths, the state also answers them with grain at once.
        "death_relief_kg": 2.0,
        "migration_control": 0.3,
    },
    # Same weather as history, so differences come from the institution alone.
    timeline={"weather_mean": HISTORICAL_1958.timeline["weather_mean"]},
)
