"""The broker's jars: fetched from Maven Central with the `pom.xml` shipped in this package
(which pins the Kafka version), once per home, and checked against the pom's digest."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from importlib import resources
from pathlib import Path

from newswire.devbroker.common import BrokerError, _locked, run_tool

#: The pom shipped in this package (package data): found the same way from a source checkout
#: and from an installed wheel.
DEFAULT_POM = Path(str(resources.files("newswire.devbroker").joinpath("pom.xml")))

_STAMP = ".pom-sha256"

_JAR_VERSION = re.compile(r"^kafka_2\.\d+-(?P<version>.+)\.jar$")


def ensure_kafka_jars(
    home: Path, pom: Path = DEFAULT_POM, *, mvn: str = "mvn", timeout: float = 900.0
) -> Path:
    """Copy the broker's jars from Maven into ``home/lib`` once and return that folder.

    Idempotent: the folder carries the SHA-256 of the pom it came from and is fetched again
    only when the pom changes (e.g. a new pinned Kafka version). The copy goes to a temporary
    folder that is renamed into place, so an interrupted fetch never leaves a half folder.
    """
    home = Path(home).resolve()
    pom = Path(pom).resolve()
    lib = home / "lib"
    if not pom.is_file():
        if _kafka_jar_version(lib):  # jars fetched before (a pom given that is gone): keep them
            return lib
        raise BrokerError(f"Kafka pom not found: {pom}")
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if _lib_is_current(lib, digest):
        return lib
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home / ".lib.lock"):
        if _lib_is_current(lib, digest):  # another process fetched meanwhile
            return lib
        exe = shutil.which(mvn)
        if exe is None:
            raise BrokerError(
                f"Maven ({mvn!r}) is not on PATH; it is needed once to fetch the Kafka jars "
                f"from {pom}. Install Maven 3.6.3+ and a JDK 17+ (Debian: apt-get install "
                "maven openjdk-17-jdk-headless)."
            )
        staging = home / f"lib.tmp-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            exe,
            "-q",
            "-B",
            "-Dstyle.color=never",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}",
        ]
        try:
            run_tool(cmd, what="mvn fetching the Kafka jars", timeout=timeout)
            if not _kafka_jar_version(staging):
                raise BrokerError(f"mvn fetched no Kafka jar into {staging}: {' '.join(cmd)}")
        except BrokerError:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        (staging / _STAMP).write_text(digest + "\n")
        old = home / f"lib.old-{os.getpid()}"
        if lib.exists():
            lib.rename(old)
        staging.rename(lib)
        shutil.rmtree(old, ignore_errors=True)
    return lib


def _lib_is_current(lib: Path, digest: str) -> bool:
    stamp = lib / _STAMP
    return stamp.is_file() and stamp.read_text().strip() == digest and bool(_kafka_jar_version(lib))


def _kafka_jar_version(lib: Path) -> str | None:
    if not lib.is_dir():
        return None
    for jar in lib.iterdir():
        match = _JAR_VERSION.match(jar.name)
        if match:
            return match.group("version")
    return None
