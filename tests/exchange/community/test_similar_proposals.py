"""Similar proposals: the written-out restatements of tests/data/similar_pairs.toml.

Measured (word unigrams+bigrams and 3-5 character sequences; in brackets, words alone):

* ``paraphrase`` (other sentences, mostly the same terms): the paraphrase ranks
  first for 46 of 46 originals, 100% (46); required: at least 90%;
* ``reworded`` (new wording, only the established names kept): 27 of 46, 59% (23);
* ``lay`` (the names replaced by lay words too): 19 of 46, 41% (9).

The last two are beyond what word-based similarity can do; their tests pin
floors a little under the measured counts, so that a change that loses ground
fails. Texts from outside patient safety score at most 0.21 against any
proposal, under the default threshold of 0.3; every paraphrase scores 0.47 or more.
"""

from __future__ import annotations

import re
import statistics
import sys
import tomllib
from pathlib import Path

import pytest

import safety_collab as sc
from safety_collab.errors import MissingDependencyError, ParameterError
from safety_collab.exchange import (
    Proposal,
    SimilarityIndex,
    proposal_text,
    similar_proposals,
)
from safety_collab.exchange.similar import THRESHOLD

DATA = tomllib.loads((Path(__file__).parents[2] / "data" / "similar_pairs.toml").read_text("utf-8"))
PAIRS: list[dict[str, str]] = DATA["pair"]
UNRELATED: list[str] = DATA["unrelated"][0]["texts"]


def _rank_rate(field: str) -> tuple[int, list[tuple[str, str]]]:
    """For each original, index every other text; count the originals whose restatement is first."""
    texts = {f"{p['id']}/original": p["original"] for p in PAIRS}
    texts |= {f"{p['id']}/{field}": p[field] for p in PAIRS}
    texts |= {f"unrelated-{i}": t for i, t in enumerate(UNRELATED)}
    hits, misses = 0, []
    for p in PAIRS:
        own = f"{p['id']}/original"
        others = {k: v for k, v in texts.items() if k != own}
        found = SimilarityIndex(others).query(p["original"], top=1, threshold=0.0)
        best = found[0].proposal if found else "(nothing)"
        if best == f"{p['id']}/{field}":
            hits += 1
        else:
            misses.append((p["id"], best))
    return hits, misses


def _reuse(field: str) -> float:
    """Median share of a restatement's content words that are also the original's."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    def words(text: str) -> list[str]:
        return [w for w in re.findall(r"[a-z0-9&]+", text.lower()) if w not in ENGLISH_STOP_WORDS]

    shares = []
    for p in PAIRS:
        original = set(words(p["original"]))
        said = words(p[field])
        shares.append(sum(w in original for w in said) / len(said))
    return statistics.median(shares)


def test_the_data_set_is_big_enough_and_distinct() -> None:
    assert len(PAIRS) >= 40
    ids = [p["id"] for p in PAIRS]
    assert len(set(ids)) == len(ids)
    for p in PAIRS:
        texts = [p["original"], p["paraphrase"], p["reworded"], p["lay"]]
        assert len(set(texts)) == 4, p["id"]
    # each restatement reuses fewer of the original's words than the last (medians)
    assert _reuse("paraphrase") > 0.6
    assert 0.3 > _reuse("reworded") > _reuse("lay")


def test_the_paraphrase_ranks_first_in_at_least_90_percent() -> None:
    hits, misses = _rank_rate("paraphrase")
    rate = hits / len(PAIRS)
    assert rate >= 0.90, (rate, misses)
    assert hits == len(PAIRS), misses  # measured: 46 of 46


@pytest.mark.parametrize(("field", "floor"), [("reworded", 25), ("lay", 17)])
def test_the_harder_restatements(field: str, floor: int) -> None:
    hits, misses = _rank_rate(field)
    # measured 27 (reworded) and 19 (lay) of 46: floors, so that a change that loses ground fails
    assert hits >= floor, (hits, misses)
    assert hits < len(PAIRS)  # not a set word similarity solves: it stays a hard test


def test_unrelated_texts_score_low() -> None:
    texts = {p["id"]: p["original"] for p in PAIRS} | {
        f"{p['id']}/p": p["paraphrase"] for p in PAIRS
    }
    index = SimilarityIndex(texts)
    for text in UNRELATED:
        found = index.query(text, top=100, threshold=0.0)
        assert max((s.score for s in found), default=0.0) < 0.25, (text, found[:2])
        assert index.query(text) == ()  # nothing above the default threshold
    # and the paraphrases clear the threshold by a margin
    for p in PAIRS:
        best = index.query(p["original"], top=2)
        assert [s.proposal for s in best][:2] == [p["id"], f"{p['id']}/p"]
        assert best[1].score >= THRESHOLD + 0.1


def test_scores_are_cosines_best_first() -> None:
    index = SimilarityIndex({"a": "sepsis screening", "b": "sepsis screening in A&E", "c": "x"})
    found = index.query("sepsis screening", threshold=0.0)
    assert found[0].proposal == "a"
    assert found[0].score == pytest.approx(1.0)
    assert all(0.0 <= s.score <= 1.0 for s in found)
    assert [s.score for s in found] == sorted((s.score for s in found), reverse=True)
    assert len(index.query("sepsis screening", top=1, threshold=0.0)) == 1


def test_empty_and_stop_word_indexes_find_nothing() -> None:
    assert SimilarityIndex({}).query("sepsis") == ()
    assert SimilarityIndex({"a": "", "b": "   "}).query("sepsis") == ()
    assert SimilarityIndex({"a": "the and of"}).query("sepsis") == ()
    assert similar_proposals("", {"a": "sepsis"}) == ()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"top": 0}, "top"),
        ({"top": 1.5}, "top"),
        ({"threshold": 1.5}, "threshold"),
        ({"threshold": float("nan")}, "threshold"),
    ],
)
def test_bad_arguments_name_themselves(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ParameterError, match=match):
        SimilarityIndex({"a": "sepsis"}).query("sepsis", **kwargs)  # type: ignore[arg-type]


def test_bad_texts() -> None:
    with pytest.raises(ParameterError, match="texts"):
        SimilarityIndex(["sepsis"])  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match=r"texts\['a'\]"):
        SimilarityIndex({"a": 3})  # type: ignore[dict-item]
    with pytest.raises(ParameterError, match="text"):
        SimilarityIndex({"a": "x"}).query(None)  # type: ignore[arg-type]


def test_proposal_text_joins_the_words_of_a_proposal() -> None:
    p = Proposal(
        "p1",
        "Sepsis app",
        "RRK",
        priorities=["digital-health"],
        theme="patient-safety",
        safety_area="deterioration",
        evidence=sc.EvidenceLevel.CASE_SERIES,
        investment=1,
        summary="Screens adults for sepsis.",
        expected_effect="Antibiotics sooner.",
    )
    assert proposal_text(p) == "Sepsis app\nScreens adults for sepsis.\nAntibiotics sooner."
    with pytest.raises(ParameterError):
        proposal_text("Sepsis app")  # type: ignore[arg-type]


def test_without_scikit_learn_the_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m == "sklearn" or m.startswith("sklearn.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(MissingDependencyError, match=r"\[exchange\]") as info:
        SimilarityIndex({"a": "sepsis"})
    assert info.value.package == "scikit-learn"
