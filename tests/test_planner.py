"""The planner env: the Gymnasium and SB3 contracts for each responder, determinism, the institution
reaching the villages mid-episode, and bad input."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import gl_env  # noqa: F401  (registers the envs)
from gl_env.envs.planner import INSTITUTION, INSTITUTION_NAMES, PLANNER_REWARDS, PlannerEnv
from gl_env.envs.vector import GreatLeapVectorEnv
from gl_env.scenarios import make_params
from gl_env.seeds import TRAINING
from gl_env.sweep import parse_args, run


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("planner") / "sweep"
    argv = ["--grid", "audit_probability=0.05,1", "--grid", "growth_credit=0,1.5", "--out", str(out)]
    argv += ["--iterations", "1", "--population", "4", "--seeds", "2", "--eval-seeds", "4"]
    return run(parse_args(argv), log=lambda message: None)


@pytest.fixture(params=["scripted", "learned", "best_response"])
def responder(request, sweep_folder, tiny_run):
    return {"scripted": ("scripted", "max_inflate"), "learned": ("learned", tiny_run)}.get(
        request.param, ("best_response", sweep_folder)
    )


def _episode(env, seed, actions):
    obs, _ = env.reset(seed=seed)
    trace = [obs]
    for action in actions:
        obs, reward, terminated, truncated, _ = env.step(action)
        trace.append(np.concatenate([obs, [reward]]))
        if terminated or truncated:
            break
    return np.concatenate(trace)


def test_gymnasium_and_sb3_checks_pass_for_each_responder(responder):
    from stable_baselines3.common.env_checker import check_env as sb3_check_env

    kind, cadre = responder
    env = gym.make("gl_env/Planner-v1", responder=kind, cadre=cadre, num_villages=4)
    check_env(env.unwrapped, skip_render_check=True)
    sb3_check_env(PlannerEnv(responder=kind, cadre=cadre, num_villages=4), warn=True)


def test_same_seed_same_episode_and_another_seed_other_villages(responder):
    kind, cadre = responder
    env = PlannerEnv(responder=kind, cadre=cadre, num_villages=4)
    actions = np.random.default_rng(0).uniform(-1, 1, (5, len(INSTITUTION)))
    first = _episode(env, 3, actions)
    assert np.array_equal(first, _episode(env, 3, actions))
    assert np.array_equal(first, _episode(PlannerEnv(responder=kind, cadre=cadre, num_villages=4), 3, actions))
    assert not np.array_equal(first, _episode(env, 4, actions))


def test_a_year_spans_four_seasons_and_the_episode_the_scenarios_horizon():
    yearly, seasonal = PlannerEnv(), PlannerEnv(seasons_per_step=1)
    horizon = make_params("historical-1958").horizon
    zero = np.zeros(len(INSTITUTION))
    assert len(_episode(yearly, 0, [zero] * 100)) == (1 + horizon // 4) * 15 + horizon // 4
    assert len(_episode(seasonal, 0, [zero] * 100)) == (1 + horizon) * 15 + horizon


def test_the_institution_reaches_the_villages_from_the_coming_year():
    env = PlannerEnv(responder="scripted", cadre="honest", num_villages=8)
    env.reset(seed=0)
    taking = np.zeros(len(INSTITUTION))
    _, _, _, _, info = env.step(taking)
    assert info["reward_components"]["urban_grain"]["value"] > 0.1
    assert info["institution"]["procurement_rate"] == pytest.approx(0.3)
    nothing = taking.copy()
    nothing[INSTITUTION_NAMES.index("procurement_rate")] = -1.0  # procure no share of the report
    nothing[INSTITUTION_NAMES.index("quota_fixed_share")] = -1.0  # and no fixed quota
    # and no resales: on dynamics v1 they are judged on the reported grain left, not on what was
    # procured, so at relief_rate 0.5 a village short of the threshold ration gets grain back
    # even from a state that took none, and urban grain net of relief dips below 0.
    nothing[INSTITUTION_NAMES.index("relief_rate")] = -1.0
    obs, _, _, _, info = env.step(nothing)
    assert info["reward_components"]["urban_grain"]["value"] == 0.0
    assert obs[2] == 0.0  # procurement observed
    # Each year's choice holds from its first season on; the seasons played keep theirs.
    horizon = env.params.horizon
    assert env._villages.params[0].procurement_rate == (0.3,) * 4 + (0.0,) * (horizon - 4)


def test_urban_grain_is_procurement_net_of_the_relief_sent_back():
    env = PlannerEnv(responder="scripted", cadre="honest", num_villages=8)
    taking = np.ones(len(INSTITUTION))  # procure 60% of the report
    taking[INSTITUTION_NAMES.index("quota_fixed_share")] = -1.0  # (not the fixed quota)
    for relief in (-1.0, 1.0):  # no relief, then all of the shortfall returned
        taking[INSTITUTION_NAMES.index("relief_rate")] = relief
        env.reset(seed=0)
        obs, _, _, _, info = env.step(taking)
        grain = info["reward_components"]["urban_grain"]["value"]
        if relief < 0:
            assert grain == pytest.approx(float(obs[2]), rel=1e-6)  # all that was procured
        else:
            assert 0.0 < grain < float(obs[2]) - 0.1  # procured (observed), less what came back


def test_reward_presets_weigh_the_named_terms():
    env = PlannerEnv(reward="procurement")
    env.reset(seed=1)
    _, reward, _, _, info = env.step(np.zeros(len(INSTITUTION)))
    components = info["reward_components"]
    assert set(components) == set(PLANNER_REWARDS["procurement"])
    assert reward == pytest.approx(sum(c["weighted"] for c in components.values()))
    assert components["deaths"]["weighted"] == 0.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"responder": "oracle"}, "unknown responder 'oracle'; allowed: scripted, learned, best_response"),
        ({"cadre": "saint"}, "saint"),
        ({"num_villages": 0}, "num_villages=0 must be an integer in [1, 100000]"),
        ({"seasons_per_step": 2}, "seasons_per_step=2 must be 1 (a season) or 4 (a year)"),
        ({"reward": "glory"}, "unknown planner reward preset 'glory'"),
        ({"reward": {"glory": 1.0}}, "unknown planner reward term(s) glory"),
        ({"scenario": "randomized"}, "randomises its params"),
        ({"responder": "best_response", "cadre": "/nonexistent"}, "is not a readable sweep folder"),
    ],
)
def test_bad_arguments_raise_naming_the_value(kwargs, message):
    with pytest.raises((ValueError, KeyError, FileNotFoundError)) as error:
        PlannerEnv(**kwargs)
    assert message in str(error.value)


def test_unseeded_episodes_play_training_villages_and_bad_seeds_are_refused():
    env = PlannerEnv(num_villages=16)
    played = []
    reset = env._villages.reset

    def recording_reset(*, seed=None, options=None):
        played.extend(seed)
        return reset(seed=seed, options=options)

    env._villages.reset = recording_reset
    for _ in range(20):
        env.reset()
    assert len(played) == 20 * 16 and max(played) < TRAINING.stop
    for seed in (-1, 2**63 // 16, 1.5, True):
        with pytest.raises(ValueError, match=r"must be an integer in \[0, "):
            env.reset(seed=seed)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (np.zeros(3), "action must have shape (8,); got (3,)"),
        (np.array([0, 0, 1.5, 0, 0, 0, 0, 0]), "action[2] (audit_probability) = 1.5 must be a number in [-1, 1]"),
        (np.array([np.nan, 0, 0, 0, 0, 0, 0, 0]), "action[0] (procurement_rate) = nan"),
    ],
)
def test_bad_actions_raise_naming_the_component(action, message):
    env = PlannerEnv()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.zeros(len(INSTITUTION)))
    env.reset(seed=0)
    with pytest.raises(ValueError) as error:
        env.step(action)
    assert message in str(error.value)


def test_set_params_keeps_the_horizon_and_refuses_randomised_params():
    env = GreatLeapVectorEnv(num_envs=2)
    with pytest.raises(ValueError, match="keep the horizon"):
        env.set_params(make_params("historical-1958", num_years=2))
    with pytest.raises(ValueError, match="randomised"):
        env.set_params(make_params("randomized"))
    with pytest.raises(ValueError, match="expected one per sub-environment"):
        env.set_params([make_params("historical-1958")] * 3)


def test_the_best_response_responder_holds_the_institution_to_the_sweeps_domain(sweep_folder):
    """Off the grid the computed rule is not a best response: the axes are clipped to the grid's
    range and the other parameters held at the sweep's own values (its --set over_report_penalty=2)."""
    env = PlannerEnv(responder="best_response", cadre=sweep_folder, num_villages=2)
    env.reset(seed=1)
    low = -np.ones(len(INSTITUTION_NAMES))  # every parameter at the bottom of its range
    obs, _, _, _, info = env.step(low)
    held = info["institution"]
    assert held["audit_probability"] == 0.05 and held["growth_credit"] == 0.0  # the grid's lowest values
    sweep_params = make_params("historical-1958", over_report_penalty=2.0)
    assert held["over_report_penalty"] == 2.0
    assert held["procurement_rate"] == sweep_params.procurement_rate[0]  # the coming season's
    assert env._villages.params[0].audit_probability == 0.05
    # The observation shows the institution in force, not the action asked for.
    institution = obs[-len(INSTITUTION_NAMES) :]
    assert institution[INSTITUTION_NAMES.index("audit_probability")] == np.float32(2 * 0.05 - 1)
    high = np.ones(len(INSTITUTION_NAMES))
    held = env.step(high)[4]["institution"]
    assert held["audit_probability"] == 1.0 and held["growth_credit"] == 1.5  # the grid's highest
    assert held["procurement_rate"] == sweep_params.procurement_rate[4]  # a year on


