"""Compare the scripted cadres on each scenario: deaths, purges and returns over many seeds.

``python -m agents.compare --seeds 200`` prints the incentive-trap table of the README.
"""

from __future__ import annotations

import argparse

import numpy as np

from agents.scripted import SCRIPTED_POLICIES, make_policy, ratio_policy
from gl_env.rollout import run_episodes
from gl_env.scenarios import SCENARIOS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=200, help="villages (seeds 0..N-1) per policy and scenario")
    args = parser.parse_args()
    policies = {name: make_policy(name) for name in SCRIPTED_POLICIES}
    policies["inflate x1.5"] = ratio_policy(1.5)
    policies["inflate x2"] = ratio_policy(2.0)
    print(
        f"{'scenario':16s} {'policy':14s} {'deaths/1000/yr':>14s} {'excess/1000':>11s} "
        f"{'purged':>7s} {'careerist return':>16s}"
    )
    for scenario in SCENARIOS:
        for name, policy in policies.items():
            episodes = run_episodes(policy, np.arange(args.seeds), scenario=scenario)
            person_years = episodes.total("population") / 4
            deaths = episodes.total("deaths") / person_years * 1000
            excess = episodes.total("excess_deaths") / episodes.start["population"] * 1000
            print(
                f"{scenario:16s} {name:14s} {deaths.mean():14.1f} {excess.mean():11.1f} "
                f"{episodes.purged.mean():7.0%} {episodes.returns.mean():16.2f}"
            )


if __name__ == "__main__":
    main()
