"""Which seeded villages each command may play: the training, held-out and evaluation ranges.

A village is its seed (weather, audits, purges and the drawn mechanism follow from it), so a
result is honest only if the villages it is measured on were never used to choose the policy.
Three disjoint ranges keep them apart, and every command obeys them:

- :data:`TRAINING` (0 to 899,999): what a policy learns or is searched on. ``train.py`` seeds
  its training villages here (``seed * num_envs`` upward); ``python -m gl_env.sweep`` runs its
  line search, cross-entropy iterations and the validation of its finalists here.
- :data:`HELD_OUT` (900,000 to 999,999): what a search or a training run measures itself on
  after choosing. ``train.py`` picks its best model on these; the sweep reports each cell's
  best response on these.
- :data:`EVALUATION` (1,000,000 upward): the benchmark protocol (``gl_env.benchmark``,
  ``evaluate.py``) and the calibration against the record (``python -m gl_env.calibration``),
  which no training run or search ever plays.

Episodes a training environment starts without a seed draw 64-bit hashed keys; ten million of
them meet one of the benchmark's 3,000 evaluation keys with a probability of about 2e-9.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SeedRange:
    """Seeds ``start`` to ``stop - 1``, reserved for one use (``name``)."""

    name: str
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    def block(self, offset: int, count: int, what: str) -> np.ndarray:
        """``count`` consecutive seeds from ``start + offset``; ``ValueError`` naming ``what`` if they leave it."""
        if offset < 0 or count < 1 or offset + count > len(self):
            raise ValueError(
                f"{what}: {count} seeds from offset {offset} leave the {self.name} range "
                f"{self.start:,} to {self.stop - 1:,} ({len(self):,} seeds)"
            )
        return np.arange(self.start + offset, self.start + offset + count, dtype=np.int64)

    def check(self, seeds: int | Iterable[int], what: str) -> None:
        """Raise ``ValueError`` naming ``what`` and the first seed outside the range."""
        values = [seeds] if isinstance(seeds, int | np.integer) else list(seeds)
        outside = [int(s) for s in values if not self.start <= int(s) < self.stop]
        if outside:
            raise ValueError(
                f"{what}: seed {outside[0]:,} is outside the {self.name} range {self.start:,} to {self.stop - 1:,} "
                "(see gl_env.seeds)"
            )


TRAINING = SeedRange("training", 0, 900_000)
HELD_OUT = SeedRange("held-out", 900_000, 1_000_000)
EVALUATION = SeedRange("evaluation", 1_000_000, 2**63)

__all__ = ["EVALUATION", "HELD_OUT", "TRAINING", "SeedRange"]
