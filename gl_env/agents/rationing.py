"""How a scripted cadre budgets the collective store: the ration that lasts until the next harvest."""

from __future__ import annotations

import numpy as np

from gl_env.core.constants import DAYS_PER_SEASON, SEED_KG_PER_HA

# Store per person is observed in units of 500 kg.
_STORE_UNIT_KG = 500.0
# Seasons the store must feed before the next harvest, by the coming season (spring..winter).
# In autumn the harvest arrives before the village eats, so the cadre eats a normal ration.
_SEASONS_TO_FEED = np.array([2.0, 1.0, 1.0, 3.0])
NORMAL_RATION_KG = 0.55


def season_of(o: dict[str, np.ndarray]) -> np.ndarray:
    """The coming season (0 spring .. 3 winter) from the one-hot observation."""
    return np.argmax(np.stack([o["spring"], o["summer"], o["autumn"], o["winter"]], axis=-1), axis=-1)


def budget_ration(o: dict[str, np.ndarray], land_per_person_ha: float = 0.216, floor: float = 0.2) -> np.ndarray:
    """The ration (kg/person/day) that makes the store last until the next harvest.

    In spring the seed for the fields is set aside first; in autumn the harvest comes in
    before the village eats, so the normal ration is kept. Floored at ``floor``, capped at 0.7.
    """
    season = season_of(o)
    store = o["store"] * _STORE_UNIT_KG
    seed = np.where(season == 0, land_per_person_ha * SEED_KG_PER_HA, 0.0)
    ration = (store - seed) / (_SEASONS_TO_FEED[season] * DAYS_PER_SEASON)
    return np.where(season == 2, NORMAL_RATION_KG, np.clip(ration, floor, 0.7))
