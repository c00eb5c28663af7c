"""Each mechanism M1-M10 of the model brief pushes in its documented direction."""

import dataclasses

import pytest

from gl_env.scenarios import make_params
from tests.helpers import decision, run, total

# A calm world: no purges, no searches, no noise, normal weather, so one lever moves at a time.
CALM_VALUES = dict(
    purge_rate=0.0,
    search_rate=0.0,
    weather_sd=0.0,
    weather_mean=1.0,
    free_supply=0.0,
    private_plots=1.0,
    audit_probability=0.0,
    steel_credit=0.0,
    works_credit=0.0,
    growth_credit=0.0,
    decline_penalty=0.0,
    death_accountability=0.0,
    procurement_target_weight=0.0,
)
CALM = make_params("historical-1958", **CALM_VALUES)


def harvests(traj):
    return [o.harvest_kg for _, o in traj if o.season == 2]


def test_m1_abolishing_private_plots_lowers_food():
    kept = run(CALM, lambda s: decision(), seasons=4)
    abolished = run(dataclasses.replace(CALM, private_plots=0.0), lambda s: decision(), seasons=4)
    assert total(abolished, "private_output_kg") == 0.0 < total(kept, "private_output_kg")
    assert total(abolished, "consumption_kg") < total(kept, "consumption_kg")
    assert abolished[1][1].kcal_per_person_day < kept[1][1].kcal_per_person_day


def test_m1_collective_effort_drives_the_harvest():
    low = run(dataclasses.replace(CALM, collective_effort=0.8), lambda s: decision(), seasons=3)
    high = run(dataclasses.replace(CALM, collective_effort=1.1), lambda s: decision(), seasons=3)
    assert harvests(low)[0] < harvests(high)[0]


def winter_works(share, haste=500.0):
    params = dataclasses.replace(CALM, works_haste_days_per_ha=haste)
    return run(params, lambda s: decision(labor_works=share if s.t % 4 == 3 else 0.05, labor_rest=0.1), seasons=7)


def test_m2_winter_works_raise_next_years_harvest_with_a_lag():
    none, some = winter_works(0.0), winter_works(0.3)
    assert some[3][0].works_pending > none[3][0].works_pending
    assert some[4][0].infra > none[4][0].infra  # in use from spring
    assert harvests(some)[1] > harvests(none)[1]


def test_m2_hasty_works_are_wasted_and_damage_the_land():
    hasty = winter_works(0.6, haste=5.0)
    assert hasty[3][1].works_wasted == 1.0
    assert hasty[4][0].infra < winter_works(0.0)[4][0].infra


def test_m3_steel_lowers_the_next_harvest_and_raises_standing():
    params = dataclasses.replace(CALM, steel_credit=0.3, steel_quota_kg_per_person=5.0)
    furnace = run(params, lambda s: decision(labor_steel=0.3, labor_fields=0.4) if s.t == 3 else decision(), seasons=7)
    farm = run(params, lambda s: decision(), seasons=7)
    assert furnace[3][1].steel_kg > 0 and furnace[3][0].tools < farm[3][0].tools
    assert furnace[3][0].standing > farm[3][0].standing
    assert harvests(furnace)[1] < harvests(farm)[1]


def test_m4_free_supply_dining_eats_and_wastes_the_store():
    rationed = run(CALM, lambda s: decision(ration_kg=0.5), seasons=4)
    free = run(dataclasses.replace(CALM, free_supply=1.0), lambda s: decision(ration_kg=0.5), seasons=4)
    assert total(free, "waste_kg") > 0.0 == total(rationed, "waste_kg")
    assert total(free, "consumption_kg") > total(rationed, "consumption_kg")
    assert free[3][0].store_kg < rationed[3][0].store_kg


def test_m5_mobilising_women_adds_labor_at_a_cost_in_child_deaths():
    idle = run(CALM, lambda s: decision(mobilization=0.0), seasons=3)
    mobilised = run(CALM, lambda s: decision(mobilization=1.0), seasons=3)
    assert harvests(mobilised)[0] > harvests(idle)[0]
    assert mobilised[0][1].deaths > idle[0][1].deaths
    assert mobilised[0][1].kcal_need_per_person_day > idle[0][1].kcal_need_per_person_day


def test_m6_neglected_collective_animals_decline_and_cost_harvest():
    cared = run(CALM, lambda s: decision(), seasons=7)
    neglected = run(dataclasses.replace(CALM, animal_neglect=0.05), lambda s: decision(), seasons=7)
    assert neglected[-1][0].animals < cared[-1][0].animals
    assert harvests(neglected)[1] < harvests(cared)[1]


def test_m7_soviet_withdrawal_raises_procurement():
    params = make_params("historical-1958", **CALM_VALUES, num_years=3)
    never = run(dataclasses.replace(params, soviet_withdrawal_year=None), lambda s: decision())
    withdrawn = run(dataclasses.replace(params, soviet_withdrawal_year=1959), lambda s: decision())
    assert [o.procurement_due_kg for _, o in never][2] == [o.procurement_due_kg for _, o in withdrawn][2]
    later = [
        (o.procurement_due_kg, w.procurement_due_kg)
        for (_, o), (_, w) in zip(never, withdrawn, strict=True)
        if o.season == 2
    ][1:]
    assert all(w > n for n, w in later)
    assert withdrawn[-1][1].soviet_withdrawn == 1.0


