"""``randomized``: the historical village with the mechanism and shocks drawn anew each episode.

For generalisation benchmarks and for policies that must read the institution from their
observation. Each episode draws every field below uniformly from its range (timeline fields
become constant over the episode); everything else is ``historical-1958``.
"""

from gl_env.scenarios import Scenario
from gl_env.scenarios.historical import HISTORICAL_1958

RANDOMIZE_RANGES: dict[str, tuple[float, float]] = {
    "audit_probability": (0.0, 1.0),
    "honesty_protection": (0.0, 1.0),
    "quota_fixed_share": (0.0, 1.0),
    "procurement_uses_audit": (0.0, 1.0),
    "over_report_penalty": (0.0, 3.0),
    "under_report_penalty": (0.0, 3.0),
    "ratchet": (0.0, 1.0),
    "collective_effort": (0.8, 1.1),
    "weather_sd": (0.0, 0.15),
    "growth_credit": (0.0, 1.0),
    "decline_penalty": (0.0, 2.0),
    "purge_rate": (0.0, 0.5),
    "death_accountability": (0.0, 1.0),
    "procurement_rate": (0.1, 0.35),
    "relief_rate": (0.0, 0.6),
    "weather_mean": (0.85, 1.1),
    "famine_food_cap_kcal": (300.0, 700.0),
    "migration_control": (0.0, 1.0),
    "death_relief_kg": (0.0, 2.0),
}

RANDOMIZED = Scenario(
    name="randomized",
    description="The historical village under a mechanism and shocks drawn per episode from stated ranges.",
    values={**HISTORICAL_1958.values, "randomize": tuple((k, *v) for k, v in RANDOMIZE_RANGES.items())},
    timeline=HISTORICAL_1958.timeline,
)
