"""Stream-test fixtures: the blank spaCy pipeline and a fresh service per test."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import spacy


def _load_kit() -> ModuleType:
    """Make `import streamkit` work whatever pytest's import mode (the project uses
    --import-mode=importlib, which does not put this folder on sys.path)."""
    name = "streamkit"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_load_kit()

from streamkit import Recorder, make_service  # noqa: E402

from newswire.adapters.stream.service import Service  # noqa: E402


@pytest.fixture(scope="module")
def blank_nlp() -> Any:
    return spacy.blank("en")


@pytest.fixture
async def service(blank_nlp: Any) -> AsyncIterator[tuple[Service, Recorder]]:
    svc, recorder = make_service(blank_nlp)
    yield svc, recorder
    svc.runner.close()
