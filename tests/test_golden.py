"""The envs reproduce the golden trajectories of tests/golden.py bit for bit (NaN positions included)."""

import numpy as np
import pytest

from tests.golden import GOLDEN_DIR, run_single, run_vector, single_cases, vector_cases

_STORED: dict[str, np.lib.npyio.NpzFile] = {}


def stored(kind: str, case: str) -> dict[str, np.ndarray]:
    if kind not in _STORED:
        _STORED[kind] = np.load(GOLDEN_DIR / f"{kind}.npz")
    data = _STORED[kind]
    prefix = f"{case}/"
    return {k[len(prefix) :]: data[k] for k in data.files if k.startswith(prefix)}


def assert_identical(replayed: dict[str, np.ndarray], golden: dict[str, np.ndarray]) -> None:
    assert sorted(replayed) == sorted(golden)
    for key, value in golden.items():
        got = replayed[key]
        assert got.dtype == value.dtype and got.shape == value.shape, key
        equal_nan = value.dtype.kind == "f"
        assert np.array_equal(got, value, equal_nan=equal_nan), key
        if equal_nan:
            # NaN in the same places, and the same bits everywhere else (0.0 and -0.0 differ).
            assert np.array_equal(np.isnan(got), np.isnan(value)), key
            assert np.array_equal(np.signbit(got), np.signbit(value)), key


@pytest.mark.parametrize(("name", "kwargs", "action_type"), list(single_cases()), ids=[c[0] for c in single_cases()])
def test_single_env_reproduces_the_golden_trajectories(name, kwargs, action_type):
    assert_identical(run_single(kwargs, action_type), stored("single", name))


@pytest.mark.parametrize(("name", "kwargs", "action_type"), list(vector_cases()), ids=[c[0] for c in vector_cases()])
def test_vector_env_reproduces_the_golden_trajectories(name, kwargs, action_type):
    assert_identical(run_vector(kwargs, action_type), stored("vector", name))
