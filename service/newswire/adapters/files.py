"""Read article files and folders as raw-topic messages (JSON bytes), in stream order.

Every file is first read by its content: an agency document (IPTC ninjs, NewsML-G2, NITF;
core/formats) becomes one message per article, whatever the file is called. Otherwise, by
extension: `.txt`: seed format (first line headline, rest body; id = file stem), turned into a
JSON raw article. `.json`: one raw article object (or an array of them), sent as is. `.jsonl`:
one raw article per line, each line sent as is, so malformed lines still reach the pipeline
(and get a rejection) instead of being lost here. A folder is searched for these extensions
and the agencies' usual ones (`.xml`, `.nitf`, `.newsml`, `.g2`, `.ninjs`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import orjson

from newswire.core.decode import seed_fields
from newswire.core.formats.messages import to_messages
from newswire.core.pipeline import InputRecord

SUFFIXES = (".txt", ".json", ".jsonl", ".xml", ".nitf", ".newsml", ".g2", ".ninjs")


class InputError(ValueError):
    pass


def find_files(paths: Sequence[str | Path]) -> list[Path]:
    files: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            files.extend(
                sorted(p for p in entry.rglob("*") if p.suffix in SUFFIXES and p.is_file())
            )
        elif entry.is_file():
            files.append(entry)
        else:
            raise InputError(f"{entry}: no such file or folder")
    return files


def read_inputs(paths: Sequence[str | Path]) -> Iterator[InputRecord]:
    for path in find_files(paths):
        yield from read_file(path)


def read_file(path: Path) -> Iterator[InputRecord]:
    data = path.read_bytes()
    messages = to_messages(data)
    if messages is not None:
        if len(messages) == 1:
            yield InputRecord(f"{path}", messages[0])
        else:
            for number, message in enumerate(messages, start=1):
                yield InputRecord(f"{path}[{number}]", message)
    elif path.suffix == ".txt":
        yield InputRecord(f"{path}", seed_text_to_json(path.stem, data))
    elif path.suffix == ".jsonl":
        for number, line in enumerate(data.splitlines(), start=1):
            if line.strip():
                yield InputRecord(f"{path}:{number}", line)
    else:
        yield from _json_file(path, data)


def _json_file(path: Path, data: bytes) -> Iterator[InputRecord]:
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        yield InputRecord(f"{path}", data)  # sent as is: the pipeline rejects it with a reason
        return
    if isinstance(value, list):
        for number, item in enumerate(value, start=1):
            yield InputRecord(f"{path}[{number}]", orjson.dumps(item))
    else:
        yield InputRecord(f"{path}", data)


def seed_text_to_json(stem: str, data: bytes) -> bytes:
    """A seed .txt file as a raw article message. Undecodable bytes are kept (escaped) so the
    pipeline can reject the article as not_utf8 rather than the reader failing."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # not UTF-8: forwarded as is, rejected downstream with reason not_utf8
    return orjson.dumps(seed_fields(stem, text))
