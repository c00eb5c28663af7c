"""No flow runs backwards and none is unbounded, at the corners of the documented mechanism ranges.

The state never creates grain (procurement >= 0, even when a noisy audit sets the basis), and
relief is bounded by what the state can physically mean by it: the threshold ration of the
village's people, however high the demand or the planned growth.
"""

import numpy as np
import pytest

from gl_env.agents.scripted import make_policy
from gl_env.core.params import SCALAR_NAMES, TIMELINE_NAMES, Params, param_spec
from gl_env.rollout import run_episodes
from gl_env.scenarios import SCENARIOS, make_params

MECHANISM = [n for n in SCALAR_NAMES if param_spec(n).group == "mechanism"] + list(TIMELINE_NAMES)
FLOWS = (
    "harvest_kg", "reported_kg", "procurement_kg", "procurement_due_kg", "confiscated_kg", "relief_kg",
    "concealed_kg", "private_output_kg", "consumption_kg", "seed_kg", "waste_kg", "spoilage_kg",
    "store_kg", "hidden_kg", "deaths", "births", "population",
)  # fmt: skip


def corner_mechanisms(rng: np.random.Generator) -> dict[str, float]:
    """Every mechanism and climate field at its documented low or high bound."""
    return {n: float(param_spec(n).high if rng.random() < 0.5 else param_spec(n).low) for n in MECHANISM}


def test_the_audit_error_range_keeps_the_estimate_positive():
    with pytest.raises(ValueError, match=r"audit_error.*0\.4"):
        Params(audit_error=0.5)


def test_an_audit_at_the_largest_error_never_makes_procurement_negative():
    # The counterexample that once made the state create grain, at the largest documented error.
    episodes = run_episodes(
        make_policy("honest"),
        np.arange(2000),
        scenario="historical-1958",
        audit_error=param_spec("audit_error").high,
        audit_probability=1.0,
        procurement_uses_audit=1.0,
    )
    audited = episodes.alive & (episodes.info["audited"] > 0)
    assert audited.sum() > 1000
    assert (episodes.info["procurement_kg"][episodes.alive] >= 0.0).all()
    assert (episodes.info["procurement_due_kg"][episodes.alive] >= 0.0).all()


def relief_bound(episodes, scenario: str, **overrides) -> np.ndarray:
    """(relief_rate / 2 + 1/4) x relief_threshold x the people at each season's start: the most relief
    can be (half the yearly resales at a time, and at most a season's threshold ration for deaths).

    ``randomized`` draws both per village, so there the widest documented values bound it.
    """
    if scenario == "randomized":
        rate, threshold = param_spec("relief_rate").high, param_spec("relief_threshold_kg_per_person").high
    else:
        params = make_params(scenario, **overrides)
        rate, threshold = np.max(params.relief_rate), params.relief_threshold_kg_per_person
    info = episodes.info
    people = info["population"] + info["deaths"] - info["births"] + info["emigrants"] - info["returnees"]
    return (0.5 * rate + 0.25) * threshold * people * (1 + 1e-12)


def test_relief_is_bounded_by_the_threshold_ration_under_runaway_targets():
    # Targets grow x3 a year for 30 years and the state procures on them: demand runs away.
    runaway = {
        "num_years": 30,
        "planned_growth": 2.0,
        "procurement_target_weight": 1.0,
        "relief_rate": 1.0,
        "purge_rate": 0.0,
    }
    episodes = run_episodes(make_policy("honest"), np.arange(32), scenario="historical-1958", **runaway)
    alive = episodes.alive
    assert episodes.info["procurement_due_kg"][alive].max() > 1e15  # the demand really runs away
    assert (episodes.info["relief_kg"][alive] <= relief_bound(episodes, "historical-1958", **runaway)[alive]).all()


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_negative_or_non_finite_flow_at_corner_mechanisms(scenario):
    rng = np.random.default_rng(7)
    for _ in range(6):
        mechanism = corner_mechanisms(rng)
        for policy in ("honest", "max_inflate", "random", "concealer"):
            episodes = run_episodes(make_policy(policy, seed=1), np.arange(16), scenario=scenario, **mechanism)
            alive = episodes.alive
            for name in FLOWS:
                values = episodes.info[name][alive]
                assert np.isfinite(values).all(), (mechanism, policy, name)
                assert (values >= 0.0).all(), (mechanism, policy, name, values.min())
            assert (episodes.info["relief_kg"][alive] <= relief_bound(episodes, scenario, **mechanism)[alive]).all()
