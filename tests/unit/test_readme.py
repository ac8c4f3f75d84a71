"""The README documents every setting, and names no setting that does not exist."""

from __future__ import annotations

import re
from pathlib import Path

from newswire.settings import Settings

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    documented = set(re.findall(r"`NEWSWIRE_([A-Z_]+)`", README))
    fields = {name.upper() for name in Settings.model_fields}
    assert fields - documented == set(), "settings missing from the README's configuration table"


def test_readme_names_only_real_settings() -> None:
    named = set(re.findall(r"NEWSWIRE_([A-Z_]+)", README))
    assert named - {name.upper() for name in Settings.model_fields} == set()


def test_readme_gives_the_two_commands() -> None:
    assert "make demo" in README
    assert "make test" in README
