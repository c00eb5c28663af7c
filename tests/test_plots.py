"""The trajectory and comparison figures have their panels and data; the rgb_array dashboard renders."""

import importlib.util
import math

import gymnasium as gym
import numpy as np
import pytest
from matplotlib.image import imread

import gl_env
from gl_env.agents.scripted import make_policy
from gl_env.benchmark import GL_BENCH_V1
from gl_env.figure_style import SUBSISTENCE_KG_PER_PERSON_DAY
from gl_env.metrics import METRICS, Estimate, summarize
from gl_env.plots import (
    COMPARISON_METRICS,
    SUBSISTENCE_LABEL,
    TRAJECTORY_PANELS,
    comparison_figure,
    save_figure,
    trajectory_figure,
)
from gl_env.rollout import run_episodes

SEEDS = GL_BENCH_V1.seeds(24)


@pytest.fixture(scope="module")
def played():
    return {
        name: run_episodes(make_policy(name), SEEDS, scenario="historical-1958") for name in ("honest", "max_inflate")
    }


def _not_blank(path):
    image = imread(path)
    return image.shape[0] > 300 and image.shape[1] > 600 and float(image[..., :3].std()) > 0.05


def test_trajectory_figure_has_every_panel_with_data(played, tmp_path):
    figure = trajectory_figure(played, "historical-1958")
    axes = figure.axes
    assert [ax.get_title() for ax in axes] == list(TRAJECTORY_PANELS)
    for ax, unit in zip(axes, TRAJECTORY_PANELS.values(), strict=True):
        assert ax.get_ylabel() == unit and ax.get_xlabel() == "year"
        drawn = [line for line in ax.get_lines() if len(line.get_xdata()) > 1]
        assert len(drawn) >= 2, ax.get_title()  # one line per policy at least
    # True and reported harvests of both policies; the inflater's report is three times his harvest.
    harvest_lines = [line for line in axes[0].get_lines() if len(line.get_xdata())]
    assert len(harvest_lines) == 4
    true_inflater, reported_inflater = harvest_lines[2], harvest_lines[3]
    assert reported_inflater.get_linestyle() == "--"
    np.testing.assert_allclose(reported_inflater.get_ydata()[0], 3 * true_inflater.get_ydata()[0], rtol=1e-9)
    subsistence = [line for line in axes[2].get_lines() if line.get_label() == SUBSISTENCE_LABEL]
    assert subsistence and subsistence[0].get_ydata()[0] == pytest.approx(SUBSISTENCE_KG_PER_PERSON_DAY)
    assert {t.get_text() for t in figure.legends[0].get_texts()} == {"honest", "max_inflate"}
    path = save_figure(figure, tmp_path / "trajectories.png")
    assert _not_blank(path)


def test_comparison_figure_shows_each_metric_with_intervals(played, tmp_path):
    results = {"historical-1958": {name: summarize(e) for name, e in played.items()}}
    figure = comparison_figure(results)
    visible = [ax for ax in figure.axes if ax.get_visible()]
    # No score without its anchors: that panel is left out, not drawn empty.
    assert [ax.get_title() for ax in visible] == [METRICS[m].label for m in COMPARISON_METRICS]
    for ax in visible:
        assert len(ax.patches) == 2  # a bar per policy
    deaths = visible[0]
    assert deaths.patches[1].get_height() > 5 * deaths.patches[0].get_height()  # the inflater's famine
    path = save_figure(figure, tmp_path / "comparison.png")
    assert _not_blank(path)

    results["historical-1958"]["honest"]["score/balanced"] = Estimate(100.0, 90.0, 110.0, 24)
    results["historical-1958"]["max_inflate"]["score/balanced"] = Estimate(math.nan, math.nan, math.nan, 0)
    with_score = [ax for ax in comparison_figure(results).axes if ax.get_visible()]
    assert with_score[0].get_title() == METRICS["score/balanced"].label


def test_rgb_array_dashboard_draws_the_episode_so_far():
    env = gym.make("gl_env/GreatLeap-v1", render_mode="rgb_array", num_years=2)
    env.reset(seed=3)
    first = env.render()
    assert first.shape == (576, 1024, 3) and first.dtype == np.uint8 and first.std() > 5
    for _ in range(6):
        env.step(gl_env.continuous_action(report_ratio=2.0))
    later = env.render()
    # The harvest panel (top left, below the title that names the season) has drawn the seasons.
    assert later.shape == first.shape and (later[40:288, :512] != first[40:288, :512]).any()
    # ansi still works, and the history is kept only for rgb_array.
    text_env = gym.make("gl_env/GreatLeap-v1", render_mode="ansi")
    text_env.reset(seed=3)
    text_env.step(gl_env.continuous_action())
    assert text_env.render().startswith("== Spring (sowing) 1958 ==")
    assert text_env.unwrapped._history == []


@pytest.mark.skipif(importlib.util.find_spec("moviepy") is None, reason="RecordVideo needs moviepy")
def test_record_video_records_an_episode(tmp_path):
    env = gym.make("gl_env/GreatLeap-v1", render_mode="rgb_array", num_years=1)
    env = gym.wrappers.RecordVideo(
        env, str(tmp_path / "videos"), episode_trigger=lambda episode: True, disable_logger=True
    )
    env.reset(seed=0)
    done = False
    while not done:
        *_, terminated, truncated, _ = env.step(gl_env.continuous_action(report_ratio=1.5))
        done = terminated or truncated
    env.close()
    videos = list((tmp_path / "videos").glob("*.mp4"))
    assert len(videos) == 1 and videos[0].stat().st_size > 1000
