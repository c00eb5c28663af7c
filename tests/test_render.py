"""The season report (render_mode="ansi") says where the food and the grain went."""

import gymnasium as gym

import gl_env  # noqa: F401
from gl_env.actions import continuous_action
from gl_env.render import season_report


def _spring_info():
    env = gym.make("gl_env/GreatLeap-v1", scenario="historical-1958", render_mode="ansi")
    env.reset(seed=0)
    _, _, _, _, info = env.step(continuous_action(ration_kg=0.6, labor_private=0.2))
    return dict(info)


def test_food_eaten_names_the_private_plots_when_they_fed_people():
    info = _spring_info()
    assert info["private_output_kg"] > 0
    assert "kg a day each (ration and private plots):" in season_report(info)
    assert "(ration and private plots)" not in season_report({**info, "private_output_kg": 0.0})


def test_grain_taken_by_searchers_is_named_in_any_season():
    info = _spring_info()
    assert "searchers" not in season_report(info)
    searched = {**info, "confiscated_kg": 4_000.0, "procurement_kg": 4_000.0}
    assert "Anti-hiding searchers found and took 4.0 t of hidden grain." in season_report(searched)
    harvest = {**searched, "season": 2, "harvest_kg": 300_000.0, "procurement_kg": 64_000.0}
    text = season_report(harvest)
    assert "took 64.0 t" in text and "Anti-hiding searchers found and took 4.0 t" in text


def test_a_purge_ends_the_report():
    assert "You have been purged from your post. The episode ends." in season_report({**_spring_info(), "purged": 1.0})
