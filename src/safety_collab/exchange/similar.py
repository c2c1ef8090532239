"""Similar proposals: TF-IDF cosine similarity over the proposals' words.

At submission, members are shown the existing proposals closest to theirs,
with the score, so that they can partner instead of duplicating. The method
is the standard one of information retrieval, through scikit-learn: each
text becomes a TF-IDF vector (sublinear term frequency, English stop words
removed, single words and pairs of words, accents folded), and a second
TF-IDF vector of the character sequences of 3 to 5 letters within words
(so that "ulcer" meets "ulcers" and "prevention" meets "preventing"). The
score of two texts is the mean of the cosines of their two pairs of
vectors: from 0 (nothing in common) to 1 (the same words in the same
proportions).

Measured on ``tests/data/similar_pairs.toml`` (46 proposal ideas written
for the test, each restated three times, ever further from its words): for
each original, among all the other texts, how often the method ranks its
restatement first:

* a paraphrase in other sentences, mostly the same terms: 46 of 46 (100%);
* a rewording that keeps only the established names (sepsis, NEWS2, SSKIN,
  CTG): 27 of 46 (59%; 23 with words alone);
* a lay rewording that replaces those names too (A&E, bedsores, blood
  thinners): 19 of 46 (41%; 9 with words alone).

The character sequences are what lift the last two. Word-based similarity
finds proposals that say the same things; it misses many that mean the same
thing in other words, so the list shown at submission is a prompt, not a
verdict.

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

__all__ = ["THRESHOLD", "Similar", "SimilarityIndex", "proposal_text", "similar_proposals"]

MAX_TOP = 1000
"""The most similar proposals one query returns."""

THRESHOLD = 0.3
"""The lowest score shown by default.

On the proposal texts of ``tests/data/similar_pairs.toml`` (46 ideas, each
with a paraphrase), every paraphrase scored 0.47 or more, no text on another
idea more than 0.26, and no text from outside patient safety more than 0.21.
"""


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


def _vectorizers() -> tuple[Any, Any]:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: PLC0415
    except ImportError:
        raise MissingDependencyError("exchange", "scikit-learn") from None
    common: dict[str, Any] = {
        "sublinear_tf": True,
        "strip_accents": "unicode",
        "lowercase": True,
        "norm": "l2",
        "dtype": np.float64,
    }
    words = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), **common)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), **common)
    return words, chars


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
        self._parts: list[tuple[Any, csr_matrix]] = []
        docs = list(found.values())
        for vectorizer in _vectorizers() if found else ():
            try:
                self._parts.append((vectorizer, vectorizer.fit_transform(docs)))
            except ValueError:  # every text empty (or only stop words): nothing to match on
                continue

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"SimilarityIndex({len(self._ids)} texts)"

    def query(
        self, text: str, *, top: int = 5, threshold: float = THRESHOLD
    ) -> tuple[Similar, ...]:
        """The indexed proposals most like ``text``: at most ``top``, scoring ``threshold`` or more.

        Best first; equal scores in the order of the proposal ids. Scores are
        rounded to 4 decimals.

        Examples
        --------
        >>> index = SimilarityIndex({"a": "pressure ulcer prevention", "b": "pressure ulcer audit",
        ...                          "c": "insulin safety on surgical wards"})
        >>> index.query("preventing pressure ulcers")
        (Similar(proposal='a', score=0.6367), Similar(proposal='b', score=0.4741))
        >>> index.query("preventing pressure ulcers", threshold=0.0)[-1]
        Similar(proposal='c', score=0.0036)
        """
        check_instance("text", text, str)
        top = check_int("top", top, lo=1, hi=MAX_TOP)
        threshold = check_number("threshold", threshold, lo=0.0, hi=1.0)
        if not self._parts:
            return ()
        scores = np.zeros(len(self._ids))
        for vectorizer, matrix in self._parts:
            scores += (matrix @ vectorizer.transform([text]).T).toarray().ravel()
        scores /= len(self._parts)
        found = [
            Similar(pid, round(min(max(float(s), 0.0), 1.0), 4))
            for pid, s in zip(self._ids, scores, strict=True)
            if s > 0.0 and s >= threshold
        ]
        found.sort(key=lambda s: (-s.score, s.proposal))
        return tuple(found[:top])


def similar_proposals(
    text: str, candidates: Mapping[str, str], *, top: int = 5, threshold: float = THRESHOLD
) -> tuple[Similar, ...]:
    """The ``candidates`` most similar to ``text`` (see :meth:`SimilarityIndex.query`).

    Examples
    --------
    >>> similar_proposals("NEWS2 escalation for deteriorating patients",
    ...                   {"news": "Escalating deteriorating patients with NEWS2 scores",
    ...                    "meds": "Reducing insulin errors on surgical wards"})
    (Similar(proposal='news', score=0.77...),)
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