def test_a_best_response_recomputed_for_a_grid_cell_plays_as_the_sweeps_own(sweep_folder):
    """resolved_play's one-cell sweep (the evaluate.py --planner check) is the sweep's cell when the
    institution is a grid point and the weights are that cell's: the same domain, the same numbers."""
    import json
    from types import SimpleNamespace

    from gl_env.planner_report import resolved_play
    from gl_env.planner_runs import FixedInstitution, play

    cells = json.loads((sweep_folder / "policies.json").read_text())["cells"]
    cell = next(c for c in cells if c["cell"] == {"audit_probability": 1.0, "growth_credit": 0.0})
    weights = np.array([list(cell["weights"]["report_ratio"].values())])
    params = make_params("historical-1958", over_report_penalty=2.0, audit_probability=1.0, growth_credit=0.0)
    kwargs = {"responder": "best_response", "cadre": str(sweep_folder), "num_villages": 2}
    ours = resolved_play(SimpleNamespace(env_kwargs=kwargs), params, weights, [5, 6])
    theirs = play(FixedInstitution(params), kwargs, [5, 6])
    assert ours.returns.tolist() == theirs.returns.tolist()
    assert ours.institutions.tolist() == theirs.institutions.tolist()


def test_a_sweep_of_another_scenario_is_refused_as_a_responder(sweep_folder):
    expected = r"computed its best responses on scenario 'historical-1958'; this planner plays 'reform'"
    with pytest.raises(ValueError, match=expected):
        PlannerEnv(responder="best_response", cadre=sweep_folder, scenario="reform")
