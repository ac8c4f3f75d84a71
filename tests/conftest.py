"""Shared fixtures: the seed articles, the benchmark generator, the spaCy model (loaded once)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

import pytest

from newswire.core.clean import Cleaner
from newswire.core.decode import raw_from_mapping, seed_fields
from newswire.core.records import CleanArticle, RawArticle

REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
GENERATOR_PATH = REPO_ROOT / "bench" / "generate.py"
MAX_BYTES = 2_000_000


class Seeds:
    """The seed folder. Seeds are named by their three-digit prefix ("000", "003", …)."""

    dir = SEEDS_DIR
    prefixes = tuple(sorted(p.name[:3] for p in SEEDS_DIR.iterdir() if p.suffix != ".md"))
    # The places seed 000 names and their GeoNames ids (looked up on geonames.org by hand).
    places_000: ClassVar[dict[str, int]] = {
        "Beijing": 1816670,
        "Moscow": 524901,
        "Kyiv": 703448,
        "Shanghai": 1796236,
        "Russia": 2017370,
        "China": 1814991,
        "Ukraine": 690791,
    }

    def path(self, prefix: str) -> Path:
        (path,) = [p for p in SEEDS_DIR.iterdir() if p.name.startswith(f"{prefix}_")]
        return path

    def id(self, prefix: str) -> str:
        return self.path(prefix).stem

    def raw(self, prefix: str) -> RawArticle:
        """A seed as a RawArticle: `.txt` through seed_fields, `.json` through
        raw_from_mapping (the two forms seeds/README.md describes)."""
        path = self.path(prefix)
        if path.suffix == ".json":
            raw = raw_from_mapping(json.loads(path.read_text("utf-8")), max_bytes=MAX_BYTES)
        else:
            raw = raw_from_mapping(
                seed_fields(path.stem, path.read_text("utf-8")), max_bytes=1 << 62
            )
        assert isinstance(raw, RawArticle), raw
        return raw

    def paragraphs(self, prefix: str) -> list[str]:
        """The body paragraphs of a .txt seed as written (blank-line separated), without the
        headline line."""
        text = self.path(prefix).read_text("utf-8")
        _, _, body = text.partition("\n")
        return [p.strip() for p in body.split("\n\n") if p.strip()]


@pytest.fixture(scope="session")
def seeds() -> Seeds:
    return Seeds()


@pytest.fixture(scope="session")
def cleaner() -> Cleaner:
    return Cleaner()


@pytest.fixture(scope="session")
def clean_seeds(seeds: Seeds, cleaner: Cleaner) -> dict[str, CleanArticle]:
    """Every seed, cleaned with the default rules, keyed by its three-digit prefix."""
    result = {}
    for prefix in seeds.prefixes:
        article = cleaner.clean(seeds.raw(prefix))
        assert isinstance(article, CleanArticle), (prefix, article)
        result[prefix] = article
    return result


@pytest.fixture(scope="session")
def gazetteer():
    from newswire.core.gazetteer_data import load_gazetteer

    return load_gazetteer()


@pytest.fixture(scope="session")
def nlp() -> Any:
    """The real English model, loaded once for the session."""
    from newswire.core.annotate import load_nlp

    return load_nlp("en_core_web_sm")


@pytest.fixture()
def blank_nlp() -> Any:
    import spacy

    return spacy.blank("en")


@pytest.fixture()
def entity_doc(blank_nlp: Any) -> Any:
    """Build a Doc with hand-set entities: `entity_doc(text, [(surface, label, occurrence)])`
    (the occurrence-th appearance of the surface text gets the label)."""

    def build(text: str, entities: list[tuple[str, str, int]]) -> Any:
        doc = blank_nlp(text)
        spans = []
        for surface, label, occurrence in entities:
            start = -1
            for _ in range(occurrence + 1):
                start = text.index(surface, start + 1)
            span = doc.char_span(start, start + len(surface), label=label)
            assert span is not None, surface
            spans.append(span)
        doc.ents = spans
        return doc

    return build


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    """bench/generate.py, imported from its file path."""
    spec = importlib.util.spec_from_file_location("newswire_bench_generate", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def generated_articles(generator: ModuleType) -> list[dict[str, Any]]:
    return generator.generate_articles(1000)
