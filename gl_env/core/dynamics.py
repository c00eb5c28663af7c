"""One season of village life under state procurement: the pure transition ``step``.

A year has four seasons. Spring: seed is sown and fields are worked. Summer: the crop grows.
Autumn: the harvest comes in, the cadre reports it, the state procures on the report and
reviews the cadre. Winter: the slack season, when labor is mobilised for works. Private plots
yield in spring to autumn; people eat, grain spoils and people are born and die every season.

The mechanisms of the model brief (M1-M10) each live in one function below, whose docstring
names the state and parameters that carry it. ``step`` runs them in order. All code is plain
arithmetic valid for floats and for arrays (see :mod:`gl_env.core.ops`).

Randomness (per village, per season, from the episode key): weather (2 uniforms), failure of
hasty works (1), audit (1) and audit error (2), anti-hiding search (1), purge (1).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from gl_env.core import constants as k
from gl_env.core.ops import Ops, ops_for
from gl_env.core.params import CoreParams
from gl_env.core.state import Decision, State

# sqrt(6): scales the sum of two uniforms minus one (variance 1/6) to unit variance.
_TRIANGULAR_TO_UNIT = 6.0**0.5
_TINY = 1e-12
# Standing drifts back toward its initial value by this share each season (superiors forget).
STANDING_REVERSION = 0.05


class Climate(NamedTuple):
    """The political climate and state policy of the current season (timeline fields of Params)."""

    growth_credit: Any
    decline_penalty: Any
    purge_rate: Any
    steel_credit: Any
    works_credit: Any
    death_accountability: Any
    procurement_rate: Any
    planned_growth: Any
    search_rate: Any
    free_supply: Any
    private_plots: Any
    weather_mean: Any
    relief_rate: Any
    steel_quota_kg_per_person: Any
    collective_effort: Any


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
    relief_kg: Any
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
    population_start: Any
    audited: Any  # 1.0 if the harvest was audited this season
    searched: Any  # 1.0 if an anti-hiding search took place
    works_failed: Any  # 1.0 if this season's works failed
    purge_probability: Any
    purged: Any  # 1.0 if the cadre was purged (the episode ends)
    standing_change: Any
    soviet_withdrawn: Any  # 1.0 once the Soviet aid is withdrawn


def step(p: CoreParams, s: State, d: Decision) -> tuple[State, Outcome]:
    """Advance one season. Pure: returns the new state and the season's :class:`Outcome`.

    ``p``, ``s`` and ``d`` are all floats (one village) or all arrays over the batch (``p``'s
    fields may have one row shared by all villages). ``d`` must hold valid decisions (shares
    in [0, 1] summing to 1, positive ratios); the environments validate actions before this.
    """
    ops = ops_for(s.population)
    season = s.t & 3
    spring, summer = (season == 0) * 1.0, (season == 1) * 1.0
    autumn, winter = (season == 2) * 1.0, (season == 3) * 1.0
    c = Climate(*ops.lookup(p.timeline, s.t))
    u0, u1, u2, u3 = ops.uniforms(s.key, s.t, 0)
    u4, u5, u6, u7 = ops.uniforms(s.key, s.t, 1)
    pop = s.population
    soviet = (s.t >= p.soviet_season) * 1.0

    days, worked_days, capacity = _labor_supply(p, s, d, ops, c.private_plots)
    collective_ha, private_ha = _land(p, c.private_plots)

    # Spring sowing needs seed from last year's grain; whatever cannot be sown yields nothing.
    seed_need = spring * collective_ha * k.SEED_KG_PER_HA
    seed_from_store = ops.minimum(seed_need, s.store_kg)
    seed_from_hidden = ops.minimum(seed_need - seed_from_store, s.hidden_kg)
    seed = seed_from_store + seed_from_hidden
    not_spring = 1.0 - spring
    sown_share = spring * seed / ops.maximum(seed_need, _TINY) + not_spring * s.sown_share

    crop_labor = _crop_growth(s, d, ops, c, days, capacity, collective_ha, sown_share, spring, summer, autumn)
    private_output = _private_plots(p, d, ops, days, capacity, private_ha, winter)
    weather = c.weather_mean * (1.0 + p.weather_sd * (u0 + u1 - 1.0) * _TRIANGULAR_TO_UNIT)
    harvest = autumn * _harvest(p, s, ops, collective_ha, sown_share, crop_labor, weather)
    steel = days * d.labor_steel * capacity * k.STEEL_KG_PER_WORKDAY
    reported_steel = steel * d.steel_report_ratio
    infra, works_pending, works_failed = _works(p, s, d, ops, days, capacity, spring, winter, u2)

    # Concealment happens once the harvest is in, before the state collects (hidden grain).
    store = s.store_kg - seed_from_store + harvest
    concealed = d.conceal_share * store
    store = store - concealed
    hidden = s.hidden_kg - seed_from_hidden + concealed

    reported = harvest * d.report_ratio
    # An audit team inspects with the same chance every season: the harvest in autumn, and the
    # steel (steel reports earn standing too, so they must be checkable).
    inspected = (u3 < p.audit_probability) * 1.0
    audited = autumn * inspected
    # Positive by construction: audit_error <= 0.4 keeps the error's half-width sqrt(6) x 0.4 below 1.
    audit_estimate = harvest * (1.0 + p.audit_error * (u4 + u5 - 1.0) * _TRIANGULAR_TO_UNIT)
    due = autumn * _procurement_due(p, c, pop, reported, s.target_kg, audited, audit_estimate, soviet)
    taken = ops.minimum(due, ops.maximum(store - p.retention_floor_kg_per_person * pop, 0.0))
    store = store - taken
    shortfall = (due - taken) / ops.maximum(due, _TINY)
    relief = autumn * _relief(p, ops, c, pop, reported, taken)
    store = store + relief

    confiscated, searched = _anti_hiding_search(p, c, hidden, shortfall, u6)
    hidden = hidden - confiscated

    eaten, waste, store, hidden = _canteen(p, d, ops, c, pop, store, hidden)
    spoilage = store * k.STORE_SPOILAGE_PER_SEASON + hidden * k.HIDDEN_SPOILAGE_PER_SEASON
    store = store * (1.0 - k.STORE_SPOILAGE_PER_SEASON)
    hidden = hidden * (1.0 - k.HIDDEN_SPOILAGE_PER_SEASON)

    consumption = eaten + private_output
    intake, need, reserve = _nutrition(s, ops, pop, consumption, worked_days, capacity)
    deaths, births, conceived, survivors_reserve = _demography(s, d, ops, pop, reserve)
    excess = deaths - pop * (k.BASELINE_DEATHS_PER_1000_YEAR / 1000.0 / k.SEASONS_PER_YEAR)
    tools = _tools(p, s, ops, steel, soviet)
    animals = _animals(p, s, ops, reserve)

    standing_change = _standing_change(
        p,
        s,
        d,
        ops,
        c,
        pop,
        autumn,
        reported,
        steel,
        reported_steel,
        inspected,
        audited,
        audit_estimate,
        shortfall,
        confiscated,
        excess,
    )
    standing = ops.clip(s.standing + standing_change, 0.0, 1.0)
    purge_probability = c.purge_rate * ops.clip((p.purge_threshold - standing) / p.purge_threshold, 0.0, 1.0)
    purged = (u7 < purge_probability) * 1.0
    target = spring * next_target(ops, s.target_kg, s.reported_kg, p.ratchet, c.planned_growth)
    target = target + not_spring * s.target_kg
    procured = taken + confiscated
    # harvest and reported are already 0 outside autumn (autumn * harvest is harvest, bit for bit).
    not_autumn = 1.0 - autumn

    # Positional, in field order: keyword construction of these long named tuples costs more
    # than a tenth of a single village's step.
    new_state = State(
        s.t + 1,  # t
        s.key,  # key
        pop - deaths + births,  # population
        survivors_reserve,  # reserve
        intake / need,  # food_adequacy
        store,  # store_kg
        hidden,  # hidden_kg
        infra,  # infra
        tools,  # tools
        animals,  # animals
        crop_labor,  # crop_labor
        sown_share,  # sown_share
        works_pending,  # works_pending
        harvest + not_autumn * s.harvest_kg,  # harvest_kg
        reported + not_autumn * s.reported_kg,  # reported_kg
        target,  # target_kg
        autumn * procured + not_autumn * s.procurement_kg,  # procurement_kg
        standing,  # standing
        s.born_in_2,  # born_next
        s.born_in_3,  # born_in_2
        conceived,  # born_in_3
    )
    outcome = Outcome(
        season,  # season
        harvest,  # harvest_kg
        reported,  # reported_kg
        private_output,  # private_output_kg
        steel,  # steel_kg
        reported_steel,  # reported_steel_kg
        seed,  # seed_kg
        concealed,  # concealed_kg
        due,  # procurement_due_kg
        procured,  # procurement_kg
        confiscated,  # confiscated_kg
        relief,  # relief_kg
        consumption,  # consumption_kg
        waste,  # waste_kg
        spoilage,  # spoilage_kg
        s.store_kg,  # store_start_kg
        s.hidden_kg,  # hidden_start_kg
        intake,  # kcal_per_person_day
        need,  # kcal_need_per_person_day
        deaths,  # deaths
        excess,  # excess_deaths
        births,  # births
        pop,  # population_start
        audited,  # audited
        searched,  # searched
        works_failed,  # works_failed
        purge_probability,  # purge_probability
        purged,  # purged
        standing - s.standing,  # standing_change
        soviet,  # soviet_withdrawn
    )
    return new_state, outcome


def next_target(ops: Ops, target: Any, reported: Any, ratchet: Any, planned_growth: Any) -> Any:
    """M9: next year's target, set each spring from this year's target and report.

    It ratchets up from the report and never down: a report above the target raises it by
    ``ratchet`` times the excess, a report below leaves it; then the year's planned growth.
    """
    return (1.0 + planned_growth) * (target + ratchet * ops.maximum(reported - target, 0.0))


def _labor_supply(p: CoreParams, s: State, d: Decision, ops: Ops, private_plots: Any) -> tuple[Any, Any, Any]:
    """M5 (women freed by collective child care and canteens) and the famine trap.

    Available labor-days = population x ``working_age_share`` x (``participation`` +
    ``mobilization_extra`` x ``Decision.mobilization``) x working days. Hunger lowers work
    capacity: it scales with the square root of last season's food adequacy
    (``State.food_adequacy``) and falls once body reserves (``State.reserve``) drop below
    :data:`~gl_env.core.constants.WORK_CAPACITY_RESERVE`.

    Returns available labor-days, days actually worked (they cost energy; labor sent to
    abolished private plots idles) and work capacity.
    """
    workers = s.population * p.working_age_share * (p.participation + p.mobilization_extra * d.mobilization)
    days = workers * (k.DAYS_PER_SEASON * k.WORKDAY_SHARE)
    capacity = ops.sqrt(ops.clip(s.food_adequacy, k.WORK_CAPACITY_MIN, 1.0)) * ops.clip(
        s.reserve / k.WORK_CAPACITY_RESERVE, k.WORK_CAPACITY_MIN, 1.0
    )
    idle = d.labor_rest + d.labor_private * (1.0 - private_plots)
    return days, days * (1.0 - idle), capacity


def _land(p: CoreParams, private_plots: Any) -> tuple[Any, Any]:
    """M1: where private plots are abolished (``Climate.private_plots`` = 0) their land joins the fields."""
    land = p.population * p.land_per_person_ha
    private = land * p.private_plot_land_share * private_plots
    return land - private, private


def _crop_growth(
    s: State,
    d: Decision,
    ops: Ops,
    c: Climate,
    days: Any,
    capacity: Any,
    collective_ha: Any,
    sown_share: Any,
    spring: Any,
    summer: Any,
    autumn: Any,
) -> Any:
    """Field work of the growing seasons, accumulated in ``State.crop_labor``.

    Each season's adequacy is effective field labor-days (times ``Climate.collective_effort``,
    M1's incentive effect) over :data:`~gl_env.core.constants.FIELD_WORKDAYS_PER_HA` per sown ha,
    capped at 3; the crop keeps the season-weighted sum, restarting each spring.
    """
    sown_ha = ops.maximum(collective_ha * sown_share, _TINY)
    adequacy = days * d.labor_fields * capacity * c.collective_effort / (sown_ha * k.FIELD_WORKDAYS_PER_HA)
    weight = spring * k.CROP_SEASON_WEIGHTS[0] + summer * k.CROP_SEASON_WEIGHTS[1] + autumn * k.CROP_SEASON_WEIGHTS[2]
    return (1.0 - spring) * s.crop_labor + weight * ops.minimum(adequacy, 3.0)


def _private_plots(p: CoreParams, d: Decision, ops: Ops, days: Any, capacity: Any, private_ha: Any, winter: Any) -> Any:
    """M1: private plots yield ``PRIVATE_YIELD_MULTIPLE`` times the fields per ha, eaten at once.

    Output (grain-equivalent kg) = private ha x base yield x multiple x season weight x
    sqrt(labor adequacy). Zero where ``Climate.private_plots`` = 0 (no private land).
    """
    adequacy = days * d.labor_private * capacity / ops.maximum(private_ha * k.PRIVATE_WORKDAYS_PER_HA, _TINY)
    per_season = (1.0 - winter) * k.PRIVATE_SEASON_WEIGHTS[0]
    return (
        private_ha
        * p.base_yield_kg_per_ha
        * k.PRIVATE_YIELD_MULTIPLE
        * per_season
        * ops.sqrt(ops.minimum(adequacy, 3.0))
    )


def _harvest(
    p: CoreParams, s: State, ops: Ops, collective_ha: Any, sown_share: Any, crop_labor: Any, weather: Any
) -> Any:
    """The autumn harvest: sown land x base yield x sqrt(field labor) x works x tools x animals x weather.

    Carried by ``State.infra`` (M2), ``State.tools`` (M3: melted tools lower yields),
    ``State.animals`` (M6) and ``State.sown_share`` (seed eaten is a crop lost).
    """
    tools = 1.0 - k.TOOLS_YIELD_SHARE + k.TOOLS_YIELD_SHARE * s.tools
    animals = 1.0 - k.ANIMALS_YIELD_SHARE + k.ANIMALS_YIELD_SHARE * s.animals
    return (
        collective_ha
        * sown_share
        * p.base_yield_kg_per_ha
        * ops.sqrt(crop_labor)
        * s.infra
        * tools
        * animals
        * ops.maximum(weather, 0.0)
    )


def _works(
    p: CoreParams, s: State, d: Decision, ops: Ops, days: Any, capacity: Any, spring: Any, winter: Any, u: Any
) -> tuple[Any, Any, Any]:
    """M2: works build infrastructure that raises yields from next spring, unless hasty.

    Gains per labor-day/ha are largest in winter and shrink as ``State.infra`` nears
    :data:`~gl_env.core.constants.INFRA_MAX`; they wait in ``State.works_pending`` until
    spring. Works fail with probability (intensity / ``works_haste_days_per_ha``)^2, and a
    failure damages the land (salinised or flooded fields) at once. Infrastructure decays.
    """
    intensity = days * d.labor_works * capacity / (p.population * p.land_per_person_ha)
    efficiency = k.WORKS_SEASON_EFFICIENCY[0] + winter * (k.WORKS_SEASON_EFFICIENCY[3] - k.WORKS_SEASON_EFFICIENCY[0])
    room = ops.maximum(k.INFRA_MAX - s.infra, 0.0) / (k.INFRA_MAX - 1.0)
    gain = k.WORKS_GAIN_PER_DAY_HA * intensity * efficiency * room
    haste = ops.minimum(intensity / p.works_haste_days_per_ha, 1.0)
    failed = (u < haste * haste) * 1.0
    infra = s.infra + spring * s.works_pending - k.INFRA_DECAY_PER_SEASON - failed * k.WORKS_FAILURE_DAMAGE * gain
    pending = (1.0 - spring) * s.works_pending + (1.0 - failed) * gain
    return ops.clip(infra, 0.3, k.INFRA_MAX), pending, failed


def _procurement_due(
    p: CoreParams, c: Climate, pop: Any, reported: Any, target: Any, audited: Any, audit_estimate: Any, soviet: Any
) -> Any:
    """M10 (allotment on reported yields), M7 (Soviet withdrawal raises the take).

    Due = ``quota_fixed_share`` x ``fixed_quota_kg_per_person`` x population + (1 -
    ``quota_fixed_share``) x ``Climate.procurement_rate`` x basis, times (1 +
    ``soviet_procurement_surcharge``) once the aid is withdrawn. The basis is the report,
    moved toward the year's target (``State.target_kg``, set from past reports) by
    ``procurement_target_weight`` and toward the audited estimate by
    ``procurement_uses_audit`` when audited. The state takes it from the store (inflexible
    within the year) down to ``retention_floor``.
    """
    basis = reported + p.procurement_target_weight * (target - reported)
    basis = basis + audited * p.procurement_uses_audit * (audit_estimate - basis)
    fixed = p.fixed_quota_kg_per_person * pop
    due = p.quota_fixed_share * fixed + (1.0 - p.quota_fixed_share) * c.procurement_rate * basis
    return due * (1.0 + soviet * p.soviet_procurement_surcharge)


def _relief(p: CoreParams, ops: Ops, c: Climate, pop: Any, reported: Any, taken: Any) -> Any:
    """Relief grain (state resales), judged on the *reported* grain left per person.

    Relief = ``Climate.relief_rate`` x max(0, ``relief_threshold_kg_per_person`` x population -
    max(reported - taken, 0)). The state counts what it actually took, not what it demanded
    (a demand far above the store would otherwise "relieve" grain that never left), and the
    reported grain left cannot fall below zero; so relief never exceeds ``relief_rate`` x the
    threshold ration for the village's people. An inflated report hides the village's need.
    """
    left = ops.maximum(reported - taken, 0.0)
    return c.relief_rate * ops.maximum(p.relief_threshold_kg_per_person * pop - left, 0.0)


def _anti_hiding_search(p: CoreParams, c: Climate, hidden: Any, shortfall: Any, u: Any) -> tuple[Any, Any]:
    """Anti-hiding searches (1959-60): likelier when the quota was not delivered.

    Chance = ``Climate.search_rate`` + ``search_shortfall_sensitivity`` x share of the quota
    missing; a search confiscates :data:`~gl_env.core.constants.SEARCH_EFFICACY` of
    ``State.hidden_kg``.
    """
    searched = (u < c.search_rate + p.search_shortfall_sensitivity * shortfall) * 1.0
    return searched * k.SEARCH_EFFICACY * hidden, searched


def _canteen(
    p: CoreParams, d: Decision, ops: Ops, c: Climate, pop: Any, store: Any, hidden: Any
) -> tuple[Any, Any, Any, Any]:
    """M4: communal dining eats from the collective store, then from hidden grain.

    People eat ``Decision.ration_kg`` per day; under free-supply dining
    (``Climate.free_supply``) they eat at least ``free_supply_ration_kg`` and the canteen
    wastes ``canteen_waste`` per kg eaten. Returns grain eaten, wasted, and the stores left.
    """
    ration = d.ration_kg + c.free_supply * ops.maximum(p.free_supply_ration_kg - d.ration_kg, 0.0)
    waste_share = c.free_supply * p.canteen_waste
    served = 1.0 + waste_share
    wanted = ration * pop * k.DAYS_PER_SEASON * served
    from_store = ops.minimum(wanted, store)
    from_hidden = ops.minimum(wanted - from_store, hidden)
    drawn = from_store + from_hidden
    eaten = drawn / served
    return eaten, drawn - eaten, store - from_store, hidden - from_hidden


def _nutrition(s: State, ops: Ops, pop: Any, food_kg: Any, worked_days: Any, capacity: Any) -> tuple[Any, Any, Any]:
    """Energy balance against body reserves (``State.reserve``), per person per day.

    Intake = food x :data:`~gl_env.core.constants.KCAL_PER_KG_GRAIN` + other food + famine
    foods (gathered in proportion to the gap, up to a cap). Need = base need (lowered by
    metabolic adaptation as reserves fall) + the energy of the work done (hungry people work
    at lower intensity: ``capacity``). A deficit draws on reserves; a surplus rebuilds them at
    the refeeding efficiency.
    """
    person_days = ops.maximum(pop, _TINY) * k.DAYS_PER_SEASON
    need = k.KCAL_NEED_BASE_PER_DAY * (1.0 - k.METABOLIC_ADAPTATION * (1.0 - s.reserve))
    need = need + k.KCAL_PER_WORKDAY * worked_days * capacity / person_days
    intake = food_kg * k.KCAL_PER_KG_GRAIN / person_days + k.KCAL_OTHER_FOOD_PER_DAY
    intake = intake + ops.clip(need - intake, 0.0, k.KCAL_FAMINE_FOODS_MAX_PER_DAY)
    balance = (intake - need) * k.DAYS_PER_SEASON / k.LETHAL_RESERVE_KCAL
    # A surplus rebuilds reserves at the refeeding efficiency (a deficit draws them 1:1; x * 1.0 is x).
    balance = ops.where(balance > 0.0, balance * k.REFEEDING_EFFICIENCY, balance)
    return intake, need, ops.clip(s.reserve + balance, 0.0, 1.0)


def _demography(s: State, d: Decision, ops: Ops, pop: Any, reserve: Any) -> tuple[Any, Any, Any, Any]:
    """Deaths and births from body reserves, not from the famine's record.

    Deaths: the 1957 baseline rate, raised by hunger (disease) and by collective child care
    (M5, ``Decision.mobilization``), plus starvation: the share of people whose own reserve is
    exhausted under a triangular spread around the mean (see
    :data:`~gl_env.core.constants.RESERVE_SPREAD`). Those who starve are the weakest, so the
    survivors' mean reserve is the spread's mean above zero (frailty selection). Births:
    conceptions at the 1957 rate times fertility (falls with reserves), born three seasons
    later (``State.born_*``). Returns deaths, births, conceptions and the survivors' reserve.
    """
    w = k.RESERVE_SPREAD
    # How far below zero the weakest person's reserve falls (0 while everyone has some left).
    below = ops.minimum(reserve - w, 0.0)
    starvation = below * below / (2.0 * w * w)
    # Mean of the triangular spread truncated at zero: (r - below^3 / 6w^2) / (1 - starved share).
    survivors_reserve = ops.clip((reserve - below * below * below / (6.0 * w * w)) / (1.0 - starvation), 0.0, 1.0)
    baseline = k.BASELINE_DEATHS_PER_1000_YEAR / 1000.0 / k.SEASONS_PER_YEAR
    disease = (
        baseline
        * (1.0 + k.HUNGER_DISEASE_FACTOR * (1.0 - reserve))
        * (1.0 + k.CHILDCARE_MORTALITY_RISK * d.mobilization)
    )
    deaths = pop * ops.minimum(disease + starvation, 1.0)
    fertility = ops.clip(
        (reserve - k.FERTILITY_RESERVE_ZERO) / (k.FERTILITY_RESERVE_FULL - k.FERTILITY_RESERVE_ZERO), 0.0, 1.0
    )
    conceived = (pop - deaths) * (k.BASELINE_BIRTHS_PER_1000_YEAR / 1000.0 / k.SEASONS_PER_YEAR) * fertility
    return deaths, s.born_next, conceived, survivors_reserve


def _tools(p: CoreParams, s: State, ops: Ops, steel: Any, soviet: Any) -> Any:
    """M3: furnaces melt farm tools (``State.tools``); renewal slows after the Soviet withdrawal (M7)."""
    melted = steel * k.TOOL_SCRAP_SHARE / (p.population * k.TOOL_IRON_KG_PER_PERSON)
    renewal = k.TOOL_RENEWAL_PER_SEASON * (1.0 - s.tools) * (1.0 - soviet * p.soviet_input_loss)
    return ops.clip(s.tools - melted + renewal, 0.0, 1.0)


def _animals(p: CoreParams, s: State, ops: Ops, reserve: Any) -> Any:
    """M6: collective draft animals (``State.animals``) are neglected (``animal_neglect``) and eaten in famine."""
    growth = k.ANIMAL_GROWTH_PER_SEASON * (1.0 - s.animals) - p.animal_neglect
    famine = k.ANIMAL_FAMINE_LOSS * ops.maximum(k.ANIMAL_FAMINE_RESERVE - reserve, 0.0)
    return ops.clip(s.animals * (1.0 + growth - famine), 0.0, 1.0)


def _standing_change(
    p: CoreParams,
    s: State,
    d: Decision,
    ops: Ops,
    c: Climate,
    pop: Any,
    autumn: Any,
    reported: Any,
    true_steel: Any,
    reported_steel: Any,
    inspected: Any,
    audited: Any,
    audit_estimate: Any,
    shortfall: Any,
    confiscated: Any,
    excess_deaths: Any,
) -> Any:
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
    quota = c.steel_quota_kg_per_person * pop
    per_kg = c.steel_credit / ops.maximum(quota, _TINY)
    steel = per_kg * ops.minimum(reported_steel, 2.0 * quota)
    works = c.works_credit * d.labor_works
    people = ops.maximum(pop, _TINY)
    deaths = c.death_accountability * excess_deaths / people * 100.0
    concealment = p.concealment_penalty * confiscated / people / 100.0
    drift = STANDING_REVERSION * (p.initial_standing - s.standing)
    # An audit that finds the steel over-reported beyond tolerance revokes the credit the false
    # part earned and fines it: a lie is punished by what it was worth (nothing where steel earns
    # nothing), which the iron, counted exactly, makes plain.
    false_credit = steel - per_kg * ops.minimum(true_steel, 2.0 * quota)
    # (No steel made: no false credit, so the inspection finds nothing to fine.)
    caught = inspected * (d.steel_report_ratio - 1.0 > p.audit_tolerance)
    steel_audit = caught * (1.0 + p.over_report_penalty) * false_credit

    growth = ops.clip(reported / ops.maximum(s.target_kg, _TINY) - 1.0, -1.0, 1.0)
    decline = ops.clip(1.0 - reported / ops.maximum(s.reported_kg, _TINY), 0.0, 1.0)
    error = reported / ops.maximum(audit_estimate, _TINY) - 1.0
    verified = audited * (ops.maximum(error, -error) <= p.audit_tolerance)
    over = audited * ops.maximum(error - p.audit_tolerance, 0.0)
    under = audited * ops.maximum(-error - p.audit_tolerance, 0.0)
    review = (
        c.growth_credit * growth
        - c.decline_penalty * decline * (1.0 - p.honesty_protection * verified)
        - p.over_report_penalty * over
        - p.under_report_penalty * under
        - p.quota_shortfall_penalty * shortfall
    )
    return steel + works - deaths - concealment - steel_audit + drift + autumn * review
