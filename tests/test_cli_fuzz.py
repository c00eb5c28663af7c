"""The command-line fuzz harness (benchmarks/cli_fuzz.py) on the quick commands: no silent accept, no traceback.

The whole harness (train.py and evaluate.py too, about two minutes) is run by hand:
``python benchmarks/cli_fuzz.py``.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
@pytest.mark.parametrize("command", ["play", "calibration", "sweep"])
def test_bad_input_and_interrupts_end_cleanly(command):
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "cli_fuzz.py"), "--only", command],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert f"{command:12s}" in result.stdout
