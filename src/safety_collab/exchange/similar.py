"""Similar proposals: TF-IDF cosine similarity over the proposals' words.

At submission, members are shown the existing proposals closest to theirs,
with the score, so that they can partner instead of duplicating. The method
is the standard one of information retrieval, through scikit-learn: each
text becomes a TF-IDF vector (sublinear term frequency, English stop words
removed, single words and pairs of words, accents folded), the vectors are
scaled to unit length, and the score of two texts is the cosine of their
vectors, from 0 (no word in common) to 1 (the same words in the same
proportions).

Needs the ``exchange`` extra (scikit-learn): ``pip install -e '.[exchange]'``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from safety_collab._validate import check_instance, check_int, check_number, short
from safety_collab.errors import MissingDependencyError, ParameterError
from safety_collab.exchange.proposals import Proposal

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

__all__ = ["Similar", "SimilarityIndex", "proposal_text", "similar_proposals"]

MAX_TOP = 1000
"""The most similar proposals one query returns."""


@attrs.frozen
class Similar:
    """A proposal found similar to a text, and the score: the cosine similarity, in [0, 1].

    Examples
    --------
    >>> Similar("sepsis-app", 0.61)
    Similar(proposal='sepsis-app', score=0.61)
    """

    proposal: str
    score: float


def _vectorizer() -> Any:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError("exchange", "scikit-learn") from None
    return TfidfVectorizer(
        sublinear_tf=True,
        stop_words="english",
        ngram_range=(1, 2),
        strip_accents="unicode",
        lowercase=True,
        norm="l2",
        dtype=np.float64,
    )


def _texts(texts: object) -> dict[str, str]:
    check_instance("texts", texts, Mapping)
    out: dict[str, str] = {}
    for key, value in texts.items():  # type: ignore[attr-defined]
        if not isinstance(key, str):
            msg = f"texts: keys are proposal ids (text), got {short(key)}"
            raise ParameterError(msg)
        if not isinstance(value, str):
            msg = f"texts[{key!r}]: expected text, got {type(value).__name__}"
            raise ParameterError(msg)
        out[key] = value
    return out


class SimilarityIndex:
    """The TF-IDF vectors of a set of proposal texts, ready to be queried.

    Parameters
    ----------
    texts
        Proposal id → its text (for proposals, :func:`proposal_text`).

    Raises
    ------
    MissingDependencyError
        If scikit-learn (the ``exchange`` extra) is not installed.

    Examples
    --------
    >>> index = SimilarityIndex({
    ...     "sepsis": "Sepsis screening tool for adults arriving in the emergency department",
    ...     "falls": "Falls prevention bundle for older inpatients at night",
    ... })
    >>> [s.proposal for s in index.query("screening emergency patients for sepsis")]
    ['sepsis']
    >>> index.query("bicycle repair workshop")
    ()
    """

    def __init__(self, texts: Mapping[str, str]) -> None:
        found = _texts(texts)
        self._ids: tuple[str, ...] = tuple(found)
        self._vectorizer = _vectorizer()
        self._matrix: csr_matrix | None = None
        if found:
            try:
                self._matrix = self._vectorizer.fit_transform(list(found.values()))
            except ValueError:  # every text empty or only stop words: nothing to match on
                self._matrix = None

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"SimilarityIndex({len(self._ids)} texts)"

    def query(self, text: str, *, top: int = 5, threshold: float = 0.2) -> tuple[Similar, ...]:
        """The indexed proposals most like ``text``: at most ``top``, each scoring ``threshold`` up.

        Best first; equal scores in the order of the proposal ids. Scores are
        rounded to 4 decimals.

        Examples
        --------
        >>> index = SimilarityIndex({"a": "pressure ulcer prevention", "b": "pressure ulcer audit"})
        >>> found = index.query("pressure ulcer prevention bundle")  # "bundle" is not indexed
        >>> [(s.proposal, round(s.score, 2)) for s in found]
        [('a', 1.0), ('b', 0.43)]
        """
        check_instance("text", text, str)
        top = check_int("top", top, lo=1, hi=MAX_TOP)
        threshold = check_number("threshold", threshold, lo=0.0, hi=1.0)
        if self._matrix is None:
            return ()
        vector = self._vectorizer.transform([text])
        scores = (self._matrix @ vector.T).toarray().ravel()
        found = [
            Similar(pid, round(min(max(float(s), 0.0), 1.0), 4))
            for pid, s in zip(self._ids, scores, strict=True)
            if s > 0.0 and s >= threshold
        ]
        found.sort(key=lambda s: (-s.score, s.proposal))
        return tuple(found[:top])


def similar_proposals(
    text: str, candidates: Mapping[str, str], *, top: int = 5, threshold: float = 0.2
) -> tuple[Similar, ...]:
    """The ``candidates`` most similar to ``text`` (see :meth:`SimilarityIndex.query`).

    Examples
    --------
    >>> similar_proposals("NEWS2 escalation for deteriorating patients",
    ...                   {"news": "Escalating deteriorating patients with NEWS2 scores",
    ...                    "meds": "Reducing insulin errors on surgical wards"})
    (Similar(proposal='news', score=0.6...),)
    """
    check_instance("text", text, str)
    return SimilarityIndex(candidates).query(text, top=top, threshold=threshold)


def proposal_text(proposal: Proposal) -> str:
    r"""The text of a proposal that similarity compares: title, summary and expected effect.

    Examples
    --------
    >>> import safety_collab as sc
    >>> p = Proposal("p1", "Sepsis app", "RRK", priorities=[], theme="patient-safety",
    ...              safety_area="deterioration", evidence=sc.EvidenceLevel.CASE_SERIES,
    ...              investment=0, summary="Screens for sepsis.")
    >>> proposal_text(p)
    'Sepsis app\nScreens for sepsis.'
    """
    check_instance("proposal", proposal, Proposal)
    parts = (proposal.title, proposal.summary, proposal.expected_effect)
    return "\n".join(p for p in parts if p.strip())
