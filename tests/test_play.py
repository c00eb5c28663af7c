"""The playable cadre, driven through standard input as a person would play it."""

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from gl_env.agents.scripted import SCRIPTED_POLICIES
from gl_env.play import Console, Game, Quit, main

ROOT = Path(__file__).resolve().parents[1]
SEASONS_PER_YEAR = 4


def _play(answers, *args):
    """Run the game in a subprocess with ``answers`` as its standard input, one per line."""
    return subprocess.run(
        [sys.executable, "-m", "gl_env.play", "--seed", "3", *args],
        cwd=ROOT,
        input="".join(f"{a}\n" for a in answers),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _season_answers(season, plan="farming", ration="0.5", hide="0", report="1"):
    """Answers to one season's questions for a plan without steel: labor plan, ration, hidden share,
    and (autumn) the report."""
    answers = [plan, ration, hide]
    return [*answers, report] if season % SEASONS_PER_YEAR == 2 else answers


def _assert_final_comparison(stdout, played_by_you=True):
    assert "Your results beside the scripted cadres on the same village (seed 3)" in stdout
    table = stdout.split("Your results beside the scripted cadres")[1]
    for name in SCRIPTED_POLICIES:
        assert f"\n{name} " in table, name
    if played_by_you:
        assert "\nyou " in table
    for column in ("deaths per", "excess", "purged", "autumn reports", "careerist", "benevolent"):
        assert column in table


def test_a_full_game_with_scripted_answers():
    answers = []
    for season in range(8):
        answers += _season_answers(season, plan="recovery" if season >= 4 else "farming", report="1.5")
    result = _play(answers, "--years", "2")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "=== Spring 1958 (season 1 of 8) ===" in out and "=== Winter 1959 (season 8 of 8) ===" in out
    # A season report follows every move, and the game reached its end.
    assert out.count("== Autumn (harvest and procurement)") == 2
    assert "x1.50)" in out and "The harvest is in:" in out
    assert "=== Your term is over ===" in out
    _assert_final_comparison(out)
    you = next(line for line in out.splitlines() if line.startswith("you "))
    assert "1.50  1.50" in you
    assert result.stderr == ""


def test_bad_answers_reprompt_with_the_allowed_values():
    answers = [
        "dance",  # unknown labor plan
        "help",  # explains the plans
        "farming",
        "lots",  # not a number
        "2",  # ration out of range
        "nan",  # not a finite number
        "0.5",
        "-0.1",  # hidden share out of range
        "",  # Enter keeps the default
        *_season_answers(1),
        "",  # labor: keep farming
        "",  # ration: the suggestion
        "",  # hide: 0
        "9",  # report out of range
        "x1.2",  # report with a leading x is accepted
        *_season_answers(3),
    ]
    result = _play(answers, "--years", "1")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "'dance' is not one of: farming, works, leap, steel, recovery, custom" in out
    assert "Labor plans: shares of labor" in out and "Allowed: farming, works, leap, steel, recovery, custom." in out
    assert "'lots' is not a number. Please enter a number from 0 to 1.2 kg" in out
    assert "2 is out of range. Please enter a number from 0 to 1.2 kg" in out
    assert "nan is out of range" in out
    assert "-0.1 is out of range. Please enter a number from 0 to 0.5" in out
    assert "9 is out of range. Please enter a number from 0.333 to 3 x" in out
    assert "you reported" in out and "(x1.20)" in out
    assert "=== Your term is over ===" in out
    _assert_final_comparison(out)


@pytest.mark.parametrize("ending", ["eof", "quit"])
def test_leaving_early_ends_cleanly_with_the_results_so_far(ending):
    answers = _season_answers(0) + _season_answers(1) + (["quit"] if ending == "quit" else [])
    result = _play(answers)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "=== You left the game ===" in result.stdout
    assert "(You played 2 of 20 seasons; the scripted cadres played to the end or to their purge.)" in result.stdout
    _assert_final_comparison(result.stdout)


def test_leaving_before_the_first_move():
    result = _play([])
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "No season was played." in result.stdout


def test_bad_command_line_arguments_are_named():
    result = subprocess.run(
        [sys.executable, "-m", "gl_env.play", "--years", "9"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2 and "--years=9 is out of range; allowed 1 to 5" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "gl_env.play", "--scenario", "utopia"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 2 and "invalid choice: 'utopia'" in result.stderr


class _Scripted(Console):
    """A console reading from a list and keeping what was written."""

    def __init__(self, answers):
        self.answers, self.written = list(answers), []
        super().__init__(read=self._read, write=self.written.append)

    def _read(self, prompt):
        self.written.append(prompt)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)


def test_console_defaults_prefixes_and_quit():
    console = _Scripted(["", "rec", "s", "st", "0.25", "quit"])
    assert console.choice("plan", "farming", ["farming", "steel", "recovery", "same"], "") == "farming"
    assert console.choice("plan", "farming", ["farming", "steel", "recovery", "same"], "") == "recovery"
    assert console.choice("plan", "farming", ["farming", "steel", "recovery", "same"], "") == "steel"
    assert "'s' could be steel or same." in "\n".join(console.written)
    assert console.number("ration", 0.5, 0.0, 1.2, "kg", "") == 0.25
    with pytest.raises(Quit):
        console.number("ration", 0.5, 0.0, 1.2, "kg", "")
    with pytest.raises(Quit):  # the input has ended
        console.number("ration", 0.5, 0.0, 1.2, "kg", "")


def test_the_report_preview_foresees_the_harvest_without_touching_the_village():
    game = Game("historical-1958", seed=3, num_years=1, console=_Scripted([]))
    for _ in range(2):  # spring and summer with the default orders
        game.obs, *_ = game.env.step(game.action(1.0, 0.5))
    before = game.env.state
    preview = game.report_options(0.55)
    assert game.env.state is before
    _, foreseen = game._foresee(1.3, 0.55, audited=False)
    _, _, _, _, info = game.env.step(game.action(1.3, 0.55))
    assert info["harvest_kg"] == pytest.approx(foreseen.harvest_kg)
    assert f"{info['harvest_kg'] / 1000:,.1f} t" in preview
    assert np.isclose(info["reported_kg"], 1.3 * info["harvest_kg"])


@pytest.mark.parametrize("ratio", [1.0, 3.0])
def test_the_report_preview_shows_the_target_the_village_gets_next_spring(ratio):
    game = Game("historical-1958", seed=3, num_years=2, console=_Scripted([]))
    for _ in range(2):
        game.obs, *_ = game.env.step(game.action(1.0, 0.5))
    row = next(line for line in game.report_options(0.55).splitlines() if line.strip().startswith(f"x{ratio:g} "))
    previewed_t = float(re.search(r"kg/p\.\s+([\d,]+) t", row).group(1).replace(",", ""))  # "next target", t
    for _ in range(3):  # autumn (the report), winter, spring (the target is set)
        game.obs, *_ = game.env.step(game.action(ratio, 0.55))
    assert game.env.state.target_kg / 1000 == pytest.approx(previewed_t, abs=0.5)


def test_main_in_process_plays_to_the_end():
    answers = []
    for season in range(4):
        answers += _season_answers(season)
    console = _Scripted(answers)
    assert main(["--seed", "3", "--years", "1"], console=console) == 0
    text = "\n".join(console.written)
    assert "=== Your term is over ===" in text
    _assert_final_comparison(text)


def test_a_starving_ration_is_forecast_and_can_be_changed():
    console = _Scripted(["farming", "0", "0.6", "0"])
    game = Game("historical-1958", seed=3, num_years=1, console=console)
    action = game.move()
    text = "\n".join(console.written)
    assert "At 0 kg a day:" in text and "People will starve. Keep 0 kg (Enter), or another ration" in text
    assert "At 0.6 kg a day:" in text
    assert text.count("People will starve") == 1  # 0.6 kg feeds the village: no second warning
    _, outcome = game._foresee(1.0, 0.6, audited=False)
    game.env.step(action)
    assert game.env.state.reserve > 0.9 and outcome.excess_deaths < 1


def test_custom_labor_shares_are_kept_with_same():
    console = _Scripted(["custom", "0.5", "0.5", "0", "0", "0", "0", "0.6", "0", "", "0.6", "0"])
    game = Game("historical-1958", seed=3, num_years=1, console=console)
    game.env.step(game.move())
    shares = dict(game.moves.labor)
    asked = sum("share of labor on" in line for line in console.written)
    game.env.step(game.move())  # Enter at the labor question: "same"
    assert "[same]" in "\n".join(console.written)
    assert game.moves.plan == "custom" and game.moves.labor == shares
    assert sum("share of labor on" in line for line in console.written) == asked == 5


def test_a_seed_beyond_64_bits_is_refused_before_the_game():
    # The scripted cadres' batched replay seeds villages with 64-bit signed integers: refuse such a
    # seed at once rather than after the whole game.
    console = _Scripted([])
    with pytest.raises(SystemExit) as exit_info:
        main(["--seed", str(2**63), "--years", "1"], console=console)
    assert exit_info.value.code == 2
    assert console.written == []
    played = _Scripted([""] * 100)  # Enter at every question: one year with the suggested answers
    assert main(["--seed", str(2**63 - 1), "--years", "1"], console=played) == 0
    assert any("beside the scripted cadres" in line for line in played.written)
