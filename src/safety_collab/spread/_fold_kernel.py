"""The compiled fold of a chunk's runs into a summary's tallies (numba; loaded on first use)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

__all__ = ["fold_runs"]


@njit(cache=True, nogil=True)
def fold_runs(
    run_ptr: Any, rows: Any, steps: Any, lapses: Any, has_lapses: bool, member: Any,
    width: int, needs: Any, hist: Any, tt: Any,
) -> None:  # pragma: no cover - compiled  # fmt: skip
    """Add each run's adopters-per-step (of ``member`` rows) to ``hist`` and ``tt``.

    ``hist[t, c]`` counts runs with ``c`` adopters at step ``t`` (``t < width``);
    ``tt[j, t]`` runs that first had ``>= needs[j]`` at step ``t``, and
    ``tt[j, -1]`` those that never did.
    """
    delta = np.zeros(width + 1, np.int64)
    n_sh = needs.shape[0]
    found = np.zeros(n_sh, np.bool_)
    never = tt.shape[1] - 1
    for r in range(run_ptr.shape[0] - 1):
        for i in range(run_ptr[r], run_ptr[r + 1]):
            if member[rows[i]]:
                delta[steps[i]] += 1
                if has_lapses and lapses[i] >= 0:
                    delta[lapses[i]] -= 1
        c = 0
        for t in range(width):
            c += delta[t]
            delta[t] = 0
            hist[t, c] += 1
            for j in range(n_sh):
                if not found[j] and c >= needs[j]:
                    found[j] = True
                    tt[j, t] += 1
        delta[width] = 0
        for j in range(n_sh):
            if not found[j]:
                tt[j, never] += 1
            found[j] = False
