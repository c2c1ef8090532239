"""Randomness as Scientific Python SPEC 7 asks: one ``rng`` argument, normalised once."""

from __future__ import annotations

from typing import TypeAlias

import numpy as np

from safety_collab.errors import ParameterError

__all__ = ["RngLike", "as_generator", "as_seed_sequence"]

RngLike: TypeAlias = int | np.random.SeedSequence | np.random.Generator | None
"""What an ``rng`` argument accepts: None (fresh entropy), an int, a SeedSequence or a Generator."""


def as_generator(rng: object) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``rng``; a Generator is used as is.

    Never touches numpy's or Python's global random state.

    Raises
    ------
    ParameterError
        For anything else (a float, a string, a legacy ``RandomState``, ...).

    Examples
    --------
    >>> a, b = as_generator(7), as_generator(7)
    >>> float(a.random()) == float(b.random())
    True
    >>> as_generator(1.5)
    Traceback (most recent call last):
    ...
    safety_collab.errors.ParameterError: rng: expected None, an int, ... got float 1.5
    """
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(as_seed_sequence(rng))


def as_seed_sequence(rng: object) -> np.random.SeedSequence:
    """Return a :class:`numpy.random.SeedSequence` for ``rng`` (to spawn child seeds).

    A Generator gives a child sequence spawned from its bit generator's seed
    sequence, so the Generator's own stream is left as it was.

    Examples
    --------
    >>> as_seed_sequence(7).entropy
    7
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, int | np.integer) and not isinstance(rng, bool):
        if rng < 0:
            msg = f"rng: a seed must be >= 0 (got {rng})"
            raise ParameterError(msg)
        return np.random.SeedSequence(int(rng))
    if isinstance(rng, np.random.Generator):
        seq = rng.bit_generator.seed_seq
        if isinstance(seq, np.random.SeedSequence):
            return seq.spawn(1)[0]
        return np.random.SeedSequence(int(rng.integers(2**63)))
    msg = (
        "rng: expected None, an int, a numpy SeedSequence or Generator; "
        f"got {type(rng).__name__} {rng!r}"
    )
    raise ParameterError(msg)
