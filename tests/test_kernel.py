"""The compiled kernel against its uncompiled reference, and its parallel loop against thread counts.

Reference: the same functions run as plain Python (numba's ``NUMBA_DISABLE_JIT=1``) reproduce
the golden trajectories, which the compiled kernel reproduces too (tests/test_golden.py): the
reference, the compiled kernel, the batch and the goldens agree bit for bit.
"""

import os
import subprocess
import sys
from pathlib import Path

import numba
import numpy as np
import pytest
from numba.core.registry import CPUDispatcher

from gl_env.core import kernel
from gl_env.core.random import seeds_to_keys
from gl_env.scenarios import make_params
from tests.helpers import villages

ROOT = Path(__file__).resolve().parents[1]


def test_the_kernel_is_compiled_unless_jit_is_disabled():
    compiled = isinstance(kernel.step, CPUDispatcher)
    assert compiled != bool(numba.config.DISABLE_JIT)


def test_the_uncompiled_reference_reproduces_the_goldens():
    # uint64 arithmetic on numpy scalars wraps as compiled code does, with an overflow warning.
    command = [
        sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
        "-W", "ignore:overflow encountered:RuntimeWarning",
        "tests/test_golden.py", "tests/test_kernel.py::test_the_kernel_is_compiled_unless_jit_is_disabled",
    ]  # fmt: skip
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "\n73 passed" in result.stdout


_COMPILE_THEN_PLAY = """
import gymnasium as gym
from numba.core.registry import CPUDispatcher

import gl_env
from gl_env.core import batch, county, dynamics, kernel, random, views

batch.compile_kernel()


def specializations():
    modules = (county, dynamics, kernel, random, views)
    return {n: len(f.signatures) for m in modules for n, f in vars(m).items() if isinstance(f, CPUDispatcher)}


before = specializations()
for env_id in ("gl_env/GreatLeap-v1", "gl_env/GreatLeapDiscrete-v1"):
    for env in (gym.make(env_id), gym.make_vec(env_id, num_envs=3), gym.make_vec(env_id, num_envs=3, parallel=True)):
        env.reset(seed=0)
        env.step(env.action_space.sample())
grown = {name: (before[name], count) for name, count in specializations().items() if count != before[name]}
assert not grown, f"compiled after compile_kernel (before, after): {grown}"
"""


@pytest.mark.skipif(numba.config.DISABLE_JIT, reason="nothing is compiled without the JIT")
def test_compile_kernel_compiles_every_specialization_the_envs_run():
    """What the test suite's workers (and a user paying the compile cost up front) rely on: after
    compile_kernel the envs compile nothing more (a batch of one types its record apart)."""
    result = subprocess.run([sys.executable, "-c", _COMPILE_THEN_PLAY], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.parametrize("scenario", ["historical-1958", "randomized"])
def test_the_parallel_loop_gives_the_same_bits_on_any_thread_count(scenario):
    params = [make_params(scenario, num_years=2)]
    n = 257  # odd, so that threads get unequal chunks
    rng = np.random.default_rng(0)
    plans = rng.choice([-1.0, -0.3, 0.0, 0.6, 1.0], size=(12, n, 10))
    runs = []
    for parallel, threads in ((False, 1), (True, 1), (True, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(threads)
        try:
            batch = villages(params, n, parallel=parallel)
            batch.reset(seeds_to_keys(np.arange(n)))
            outputs = []
            for actions in plans:
                assert batch.decide_continuous(actions) == -1
                # Villages whose episode ended start the next one (the restart path runs too).
                batch.step(batch.terminated | batch.truncated if outputs else None)
                outputs.append((batch.floats.copy(), batch.obs.copy(), batch.record.copy(), batch.key.copy()))
        finally:
            numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        runs.append(outputs)
    for other in runs[1:]:
        for a, b in zip(runs[0], other, strict=True):
            assert all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b, strict=True))


def test_the_vector_env_takes_the_parallel_loop_on_request_with_the_same_results():
    import gymnasium as gym

    envs = [gym.make_vec("gl_env/GreatLeap-v1", 5, parallel=p) for p in (False, True)]
    assert [env.unwrapped._villages.parallel for env in envs] == [False, True]
    returned = [env.reset(seed=3) for env in envs]
    actions = np.random.default_rng(1).uniform(-1, 1, (30, 5, 10)).astype(np.float32)
    for a in actions:
        returned = [env.step(a) for env in envs]
        assert np.array_equal(returned[0][0], returned[1][0]) and np.array_equal(returned[0][1], returned[1][1])


def test_a_village_stepped_past_its_horizon_keeps_its_last_seasons_climate():
    """The envs end an episode at its horizon, but the core's Villages may be stepped on: past
    the horizon the kernel plays the last season's climate again (as the observation shows it)
    and never reads beyond the timeline, so everything stays finite."""
    params = make_params("historical-1958", num_years=1, purge_rate=0.0)
    batch = villages([params], 2)
    batch.reset(seeds_to_keys(np.arange(2)))
    actions = np.zeros((2, 10))
    for _ in range(params.horizon + 400):
        batch.decide_continuous(actions)
        batch.step()
    assert (batch.t == params.horizon + 400).all()
    assert np.isfinite(batch.floats).all() and np.isfinite(batch.record).all() and np.isfinite(batch.obs).all()
