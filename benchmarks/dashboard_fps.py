"""Frames per second of the ``rgb_array`` dashboard (target: at least 10), single and vector env.

Run: ``python benchmarks/dashboard_fps.py`` (a few seconds). Each frame is one ``render()`` after
a step of a 5-year episode; the vector env draws one frame per village.
"""

from __future__ import annotations

import sys
import time

import gymnasium as gym
import numpy as np

import gl_env  # noqa: F401  (registers the ids)


def frames_per_second(vector: bool, seasons: int = 20) -> float:
    env = (
        gym.make_vec("gl_env/GreatLeap-v1", num_envs=2, render_mode="rgb_array", purge_rate=0.0)
        if vector
        else gym.make("gl_env/GreatLeap-v1", render_mode="rgb_array", purge_rate=0.0)
    )
    env.reset(seed=0)
    env.render()  # the first frame builds the figure
    action = np.zeros(env.action_space.shape, np.float32)
    frames, elapsed = 0, 0.0
    for _ in range(seasons):
        env.step(action)
        start = time.perf_counter()
        drawn = env.render()
        elapsed += time.perf_counter() - start
        frames += len(drawn) if vector else 1
    env.close()
    return frames / elapsed


def main() -> int:
    single, vector = frames_per_second(False), frames_per_second(True)
    print(f"single env: {single:.1f} frames/s; vector env (2 villages): {vector:.1f} frames/s; target >= 10")
    return 0 if min(single, vector) >= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
