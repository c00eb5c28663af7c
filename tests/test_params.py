"""Params validation: every bad value is named with its allowed range; timelines and randomisation."""

import pytest

from gl_env.core.params import PARAM_NAMES, Params, param_table
from gl_env.scenarios import SCENARIOS, get_scenario, make_params


def test_defaults_are_valid_and_documented():
    Params()
    table = param_table()
    assert [row[0] for row in table] == list(PARAM_NAMES)
    assert all(row[3] is not None and row[4] for row in table)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"population": -5.0}, "population=-5.0 is out of range; allowed [10.0, 1000000.0] (persons)"),
        ({"ratchet": "high"}, "ratchet='high' must be a number in [0.0, 1.0]"),
        ({"num_years": 2.5}, "num_years=2.5 must be an integer in [1, 30]"),
        ({"soviet_withdrawal_year": 1800}, "soviet_withdrawal_year=1800 is out of range"),
        ({"growth_credit": [0.1, 5.0, 0.1, 0.1, 0.1]}, "growth_credit[4]=5.0 is out of range; allowed [0.0, 2.0]"),
        ({"free_supply": "yes"}, "free_supply='yes' must be a number or a sequence"),
        ({"randomize": {"nonsense": (0, 1)}}, "randomize: 'nonsense' is not a numeric parameter"),
        ({"randomize": {"ratchet": (0.8, 0.2)}}, "randomize['ratchet']: low 0.8 is above high 0.2"),
        ({"randomize": {"ratchet": (0.0, 3.0)}}, "randomize['ratchet'] high=3.0 is out of range"),
    ],
)
def test_invalid_values_are_named(overrides, message):
    with pytest.raises(ValueError) as excinfo:
        Params(**overrides)
    assert message in str(excinfo.value)


def test_yearly_timelines_expand_to_seasons_and_scenarios_follow_the_horizon():
    p = Params(num_years=2, purge_rate=[0.1, 0.3])
    assert p.purge_rate == (0.1,) * 4 + (0.3,) * 4
    hist = make_params("historical-1958", num_years=7)
    assert len(hist.purge_rate) == 28 and hist.purge_rate[-1] == hist.purge_rate[19]
    early = make_params("historical-1958", start_year=1957, num_years=1)
    assert early.growth_credit == make_params("historical-1958").growth_credit[:4]


def test_unknown_override_lists_the_fields():
    with pytest.raises(TypeError, match=r"unknown parameter.* audit_prob.*allowed: start_year"):
        make_params("reform", audit_prob=0.3)
    with pytest.raises(TypeError, match="unknown parameter"):
        Params().replace(colour="red")


def test_scenarios_are_data():
    assert set(SCENARIOS) == {"historical-1958", "reform", "randomized"}
    assert get_scenario("reform").values["quota_fixed_share"] == 1.0
    assert dict((n, (lo, hi)) for n, lo, hi in make_params("randomized").randomize)["audit_probability"] == (0.0, 1.0)