def review_standing(params, report_ratio):
    traj = run(params, lambda s: decision(report_ratio=report_ratio if s.t >= 4 else 1.0), seasons=7)
    return traj[6][0].standing - traj[5][0].standing


def test_m8_reporting_decline_costs_standing_unless_protected():
    params = dataclasses.replace(CALM, decline_penalty=2.0, weather_mean=[1.0, 0.8, 1.0, 1.0, 1.0])
    honest_decline = review_standing(params, 1.0)
    assert honest_decline < -0.1
    protected = dataclasses.replace(params, honesty_protection=1.0, audit_probability=1.0, audit_error=0.0)
    assert review_standing(protected, 1.0) == pytest.approx(0.0, abs=0.02)
    assert review_standing(params, 1.5) > honest_decline  # inflating hides the decline


def test_m9_targets_ratchet_up_and_never_down_with_a_low_report():
    flat = dataclasses.replace(CALM, planned_growth=0.0)
    low = run(flat, lambda s: decision(report_ratio=0.5), seasons=5)
    assert low[2][0].reported_kg < low[2][0].target_kg  # reported below this year's target
    assert low[4][0].target_kg == low[2][0].target_kg  # next year's target does not fall with it
    high = run(flat, lambda s: decision(report_ratio=2.0), seasons=5)
    excess = high[2][0].reported_kg - high[2][0].target_kg
    assert high[4][0].target_kg == high[2][0].target_kg + flat.ratchet * excess


def test_m9_a_higher_report_raises_next_years_target_and_procurement():
    params = dataclasses.replace(CALM, procurement_target_weight=0.3)
    modest = run(params, lambda s: decision(report_ratio=1.0), seasons=7)
    inflated = run(params, lambda s: decision(report_ratio=2.0 if s.t < 4 else 1.0), seasons=7)
    assert inflated[4][0].target_kg > modest[4][0].target_kg
    assert inflated[6][1].procurement_due_kg > modest[6][1].procurement_due_kg


def test_m10_procurement_follows_the_report_and_the_village_keeps_the_rest():
    honest = run(CALM, lambda s: decision(report_ratio=1.0), seasons=3)
    inflated = run(CALM, lambda s: decision(report_ratio=2.0), seasons=3)
    assert honest[2][1].harvest_kg == inflated[2][1].harvest_kg
    assert inflated[2][1].procurement_kg == pytest.approx(2.0 * honest[2][1].procurement_kg)
    assert inflated[2][0].store_kg < honest[2][0].store_kg
    fixed = dataclasses.replace(CALM, quota_fixed_share=1.0)
    a = run(fixed, lambda s: decision(report_ratio=1.0), seasons=3)[2][1].procurement_kg
    b = run(fixed, lambda s: decision(report_ratio=2.0), seasons=3)[2][1].procurement_kg
    assert a == b  # a fixed quota ignores the report


def test_famine_trap_hunger_lowers_work_and_the_next_harvest():
    fed = run(CALM, lambda s: decision(ration_kg=0.6), seasons=7)
    starved = run(CALM, lambda s: decision(ration_kg=0.6 if s.t < 3 else 0.25), seasons=7)
    assert starved[5][0].reserve < fed[5][0].reserve and starved[5][0].food_adequacy < fed[5][0].food_adequacy
    assert harvests(starved)[1] < harvests(fed)[1]


def test_relief_is_judged_on_the_report():
    params = dataclasses.replace(CALM, relief_rate=0.5, relief_threshold_kg_per_person=400.0)
    honest = run(params, lambda s: decision(report_ratio=1.0), seasons=3)[2][1].relief_kg
    inflated = run(params, lambda s: decision(report_ratio=2.0), seasons=3)[2][1].relief_kg
    assert honest > inflated >= 0.0


def test_audits_revoke_and_fine_false_steel_credit():
    def standing_after_spring_furnaces(steel_report_ratio, audit_probability, steel_credit=0.3):
        params = dataclasses.replace(
            CALM,
            audit_probability=audit_probability,
            over_report_penalty=2.0,
            steel_credit=steel_credit,
            steel_quota_kg_per_person=5.0,
        )
        traj = run(
            params,
            lambda s: decision(labor_steel=0.1, labor_fields=0.6, steel_report_ratio=steel_report_ratio),
            seasons=1,
        )
        assert traj[0][1].steel_kg > 0
        return traj[0][0].standing

    # Unaudited, a false steel report earns credit; audited, it costs more than it earned.
    assert standing_after_spring_furnaces(2.0, 0.0) > standing_after_spring_furnaces(1.0, 0.0)
    assert standing_after_spring_furnaces(2.0, 1.0) < standing_after_spring_furnaces(1.0, 1.0)
    # Where steel earns nothing, a false steel report is worth nothing and costs nothing.
    assert standing_after_spring_furnaces(3.0, 1.0, steel_credit=0.0) == standing_after_spring_furnaces(1.0, 1.0, 0.0)
