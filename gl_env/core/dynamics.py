"""One season of one village under state procurement, in named phases.

A year has four seasons. Spring: seed is sown and fields are worked. Summer: the crop grows.
Autumn: the harvest comes in, the cadre reports it, the state procures on the report and
reviews the cadre. Winter: the slack season, when labor is mobilised for works. Private plots
yield in spring to autumn; people eat, grain spoils and people are born, die and flee every season.

The season runs in six phases, each a compiled function of one village's numbers:

1. :func:`labor`: labor-days and work capacity (M5, the famine trap), land (M1), works (M2)
   and furnaces (M3);
2. :func:`crop_and_harvest`: seed, the growing crop, private plots (M1), the autumn harvest;
3. :func:`report_and_procurement`: concealment, the report and the audit (M9, M8), then what
   the state demands and takes (M10, M7), relief and anti-hiding searches;
4. :func:`stores_and_food`: the canteen (M4), spoilage, the energy balance;
5. :func:`people`: deaths and births from body reserves and frailty, flight, tools (M3, M7) and animals (M6);
6. :func:`standing`: the review of the cadre (M8, M9, M3, M2), the purge, next year's target.

The mechanisms (M1-M10 of the model brief) each live in one function below, whose docstring
names the state and parameters that carry it. Phases 1-2 and the report (the first half of 3)
only read the village itself; the procurement and the review are where a county's reduction
over its villages enters (:mod:`gl_env.core.county`, run by :mod:`gl_env.core.kernel` between
the batch's two passes, writes the ``county_*`` fields of :class:`Midseason`).

The arithmetic is IEEE 754 double precision, compiled by numba without fast-math (no
reassociation, no fused multiply-add), in the order written: ``min``/``max``/``clip`` follow
one rule (the first argument unless the second is strictly smaller / larger) and only
``+ - * /`` and ``sqrt`` are used, each rounded exactly, so results are the same bits compiled
or run as plain Python (``NUMBA_DISABLE_JIT=1``), one village or many, on any thread count.

Randomness (per village, per season, from the episode key; :mod:`gl_env.core.random`):
weather (2 uniforms), the waste of hasty works (1), audit (1) and audit error (2), anti-hiding
search (1), purge (1).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from gl_env.core import constants as k
from gl_env.core.params import Climate as C
from gl_env.core.params import Value as V
from gl_env.core.random import season_uniforms
from gl_env.core.state import DecisionColumn as D
from gl_env.core.state import StateColumn as S

# sqrt(6): scales the sum of two uniforms minus one (variance 1/6) to unit variance.
_TRIANGULAR_TO_UNIT = 6.0**0.5
# sqrt(12): scales a uniform minus one half (variance 1/12) to unit variance.
_UNIFORM_TO_UNIT = 12.0**0.5
_TINY = 1e-12
# Standing drifts back toward its initial value by this share each season (superiors forget).
STANDING_REVERSION = 0.05
_BASELINE_DEATHS = k.BASELINE_DEATHS_PER_1000_YEAR / 1000.0 / k.SEASONS_PER_YEAR
_BASELINE_CONCEPTIONS = k.BASELINE_BIRTHS_PER_1000_YEAR / 1000.0 / k.SEASONS_PER_YEAR
_WORKDAYS_PER_WORKER = k.DAYS_PER_SEASON * k.WORKDAY_SHARE

# Inlined into the kernel's loops at numba's level (about twice as fast as calls: the array views
# each call takes cost reference counting that inlining lets numba prune).
_jit = njit(cache=True, fastmath=False, inline="always")


class Outcome(NamedTuple):
    """What happened during the season: flows (kg, persons) and the state's judgements.

    Grain balance, every season (kg)::

        harvest + private_output + relief + store_start + hidden_start
          = procurement + consumption + seed + waste + spoilage + store_end + hidden_end

    where procurement includes grain confiscated by searches and consumption includes the
    private-plot produce eaten. Concealment (``concealed_kg``) moves grain from the store into
    hiding, so it appears on both sides through the stocks.
    """

    season: Any  # 0 spring, 1 summer, 2 autumn, 3 winter
    harvest_kg: Any  # true collective harvest (autumn only, else 0)
    reported_kg: Any  # reported harvest (autumn only, else 0)
    private_output_kg: Any  # private-plot produce, grain-equivalent
    steel_kg: Any  # pig iron made
    reported_steel_kg: Any
    seed_kg: Any
    concealed_kg: Any  # moved from the store into hiding
    procurement_due_kg: Any  # what the state demanded
    procurement_kg: Any  # what it took, confiscations included
    confiscated_kg: Any  # hidden grain found by an anti-hiding search
    relief_kg: Any  # state grain returned: lean-season resales and relief for visible deaths
    consumption_kg: Any  # grain and private produce eaten
    waste_kg: Any  # canteen waste
    spoilage_kg: Any
    store_start_kg: Any
    hidden_start_kg: Any
    kcal_per_person_day: Any  # energy intake
    kcal_need_per_person_day: Any
    deaths: Any
    excess_deaths: Any  # deaths above the 1957 baseline rate
    births: Any
    emigrants: Any  # people who left the village this season (alive elsewhere)
    returnees: Any  # emigrants who came back this season
    population_start: Any
    audited: Any  # 1.0 if the harvest was audited this season
    searched: Any  # 1.0 if an anti-hiding search took place
    works_wasted: Any  # share of this season's works wasted by haste (0-1)
    purge_probability: Any
    purged: Any  # 1.0 if the cadre was purged (the episode ends)
    standing_change: Any
    soviet_withdrawn: Any  # 1.0 once the Soviet aid is withdrawn


# --- the arithmetic rules -----------------------------------------------------------------------
@_jit
def minimum(a: float, b: float) -> float:
    """``a``, unless ``b`` is strictly smaller."""
    return b if b < a else a


@_jit
def maximum(a: float, b: float) -> float:
    """``a``, unless ``b`` is strictly larger."""
    return b if b > a else a


@_jit
def clip(x: float, low: float, high: float) -> float:
    """``x`` held inside [low, high] (NaN kept)."""
    return low if x < low else (high if x > high else x)


@_jit
def flag(condition: bool) -> float:
    """1.0 if ``condition``, else 0.0 (flags multiply the quantities of their season)."""
    return 1.0 if condition else 0.0


# --- 1. labor -----------------------------------------------------------------------------------
@_jit
def village_normal_kg(p: np.ndarray, s: np.ndarray) -> float:
    """The village's own normal (1957) collective harvest, kg: the params' normal harvest on the
    land quality it drew at reset (``State.land_quality``). Its 1957 report, and what a county
    ranks its reports against."""
    return p[V.normal_harvest_kg] * (s[S.land_quality] / p[V.land_quality])


@_jit
def labor(p: np.ndarray, c: np.ndarray, s: np.ndarray, d: np.ndarray) -> tuple[float, float, float, float, float]:
    """M5 (women freed by collective child care and canteens), the famine trap, and M1's land.

    Available labor-days = population x ``working_age_share`` x (``participation`` +
    ``mobilization_extra`` x ``Decision.mobilization``) x working days. Hunger lowers work
    capacity: it scales with the square root of last season's food adequacy
    (``State.food_adequacy``) and falls once body reserves (``State.reserve``) drop below
    :data:`~gl_env.core.constants.WORK_CAPACITY_RESERVE`. Where private plots are abolished
    (``Climate.private_plots`` = 0) their land joins the fields, and labor sent there idles.

    Returns available labor-days, days actually worked (they cost energy), work capacity,
    collective and private hectares.
    """
    participation = p[V.participation] + p[V.mobilization_extra] * d[D.mobilization]
    workers = s[S.population] * p[V.working_age_share] * participation
    days = workers * _WORKDAYS_PER_WORKER
    capacity = np.sqrt(clip(s[S.food_adequacy], k.WORK_CAPACITY_MIN, 1.0)) * clip(
        s[S.reserve] / k.WORK_CAPACITY_RESERVE, k.WORK_CAPACITY_MIN, 1.0
    )
    idle = d[D.labor_rest] + d[D.labor_private] * (1.0 - c[C.private_plots])
    land = p[V.population] * p[V.land_per_person_ha]
    private_ha = land * p[V.private_plot_land_share] * c[C.private_plots]
    return days, days * (1.0 - idle), capacity, land - private_ha, private_ha


@_jit
def works(
    p: np.ndarray, s: np.ndarray, d: np.ndarray, days: float, capacity: float, spring: float, winter: float, u: float
) -> tuple[float, float, float]:
    """M2: works build infrastructure that raises yields from next spring, less what haste wastes.

    Gains per labor-day/ha are largest in winter and shrink as ``State.infra`` nears
    :data:`~gl_env.core.constants.INFRA_MAX`; they wait in ``State.works_pending`` until
    spring. Haste wastes a share of the season's works that grows continuously with it:
    (intensity / ``works_haste_days_per_ha``)^2 times a village draw (uniform, mean 1, s.d.
    :data:`~gl_env.core.constants.WORKS_WASTE_SD`), held in [0, 1]; the wasted part damages the
    land (salinised or flooded fields) at once. Infrastructure decays. Returns the
    infrastructure, the pending gain and the share wasted.
    """
    intensity = days * d[D.labor_works] * capacity / (p[V.population] * p[V.land_per_person_ha])
    efficiency = k.WORKS_SEASON_EFFICIENCY[0] + winter * (k.WORKS_SEASON_EFFICIENCY[3] - k.WORKS_SEASON_EFFICIENCY[0])
    room = maximum(k.INFRA_MAX - s[S.infra], 0.0) / (k.INFRA_MAX - 1.0)
    gain = k.WORKS_GAIN_PER_DAY_HA * intensity * efficiency * room
    haste = minimum(intensity / p[V.works_haste_days_per_ha], 1.0)
    draw = 1.0 + k.WORKS_WASTE_SD * (u - 0.5) * _UNIFORM_TO_UNIT
    wasted = clip(haste * haste * draw, 0.0, 1.0)
    infra = s[S.infra] + spring * s[S.works_pending] - k.INFRA_DECAY_PER_SEASON - wasted * k.WORKS_FAILURE_DAMAGE * gain
    pending = (1.0 - spring) * s[S.works_pending] + (1.0 - wasted) * gain
    return clip(infra, 0.3, k.INFRA_MAX), pending, wasted


# --- 2. crop and harvest ------------------------------------------------------------------------
@_jit
def sowing(s: np.ndarray, collective_ha: float, spring: float) -> tuple[float, float, float]:
    """Spring sowing needs seed from last year's grain (the store, then hidden grain); land that
    cannot be sown yields nothing (``State.sown_share``). Returns seed from the store, seed
    from hidden grain, and the share of the fields sown this year."""
    seed_need = spring * collective_ha * k.SEED_KG_PER_HA
    from_store = minimum(seed_need, s[S.store_kg])
    from_hidden = minimum(seed_need - from_store, s[S.hidden_kg])
    sown_share = spring * (from_store + from_hidden) / maximum(seed_need, _TINY) + (1.0 - spring) * s[S.sown_share]
    return from_store, from_hidden, sown_share


@_jit
def crop_growth(
    c: np.ndarray,
    s: np.ndarray,
    d: np.ndarray,
    days: float,
    capacity: float,
    collective_ha: float,
    sown_share: float,
    spring: float,
    summer: float,
    autumn: float,
) -> float:
    """Field work of the growing seasons, accumulated in ``State.crop_labor``.

    Each season's adequacy is effective field labor-days (times ``Climate.collective_effort``,
    M1's incentive effect) over :data:`~gl_env.core.constants.FIELD_WORKDAYS_PER_HA` per sown ha,
    capped at 3; the crop keeps the season-weighted sum, restarting each spring.
    """
    sown_ha = maximum(collective_ha * sown_share, _TINY)
    adequacy = days * d[D.labor_fields] * capacity * c[C.collective_effort] / (sown_ha * k.FIELD_WORKDAYS_PER_HA)
    weight = spring * k.CROP_SEASON_WEIGHTS[0] + summer * k.CROP_SEASON_WEIGHTS[1] + autumn * k.CROP_SEASON_WEIGHTS[2]
    return (1.0 - spring) * s[S.crop_labor] + weight * minimum(adequacy, 3.0)


@_jit
def private_plots(
    p: np.ndarray, d: np.ndarray, days: float, capacity: float, private_ha: float, winter: float, land_quality: float
) -> float:
    """M1: private plots yield ``PRIVATE_YIELD_MULTIPLE`` times the fields per ha, eaten at once.

    Output (grain-equivalent kg) = private ha x base yield x land quality x multiple x season weight x
    sqrt(labor adequacy). Zero where ``Climate.private_plots`` = 0 (no private land).
    """
    adequacy = days * d[D.labor_private] * capacity / maximum(private_ha * k.PRIVATE_WORKDAYS_PER_HA, _TINY)
    per_season = (1.0 - winter) * k.PRIVATE_SEASON_WEIGHTS[0]
    return (
        private_ha
        * p[V.base_yield_kg_per_ha]
        * land_quality
        * k.PRIVATE_YIELD_MULTIPLE
        * per_season
        * np.sqrt(minimum(adequacy, 3.0))
    )


@_jit
def harvest(
    p: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    collective_ha: float,
    sown_share: float,
    crop_labor: float,
    u0: float,
    u1: float,
) -> float:
    """The harvest if it came in now: sown land x base yield x land quality (``State.land_quality``) x
    sqrt(field labor) x works x tools x
    animals x weather (``Climate.weather_mean`` with triangular noise of s.d. ``weather_sd``).

    Carried by ``State.infra`` (M2), ``State.tools`` (M3: melted tools lower yields),
    ``State.animals`` (M6) and ``State.sown_share`` (seed eaten is a crop lost).
    """
    weather = c[C.weather_mean] * (1.0 + p[V.weather_sd] * (u0 + u1 - 1.0) * _TRIANGULAR_TO_UNIT)
    tools = 1.0 - k.TOOLS_YIELD_SHARE + k.TOOLS_YIELD_SHARE * s[S.tools]
    animals = 1.0 - k.ANIMALS_YIELD_SHARE + k.ANIMALS_YIELD_SHARE * s[S.animals]
    return (
        collective_ha
        * sown_share
        * p[V.base_yield_kg_per_ha]
        * s[S.land_quality]
        * np.sqrt(crop_labor)
        * s[S.infra]
        * tools
        * animals
        * maximum(weather, 0.0)
    )


# --- 3. report and procurement ------------------------------------------------------------------
@_jit
def audit_estimate(p: np.ndarray, true_harvest: float, u4: float, u5: float) -> float:
    """An audit's estimate of the harvest: the truth times (1 + triangular error of s.d. ``audit_error``).

    Positive by construction: ``audit_error`` <= 0.4 keeps the error's half-width sqrt(6) x 0.4 below 1.
    """
    return true_harvest * (1.0 + p[V.audit_error] * (u4 + u5 - 1.0) * _TRIANGULAR_TO_UNIT)


@_jit
def procurement_due(
    p: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    reported: float,
    audited: float,
    estimate: float,
    soviet: float,
) -> float:
    """M10 (allotment on reported yields), M7 (Soviet withdrawal raises the take), for the village
    in state ``s`` (population, target, land quality and zeal) reporting ``reported`` kg.

    Due = ``quota_fixed_share`` x ``fixed_quota_kg_per_person`` x population x
    ``State.land_quality`` + (1 - ``quota_fixed_share``) x ``Climate.procurement_rate`` x
    ``State.procurement_zeal`` x basis, times (1 + ``soviet_procurement_surcharge``) once the aid is
    withdrawn. A fixed quota is set on the village's normal yield, as the 1955 "three fixes" set
    each village's quota from its normal output (Walker 1984, Food Grain Procurement and
    Consumption in China). The basis is the report,
    moved toward the year's target (``State.target_kg``, set from past reports) by
    ``procurement_target_weight`` and toward the audited estimate by
    ``procurement_uses_audit`` when audited. The state takes it from the store (inflexible
    within the year) down to ``retention_floor``.
    """
    basis = reported + p[V.procurement_target_weight] * (s[S.target_kg] - reported)
    basis = basis + audited * p[V.procurement_uses_audit] * (estimate - basis)
    fixed = p[V.fixed_quota_kg_per_person] * s[S.population] * s[S.land_quality]
    rate = c[C.procurement_rate] * s[S.procurement_zeal]
    due = p[V.quota_fixed_share] * fixed + (1.0 - p[V.quota_fixed_share]) * rate * basis
    return due * (1.0 + soviet * p[V.soviet_procurement_surcharge])


@_jit
def relief(
    p: np.ndarray, c: np.ndarray, s: np.ndarray, pop: float, autumn: float, spring: float, reported: float, taken: float
) -> float:
    """State grain returned to the village: resales judged on the *reported* grain left, and relief
    for visible deaths.

    Resales, half at the autumn procurement (the state settles what it leaves the village) and half
    in the spring lean season (the old grain runs out before the summer wheat): ``Climate.relief_rate``
    x max(0, ``relief_threshold_kg_per_person`` x population - the reported grain left, max(report -
    taken, 0)), with this autumn's report and take, and in spring last autumn's
    (``State.reported_kg``, ``State.procurement_kg``). The state counts what it took, not what it
    demanded, and sees only the report: an inflated report hides the village's need. Relief for
    visible deaths (every season): ``Climate.death_relief_kg`` kg per person per excess death per
    1000 in the season before (``State.excess_deaths_per_1000``), at most a season of the
    threshold ration. So relief never exceeds (``relief_rate`` / 2 + 1/4) x the threshold ration
    for the village's people.
    """
    threshold = p[V.relief_threshold_kg_per_person] * pop
    left = autumn * maximum(reported - taken, 0.0) + spring * maximum(s[S.reported_kg] - s[S.procurement_kg], 0.0)
    resale = (autumn + spring) * 0.5 * c[C.relief_rate] * maximum(threshold - left, 0.0)
    for_deaths = minimum(c[C.death_relief_kg] * maximum(s[S.excess_deaths_per_1000], 0.0) * pop, 0.25 * threshold)
    return resale + for_deaths


@_jit
def anti_hiding_search(p: np.ndarray, c: np.ndarray, hidden: float, shortfall: float, u: float) -> tuple[float, float]:
    """Anti-hiding searches (1959-60): likelier when the quota was not delivered.

    Chance = ``Climate.search_rate`` + ``search_shortfall_sensitivity`` x share of the quota
    missing; a search confiscates :data:`~gl_env.core.constants.SEARCH_EFFICACY` of
    ``State.hidden_kg``. Returns the grain confiscated and 1.0 if searched.
    """
    searched = flag(u < c[C.search_rate] + p[V.search_shortfall_sensitivity] * shortfall)
    return searched * k.SEARCH_EFFICACY * hidden, searched


# --- 4. stores and food -------------------------------------------------------------------------
@_jit
def canteen(
    p: np.ndarray, c: np.ndarray, d: np.ndarray, pop: float, store: float, hidden: float
) -> tuple[float, float, float, float]:
    """M4: communal dining eats from the collective store, then from hidden grain.

    People eat ``Decision.ration_kg`` per day; under free-supply dining
    (``Climate.free_supply``) they eat at least ``free_supply_ration_kg`` and the canteen
    wastes ``canteen_waste`` per kg eaten. Returns grain eaten, wasted, and the stores left.
    """
    ration = d[D.ration_kg] + c[C.free_supply] * maximum(p[V.free_supply_ration_kg] - d[D.ration_kg], 0.0)
    waste_share = c[C.free_supply] * p[V.canteen_waste]
    served = 1.0 + waste_share
    wanted = ration * pop * k.DAYS_PER_SEASON * served
    from_store = minimum(wanted, store)
    from_hidden = minimum(wanted - from_store, hidden)
    drawn = from_store + from_hidden
    eaten = drawn / served
    return eaten, drawn - eaten, store - from_store, hidden - from_hidden


@_jit
def nutrition(
    s: np.ndarray, pop: float, food_kg: float, worked_days: float, capacity: float, cap: float
) -> tuple[float, float, float, float]:
    """Energy balance against body reserves (``State.reserve``), per person per day.

    Intake = food x :data:`~gl_env.core.constants.KCAL_PER_KG_GRAIN` + other food + famine
    foods: of the gap g between need and food, cap x (1 - (1 - g / 2cap)^2) kcal are gathered
    (the whole cap from a gap of twice the cap; the curve is smooth there), with ``cap``
    (kcal/person/day, >= 0) ``Params.famine_food_cap_kcal`` x the season's availability; a cap of
    0 gathers nothing. Need = base need (lowered with the body mass left and by metabolic
    adaptation, :data:`~gl_env.core.constants.METABOLIC_ADAPTATION`, as reserves fall) + the
    energy of the work done (hungry people work at lower intensity: ``capacity``). A deficit
    draws on reserves; a surplus rebuilds them at the refeeding efficiency. Returns intake and
    need (kcal/person/day), the mean reserve and the famine foods' share of the intake.
    """
    person_days = maximum(pop, _TINY) * k.DAYS_PER_SEASON
    spent = 1.0 - s[S.reserve]
    mass = 1.0 - spent * k.WEIGHT_LOSS_AT_EXHAUSTION / 100.0
    adapted = minimum(spent * k.WEIGHT_LOSS_AT_EXHAUSTION / k.KEYS_WEIGHT_LOSS, 1.0)
    need = k.KCAL_NEED_BASE_PER_DAY * mass * (1.0 - k.METABOLIC_ADAPTATION * adapted)
    need = need + k.KCAL_PER_WORKDAY * worked_days * capacity / person_days
    intake = food_kg * k.KCAL_PER_KG_GRAIN / person_days + k.KCAL_OTHER_FOOD_PER_DAY
    gap = maximum(need - intake, 0.0)
    # Gathered one for one at first, with returns falling to zero at twice the cap (smooth there);
    # the cap's floor keeps a cap of 0 at exactly 0 kcal gathered rather than 0 x inf.
    short = maximum(1.0 - gap / (2.0 * maximum(cap, _TINY)), 0.0)
    famine_foods = cap * (1.0 - short * short)
    intake = intake + famine_foods
    balance = (intake - need) * k.DAYS_PER_SEASON / k.LETHAL_RESERVE_KCAL
    # A surplus rebuilds reserves at the refeeding efficiency (a deficit draws them 1:1).
    if balance > 0.0:
        balance = balance * k.REFEEDING_EFFICIENCY
    return intake, need, clip(s[S.reserve] + balance, 0.0, 1.0), famine_foods / intake


# --- 5. people ----------------------------------------------------------------------------------
@_jit
def hunger_hazard(reserve: float, famine_food_share: float) -> float:
    """The seasonal hunger-related hazard of a person of mean frailty (1): disease, then inanition.

    Disease: the baseline hazard times ((1 + b D / 8)^8 - 1), D the points of body weight lost
    (:data:`~gl_env.core.constants.DISEASE_PER_POINT_LOST`), times the famine foods' health cost
    (1 + :data:`~gl_env.core.constants.FAMINE_FOODS_HEALTH_COST` x their share of the intake).
    Inanition: :data:`~gl_env.core.constants.STARVATION_HAZARD_AT_EXHAUSTION` x (1 - reserve)^8.
    Both are smooth and rise from the first kcal of deficit: there is no threshold.
    """
    x = 1.0 + k.DISEASE_PER_POINT_LOST * k.WEIGHT_LOSS_AT_EXHAUSTION * (1.0 - reserve) / 8.0
    x2 = x * x
    x4 = x2 * x2
    disease = _BASELINE_DEATHS * (x4 * x4 - 1.0) * (1.0 + k.FAMINE_FOODS_HEALTH_COST * famine_food_share)
    spent = 1.0 - reserve
    spent2 = spent * spent
    spent4 = spent2 * spent2
    return disease + k.STARVATION_HAZARD_AT_EXHAUSTION * spent4 * spent4


@_jit
def frailty_survival(zh: float, variance: float) -> float:
    """The share of people of gamma-distributed frailty (mean z, variance ``variance`` x z^2, >= 0)
    who survive a season's hazard h at mean frailty, ``zh`` = z h: (1 + v z h)^(-1/v), and its limit
    exp(-z h) as v -> 0 (everyone equally frail)."""
    if variance < _TINY:
        # Within 1e-12 of the limit here, where v z h could underflow in the general form.
        return np.exp(-zh)
    if variance == 2.0:
        # The default, as a square root: correctly rounded like + - * / (no libm), so its
        # trajectories reproduce bit for bit on every platform.
        return 1.0 / np.sqrt(1.0 + 2.0 * zh)
    return np.exp(-np.log1p(variance * zh) / variance)


@_jit
def demography(
    s: np.ndarray, d: np.ndarray, pop: float, reserve: float, famine_food_share: float, frailty_variance: float
) -> tuple[float, float, float, float, float]:
    """Deaths and births from body reserves, not from the famine's record.

    Deaths: the 1957 baseline rate, raised by collective child care (M5,
    ``Decision.mobilization``), plus hunger-related deaths (:func:`hunger_hazard` h) among people
    of gamma-distributed frailty of mean z = ``State.frailty`` and variance v z^2 (v =
    ``frailty_variance``, the kernel's :data:`~gl_env.core.constants.FRAILTY_VARIANCE`): the
    share 1 - (1 + v z h)^(-1/v) dies (:func:`frailty_survival`), and
    the survivors' mean frailty falls to z / (1 + v z h) (the frail die first), renewed
    toward 1 by :data:`~gl_env.core.constants.FRAILTY_RENEWAL_PER_SEASON` a season. Births:
    conceptions at the 1957 rate times fertility (falls with reserves) times the share of
    couples together (mobilisation for works and furnaces separates them:
    :data:`~gl_env.core.constants.WORKS_AWAY_SHARE`), born three seasons later
    (``State.born_*``); conceptions lost join ``State.postponed_conceptions``, of which
    :data:`~gl_env.core.constants.CATCH_UP_PER_SEASON` is made up each season as conditions
    allow. Returns deaths, births, conceptions, the survivors' mean frailty and the postponed stock.
    """
    frailty = s[S.frailty]
    zh = frailty * hunger_hazard(reserve, famine_food_share)
    baseline = _BASELINE_DEATHS * (1.0 + k.CHILDCARE_MORTALITY_RISK * d[D.mobilization])
    hunger = 1.0 - frailty_survival(zh, frailty_variance)
    deaths = pop * minimum(baseline + (1.0 - baseline) * hunger, 1.0)
    selected = frailty / (1.0 + frailty_variance * zh)
    frailty = selected + k.FRAILTY_RENEWAL_PER_SEASON * (1.0 - selected)

    fertility = clip(
        (reserve - k.FERTILITY_RESERVE_ZERO) / (k.FERTILITY_RESERVE_FULL - k.FERTILITY_RESERVE_ZERO), 0.0, 1.0
    )
    together = 1.0 - k.WORKS_AWAY_SHARE * (d[D.labor_works] + d[D.labor_steel])
    possible = (pop - deaths) * _BASELINE_CONCEPTIONS
    conceived = possible * fertility * together
    made_up = k.CATCH_UP_PER_SEASON * s[S.postponed_conceptions] * fertility * together
    postponed = (s[S.postponed_conceptions] - made_up) * (1.0 - k.POSTPONED_LOST_PER_SEASON) + possible - conceived
    return deaths, s[S.born_next], conceived + made_up, frailty, postponed


@_jit
def flight(c: np.ndarray, s: np.ndarray, remaining: float, reserve: float) -> tuple[float, float]:
    """Villagers flee hunger where the roads are open, and come back once the village is fed.

    Emigrants = the people left after the season's deaths x
    :data:`~gl_env.core.constants.FLIGHT_MAX_PER_SEASON` x how far the reserve is below
    :data:`~gl_env.core.constants.FLIGHT_RESERVE` (share) x (1 - ``Climate.migration_control``);
    returnees = ``State.emigrants_away`` x :data:`~gl_env.core.constants.RETURN_PER_SEASON` x
    how far the reserve is above :data:`~gl_env.core.constants.RETURN_RESERVE` (share of the
    way to 1). Returns emigrants and returnees (persons).
    """
    hunger = clip((k.FLIGHT_RESERVE - reserve) / k.FLIGHT_RESERVE, 0.0, 1.0)
    emigrants = remaining * k.FLIGHT_MAX_PER_SEASON * hunger * (1.0 - c[C.migration_control])
    fed = clip((reserve - k.RETURN_RESERVE) / (1.0 - k.RETURN_RESERVE), 0.0, 1.0)
    return emigrants, s[S.emigrants_away] * k.RETURN_PER_SEASON * fed


@_jit
def excess_deaths(pop: float, deaths: float) -> float:
    """Deaths above the 1957 baseline rate."""
    return deaths - pop * _BASELINE_DEATHS


@_jit
def tools(p: np.ndarray, s: np.ndarray, steel: float, soviet: float) -> float:
    """M3: furnaces melt farm tools (``State.tools``); renewal slows after the Soviet withdrawal (M7)."""
    melted = steel * k.TOOL_SCRAP_SHARE / (p[V.population] * k.TOOL_IRON_KG_PER_PERSON)
    renewal = k.TOOL_RENEWAL_PER_SEASON * (1.0 - s[S.tools]) * (1.0 - soviet * p[V.soviet_input_loss])
    return clip(s[S.tools] - melted + renewal, 0.0, 1.0)


@_jit
def animals(p: np.ndarray, s: np.ndarray, reserve: float) -> float:
    """M6: collective draft animals (``State.animals``) are neglected (``animal_neglect``) and eaten in famine."""
    growth = k.ANIMAL_GROWTH_PER_SEASON * (1.0 - s[S.animals]) - p[V.animal_neglect]
    famine = k.ANIMAL_FAMINE_LOSS * maximum(k.ANIMAL_FAMINE_RESERVE - reserve, 0.0)
    return clip(s[S.animals] * (1.0 + growth - famine), 0.0, 1.0)


# --- 6. standing --------------------------------------------------------------------------------
@_jit
def standing_change(
    p: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    d: np.ndarray,
    pop: float,
    autumn: float,
    reported: float,
    true_steel: float,
    reported_steel: float,
    inspected: float,
    audited: float,
    estimate: float,
    shortfall: float,
    confiscated: float,
    excess: float,
) -> float:
    """M8 (no one may call attention to unrealistic goals), M9 (reported increases), M3, M2.

    Every season: credit for reported steel (``Climate.steel_credit`` per quota met, up to
    twice) and for labor on works (``Climate.works_credit``); blame for deaths
    (``Climate.death_accountability``), for hidden grain found (``concealment_penalty``) and
    for steel over-reported beyond ``audit_tolerance`` when an audit counts it (the false
    credit is revoked and fined ``over_report_penalty`` times); a drift back toward
    ``initial_standing``. At the autumn review: credit for a report above
    ``State.target_kg`` (``Climate.growth_credit``), a penalty for a report below the last one
    (``Climate.decline_penalty``, waived by ``honesty_protection`` where an audit confirms the
    report), penalties for audited over- and under-reporting beyond ``audit_tolerance``, and
    for quota not delivered.
    """
    quota = c[C.steel_quota_kg_per_person] * pop
    per_kg = c[C.steel_credit] / maximum(quota, _TINY)
    steel = per_kg * minimum(reported_steel, 2.0 * quota)
    works_credit = c[C.works_credit] * d[D.labor_works]
    people = maximum(pop, _TINY)
    deaths = c[C.death_accountability] * excess / people * 100.0
    concealment = p[V.concealment_penalty] * confiscated / people / 100.0
    drift = STANDING_REVERSION * (p[V.initial_standing] - s[S.standing])
    # An audit that finds the steel over-reported beyond tolerance revokes the credit the false
    # part earned and fines it: a lie is punished by what it was worth (nothing where steel earns
    # nothing), which the iron, counted exactly, makes plain.
    false_credit = steel - per_kg * minimum(true_steel, 2.0 * quota)
    # (No steel made: no false credit, so the inspection finds nothing to fine.)
    caught = inspected * flag(d[D.steel_report_ratio] - 1.0 > p[V.audit_tolerance])
    steel_audit = caught * (1.0 + p[V.over_report_penalty]) * false_credit

    growth = clip(reported / maximum(s[S.target_kg], _TINY) - 1.0, -1.0, 1.0)
    decline = clip(1.0 - reported / maximum(s[S.reported_kg], _TINY), 0.0, 1.0)
    error = reported / maximum(estimate, _TINY) - 1.0
    verified = audited * flag(maximum(error, -error) <= p[V.audit_tolerance])
    over = audited * maximum(error - p[V.audit_tolerance], 0.0)
    under = audited * maximum(-error - p[V.audit_tolerance], 0.0)
    review = (
        c[C.growth_credit] * growth
        - c[C.decline_penalty] * decline * (1.0 - p[V.honesty_protection] * verified)
        - p[V.over_report_penalty] * over
        - p[V.under_report_penalty] * under
        - p[V.quota_shortfall_penalty] * shortfall
    )
    return steel + works_credit - deaths - concealment - steel_audit + drift + autumn * review


@_jit
def purge_probability(p: np.ndarray, purge_rate: float, standing: float) -> float:
    """Chance of a purge this season: ``purge_rate`` x how far standing is below ``purge_threshold`` (share)."""
    return purge_rate * clip((p[V.purge_threshold] - standing) / p[V.purge_threshold], 0.0, 1.0)


@_jit
def next_target(target: float, reported: float, ratchet: float, planned_growth: float) -> float:
    """M9: next year's target, set each spring from this year's target and report.

    It ratchets up from the report and never down: a report above the target raises it by
    ``ratchet`` times the excess, a report below leaves it; then the year's planned growth.
    """
    return (1.0 + planned_growth) * (target + ratchet * maximum(reported - target, 0.0))


# --- the season, in two halves -------------------------------------------------------------------
class Midseason(NamedTuple):
    """What the first half of the season (up to the report) hands to the second (procurement on)."""

    worked_days: Any
    capacity: Any
    seed_kg: Any
    sown_share: Any
    crop_labor: Any
    private_output_kg: Any
    harvest_kg: Any
    steel_kg: Any
    reported_steel_kg: Any
    infra: Any
    works_pending: Any
    works_wasted: Any
    store_kg: Any  # after seed, harvest and concealment
    hidden_kg: Any
    concealed_kg: Any
    reported_kg: Any
    inspected: Any
    audited: Any
    audit_estimate_kg: Any
    # Written by a county's review between the passes (gl_env.core.county); until_report writes
    # NaN, 0 and NaN, which leave the village alone.
    county_due_kg: Any  # the procurement due its county allots (NaN: the village's own rule)
    tournament_credit: Any  # standing won (or lost) in the county's promotion tournament
    yardstick_target_kg: Any  # next year's target raised by the county's yardstick (NaN: none)


@_jit
def until_report(
    p: np.ndarray, c: np.ndarray, s: np.ndarray, d: np.ndarray, t: int, key: np.uint64
) -> tuple[float, ...]:
    """Phases 1, 2 and the report of 3 for one village: the fields of :class:`Midseason`, in order."""
    season = t & 3
    spring, summer, autumn, winter = flag(season == 0), flag(season == 1), flag(season == 2), flag(season == 3)
    u0, u1, u2, u3 = season_uniforms(key, t, 0)
    u4, u5, _, _ = season_uniforms(key, t, 1)

    days, worked_days, capacity, collective_ha, private_ha = labor(p, c, s, d)
    steel = days * d[D.labor_steel] * capacity * k.STEEL_KG_PER_WORKDAY
    infra, works_pending, works_wasted = works(p, s, d, days, capacity, spring, winter, u2)

    seed_from_store, seed_from_hidden, sown_share = sowing(s, collective_ha, spring)
    crop_labor = crop_growth(c, s, d, days, capacity, collective_ha, sown_share, spring, summer, autumn)
    private_output = private_plots(p, d, days, capacity, private_ha, winter, s[S.land_quality])
    true_harvest = autumn * harvest(p, c, s, collective_ha, sown_share, crop_labor, u0, u1)

    # Concealment happens once the harvest is in, before the state collects (hidden grain).
    store = s[S.store_kg] - seed_from_store + true_harvest
    concealed = d[D.conceal_share] * store
    store = store - concealed
    hidden = s[S.hidden_kg] - seed_from_hidden + concealed
    reported = true_harvest * d[D.report_ratio]
    # An audit team inspects with the same chance every season: the harvest in autumn, and the
    # steel (steel reports earn standing too, so they must be checkable).
    inspected = flag(u3 < p[V.audit_probability])
    return (
        worked_days,
        capacity,
        seed_from_store + seed_from_hidden,
        sown_share,
        crop_labor,
        private_output,
        true_harvest,
        steel,
        steel * d[D.steel_report_ratio],
        infra,
        works_pending,
        works_wasted,
        store,
        hidden,
        concealed,
        reported,
        inspected,
        autumn * inspected,
        audit_estimate(p, true_harvest, u4, u5),
        np.nan,
        0.0,
        np.nan,
    )


MidseasonColumn = IntEnum("MidseasonColumn", Midseason._fields, start=0)
OutcomeColumn = IntEnum("OutcomeColumn", Outcome._fields, start=0)
M, Out = MidseasonColumn, OutcomeColumn


@_jit
def write_midseason(m: np.ndarray, values: tuple[float, ...]) -> None:
    """Store :func:`until_report`'s values in the column ``m`` (rows :class:`MidseasonColumn`)."""
    for j in range(len(values)):
        m[j] = values[j]


@_jit
def from_procurement(
    p: np.ndarray,
    c: np.ndarray,
    s: np.ndarray,
    d: np.ndarray,
    t: int,
    key: np.uint64,
    soviet_season: int,
    m: np.ndarray,
    new: np.ndarray,
    o: np.ndarray,
) -> None:
    """Phases 3 (from the procurement) to 6 for one village.

    Reads the state column ``s``, the decision ``d`` and the first half's column ``m``; writes
    the new state's float column ``new`` (rows :class:`~gl_env.core.state.StateColumn`) and the
    outcome column ``o`` (rows :class:`OutcomeColumn`). The new ``t`` is ``t + 1``, the key unchanged.
    """
    season = t & 3
    spring, summer, autumn, winter = flag(season == 0), flag(season == 1), flag(season == 2), flag(season == 3)
    _, _, u6, u7 = season_uniforms(key, t, 1)
    soviet = flag(t >= soviet_season)
    pop = s[S.population]
    reported = m[M.reported_kg]

    # 3. procurement: the state takes its due from the store (down to the retention floor).
    due = autumn * procurement_due(p, c, s, reported, m[M.audited], m[M.audit_estimate_kg], soviet)
    if not np.isnan(m[M.county_due_kg]):
        due = autumn * m[M.county_due_kg]
    store = m[M.store_kg]
    taken = minimum(due, maximum(store - p[V.retention_floor_kg_per_person] * pop, 0.0))
    store = store - taken
    shortfall = (due - taken) / maximum(due, _TINY)
    relief_kg = relief(p, c, s, pop, autumn, spring, reported, taken)
    store = store + relief_kg
    confiscated, searched = anti_hiding_search(p, c, m[M.hidden_kg], shortfall, u6)
    hidden = m[M.hidden_kg] - confiscated

    # 4. stores and food.
    eaten, waste, store, hidden = canteen(p, c, d, pop, store, hidden)
    spoilage = store * k.STORE_SPOILAGE_PER_SEASON + hidden * k.HIDDEN_SPOILAGE_PER_SEASON
    store = store * (1.0 - k.STORE_SPOILAGE_PER_SEASON)
    hidden = hidden * (1.0 - k.HIDDEN_SPOILAGE_PER_SEASON)
    consumption = eaten + m[M.private_output_kg]
    foraging = (
        spring * k.FAMINE_FOODS_SEASON[0]
        + summer * k.FAMINE_FOODS_SEASON[1]
        + autumn * k.FAMINE_FOODS_SEASON[2]
        + winter * k.FAMINE_FOODS_SEASON[3]
    )
    intake, need, reserve, famine_food_share = nutrition(
        s, pop, consumption, m[M.worked_days], m[M.capacity], p[V.famine_food_cap_kcal] * foraging
    )

    # 5. people (deaths, births, flight), and the farm capital that hunger and furnaces consume.
    deaths, births, conceived, frailty, postponed = demography(
        s, d, pop, reserve, famine_food_share, k.FRAILTY_VARIANCE
    )
    excess = excess_deaths(pop, deaths)
    emigrants, returnees = flight(c, s, pop - deaths, reserve)

    # 6. standing: the review, the purge, next year's target.
    change = standing_change(
        p,
        c,
        s,
        d,
        pop,
        autumn,
        reported,
        m[M.steel_kg],
        m[M.reported_steel_kg],
        m[M.inspected],
        m[M.audited],
        m[M.audit_estimate_kg],
        shortfall,
        confiscated,
        excess,
    )
    # (Added only where a tournament gave credit: x + 0.0 would turn a -0.0 change into +0.0.)
    if m[M.tournament_credit] != 0.0:
        change = change + m[M.tournament_credit]
    standing = clip(s[S.standing] + change, 0.0, 1.0)
    purge = purge_probability(p, c[C.purge_rate], standing)
    purged = flag(u7 < purge)
    target = spring * next_target(s[S.target_kg], s[S.reported_kg], p[V.ratchet], c[C.planned_growth])
    target = target + (1.0 - spring) * s[S.target_kg]
    if not np.isnan(m[M.yardstick_target_kg]):
        target = maximum(target, m[M.yardstick_target_kg])
    procured = taken + confiscated
    # harvest and reported are already 0 outside autumn (autumn * harvest is harvest, bit for bit).
    not_autumn = 1.0 - autumn

    new[S.population] = pop - deaths + births - emigrants + returnees
    new[S.reserve] = reserve
    new[S.food_adequacy] = intake / need
    new[S.store_kg] = store
    new[S.hidden_kg] = hidden
    new[S.infra] = m[M.infra]
    new[S.tools] = tools(p, s, m[M.steel_kg], soviet)
    new[S.animals] = animals(p, s, reserve)
    new[S.crop_labor] = m[M.crop_labor]
    new[S.sown_share] = m[M.sown_share]
    new[S.works_pending] = m[M.works_pending]
    new[S.harvest_kg] = m[M.harvest_kg] + not_autumn * s[S.harvest_kg]
    new[S.reported_kg] = reported + not_autumn * s[S.reported_kg]
    new[S.target_kg] = target
    new[S.procurement_kg] = autumn * procured + not_autumn * s[S.procurement_kg]
    new[S.standing] = standing
    new[S.born_next] = s[S.born_in_2]
    new[S.born_in_2] = s[S.born_in_3]
    new[S.born_in_3] = conceived
    new[S.frailty] = frailty
    new[S.postponed_conceptions] = postponed
    new[S.emigrants_away] = s[S.emigrants_away] + emigrants - returnees
    new[S.excess_deaths_per_1000] = excess / maximum(pop, _TINY) * 1000.0
    new[S.land_quality] = s[S.land_quality]
    new[S.procurement_zeal] = s[S.procurement_zeal]

    o[Out.season] = season
    o[Out.harvest_kg] = m[M.harvest_kg]
    o[Out.reported_kg] = reported
    o[Out.private_output_kg] = m[M.private_output_kg]
    o[Out.steel_kg] = m[M.steel_kg]
    o[Out.reported_steel_kg] = m[M.reported_steel_kg]
    o[Out.seed_kg] = m[M.seed_kg]
    o[Out.concealed_kg] = m[M.concealed_kg]
    o[Out.procurement_due_kg] = due
    o[Out.procurement_kg] = procured
    o[Out.confiscated_kg] = confiscated
    o[Out.relief_kg] = relief_kg
    o[Out.consumption_kg] = consumption
    o[Out.waste_kg] = waste
    o[Out.spoilage_kg] = spoilage
    o[Out.store_start_kg] = s[S.store_kg]
    o[Out.hidden_start_kg] = s[S.hidden_kg]
    o[Out.kcal_per_person_day] = intake
    o[Out.kcal_need_per_person_day] = need
    o[Out.deaths] = deaths
    o[Out.excess_deaths] = excess
    o[Out.births] = births
    o[Out.emigrants] = emigrants
    o[Out.returnees] = returnees
    o[Out.population_start] = pop
    o[Out.audited] = m[M.audited]
    o[Out.searched] = searched
    o[Out.works_wasted] = m[M.works_wasted]
    o[Out.purge_probability] = purge
    o[Out.purged] = purged
    o[Out.standing_change] = standing - s[S.standing]
    o[Out.soviet_withdrawn] = soviet
