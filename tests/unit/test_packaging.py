"""What the package needs at run time ships in its wheel: the dev broker's pom.xml (found there,
not through a source checkout), the schemas and the cleaning rules."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_an_installed_wheel_carries_its_data_and_the_dev_broker_finds_its_pom(
    tmp_path: Path,
) -> None:
    dist = str(tmp_path / "dist")
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = (tmp_path / "dist").glob("newswire-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert {
        "newswire/devbroker/pom.xml",
        "newswire/schemas/enriched.v1.json",
        "newswire/core/data/chrome_rules.json",
    } <= names
    # Installed away from any checkout (PYTHONPATH goes before the editable install).
    found = subprocess.run(
        [sys.executable, "-c", "from newswire.devbroker import DEFAULT_POM as p; print(p)"],
        env={**os.environ, "PYTHONPATH": str(tmp_path / "site")},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert found.returncode == 0, found.stderr
    pom = Path(found.stdout.strip())
    assert pom == tmp_path / "site" / "newswire" / "devbroker" / "pom.xml"
    assert pom.is_file() and "<artifactId>kafka_" in pom.read_text()
