"""The incentive trap in one table: scripted cadres, and cadres who inflate by a fixed ratio.

``python -m gl_env.agents.compare --seeds 200`` prints the README's "The incentive trap, measured":
deaths, excess deaths, purges and the careerist return of each cadre on each scenario.
(``evaluate.py`` is the full benchmark; this table adds fixed-ratio inflaters to show how the
outcome moves with the size of the lie.)
"""

from __future__ import annotations

import argparse

from gl_env import metrics
from gl_env.agents.scripted import SCRIPTED_POLICIES, make_policy, ratio_policy
from gl_env.rewards import REWARD_PRESETS
from gl_env.rollout import run_episodes
from gl_env.scenarios import SCENARIOS
from gl_env.seeds import EVALUATION


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--seeds", type=int, default=200, help="villages per policy and scenario (the first N evaluation seeds)"
    )
    args = parser.parse_args()
    policies = {name: make_policy(name) for name in SCRIPTED_POLICIES}
    policies["inflate x1.5"] = ratio_policy(1.5)
    policies["inflate x2"] = ratio_policy(2.0)
    print(
        f"{'scenario':16s} {'policy':16s} {'deaths/1000/yr':>14s} {'excess/1000':>11s} {'purged':>7s} {'careerist':>9s}"
    )
    for scenario in SCENARIOS:
        for name, policy in policies.items():
            episodes = run_episodes(policy, EVALUATION.block(0, args.seeds, "--seeds"), scenario=scenario)
            print(
                f"{scenario:16s} {name:16s} {metrics.deaths_per_1000_per_year(episodes).mean():14.1f} "
                f"{metrics.excess_deaths_per_1000(episodes).mean():11.1f} {episodes.purged.mean():7.0%} "
                f"{metrics.episode_return(episodes, REWARD_PRESETS['careerist']).mean():9.2f}"
            )


if __name__ == "__main__":
    main()
