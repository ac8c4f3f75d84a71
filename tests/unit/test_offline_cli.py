"""`newswire process`: files in, enriched/duplicates/rejected JSONL out, without Kafka."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from click.testing import CliRunner
from jsonschema import Draft202012Validator

import newswire.entrypoints.offline
from newswire.adapters.files import read_inputs, seed_text_to_json
from newswire.bootstrap import build_annotator
from newswire.core.records import load_schema
from newswire.entrypoints.cli import main

OUTPUT_KINDS = {
    "enriched": "enriched.jsonl",
    "duplicate": "duplicates.jsonl",
    "rejected": "rejected.jsonl",
}

GOOD_1 = (
    "LISBON, March 4 (Reuters) - The central bank raised interest rates by a quarter point on "
    "Tuesday, its third increase this year, and said further rises were likely if inflation "
    "stayed above its target.\n\nGovernor Ana Silva told reporters that wage growth was still "
    "too strong and that the bank would watch services prices closely over the coming months."
)
GOOD_2 = (
    "Heavy rain flooded parts of the capital on Wednesday, closing schools and cutting power to "
    "about 40,000 homes, the city's emergency service said.\n\nForecasters expect the storms to "
    "move north by Friday, bringing strong winds to the coast and more than 100 millimetres of "
    "rain in some mountain areas."
)


def isolate(monkeypatch: pytest.MonkeyPatch, get_nlp: Callable[[], Any]) -> None:
    """A clean NEWSWIRE_* environment, and the session's spaCy model instead of a fresh load
    (so the model is loaded once for the whole test session, and only when a run needs it)."""
    for key in list(os.environ):
        if key.startswith("NEWSWIRE_"):
            monkeypatch.delenv(key)
    monkeypatch.setattr(
        newswire.entrypoints.offline, "build_annotator", lambda s: build_annotator(s, nlp=get_nlp())
    )


@pytest.fixture()
def run_cli(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest):
    """Invoke `newswire …` in-process."""
    isolate(monkeypatch, lambda: request.getfixturevalue("nlp"))

    def run(*args: str, env: dict[str, str] | None = None) -> Any:
        return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)

    return run


def read_outputs(out: Path) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [json.loads(line) for line in (out / name).read_text("utf-8").splitlines()]
        for kind, name in OUTPUT_KINDS.items()
    }


def validate_all(outputs: dict[str, list[dict[str, Any]]]) -> None:
    for kind, records in outputs.items():
        schema_validator = Draft202012Validator(
            load_schema(kind), format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for record in records:
            schema_validator.validate(record)
            stamp = (
                record["processed_at"]
                if kind == "rejected"
                else record["provenance"]["processed_at"]
            )
            datetime.fromisoformat(stamp.replace("Z", "+00:00"))


# ---------------------------------------------------------------- the seeds


@pytest.fixture(scope="module")
def seed_outputs(tmp_path_factory, nlp, seeds) -> dict[str, list[dict[str, Any]]]:
    """`newswire process seeds/ --out DIR`, once for the module."""
    out = tmp_path_factory.mktemp("seed-run")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, lambda: nlp)
        result = CliRunner().invoke(
            main, ["process", str(seeds.dir), "--out", str(out), "--no-progress"]
        )
    assert result.exit_code == 0, result.output
    return read_outputs(out)


@pytest.mark.model
def test_seed_run_counts(seed_outputs, seeds) -> None:
    assert len(seed_outputs["enriched"]) == 8
    assert len(seed_outputs["duplicate"]) == 1
    assert len(seed_outputs["rejected"]) == 0
    (duplicate,) = seed_outputs["duplicate"]
    assert duplicate["id"] == seeds.id("004")
    assert duplicate["dedupe"]["duplicate_of"] == seeds.id("000")
    assert duplicate["story_id"] == seeds.id("000")
    enriched_ids = {r["id"] for r in seed_outputs["enriched"]}
    assert enriched_ids == {seeds.id(p) for p in seeds.prefixes if p != "004"}


@pytest.mark.model
def test_seed_run_records_validate(seed_outputs) -> None:
    validate_all(seed_outputs)


@pytest.mark.model
def test_seed_run_versions(seed_outputs, seeds) -> None:
    by_id = {r["id"]: r for r in seed_outputs["enriched"]}
    update = by_id[seeds.id("005")]
    assert update["dedupe"]["status"] == "update"
    assert (update["story_id"], update["version"]) == (seeds.id("001"), 2)
    for prefix in ("000", "001", "002", "003", "006", "007"):
        record = by_id[seeds.id(prefix)]
        assert (record["story_id"], record["version"]) == (seeds.id(prefix), 1)
        assert record["dedupe"]["status"] == "unique"


@pytest.mark.model
def test_seed_000_record(seed_outputs, seeds, clean_seeds) -> None:
    record = next(r for r in seed_outputs["enriched"] if r["id"] == seeds.id("000"))
    assert (
        record["headline"]
        == "Russia and China set to sign bilateral pacts despite Western criticism"
    )
    dateline = {k: record["dateline"][k] for k in ("location", "date", "agency", "region")}
    assert dateline == {
        "location": "BEIJING",
        "date": "May 23",
        "agency": "Reuters",
        "region": None,
    }
    assert record["dateline"]["country_code"] == "CN"  # date_iso and geo: tests below
    assert record["byline"] == {
        "authors": ["Ryan Woo"],
        "contributors": ["Lidia Kelly", "Ethan Wang"],
        "editors": ["Michael Perry"],
    }
    assert record["body"] == clean_seeds["000"].body
    assert record["body"].startswith("Russia and China are set to sign")
    assert "Reporting by" not in record["body"] and "Leave a Comment" not in record["body"]
    assert record["language"] == "en"
    entities = {e["text"]: e for e in record["entities"]}
    for name in (
        "Mikhail Mishustin",
        "Xi Jinping",
        "Vladimir Putin",
        "Li Hui",
        "Volodymyr Zelenskiy",
    ):
        assert entities[name]["label"] == "PERSON"
    for name in ("Interfax", "TASS", "China Customs", "G-7"):
        assert entities[name]["label"] == "ORG"
    assert entities["Kyiv"]["label"] == "GPE" and entities["Kyiv"]["country_code"] == "UA"
    assert "Ryan Woo" not in entities
    assert any(q["speaker"] == "Interfax" for q in record["quotes"])
    assert record["keywords"]
    assert record["provenance"]["model"]
    assert record["annotation"] == {"status": "ok", "reason": None}


@pytest.mark.model
def test_seed_007_record_is_not_annotated(seed_outputs, seeds) -> None:
    record = next(r for r in seed_outputs["enriched"] if r["id"] == seeds.id("007"))
    assert record["language"] == "es"
    assert record["entities"] == []
    assert record["annotation"]["status"] == "skipped"
    assert record["annotation"]["reason"]


@pytest.mark.model
def test_seed_003_record_keeps_source_fields(seed_outputs, seeds) -> None:
    record = next(r for r in seed_outputs["enriched"] if r["id"] == seeds.id("003"))
    raw = json.loads(seeds.path("003").read_text("utf-8"))
    assert record["source"] == raw["source"] == "The Nairobi Ledger"
    assert record["url"] == raw["url"]
    assert record["published_at"] == raw["published_at"]
    assert record["dateline"]["location"] == "NAIROBI"
    assert record["dateline"]["region"] == "Kenya"
    assert record["dateline"]["country_code"] == "KE"


# ---------------------------------------------------------------- malformed input


def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def good(article_id: str, body: str) -> bytes:
    return orjson.dumps({"id": article_id, "headline": f"Headline {article_id}", "body": body})


@pytest.mark.model
def test_malformed_lines_each_get_one_rejection(run_cli, tmp_path: Path) -> None:
    lines = [
        good("good-1", GOOD_1),  # 1
        b"this is not json {",  # 2
        b'{"id": "latin1", "body": "caf\xe9 au lait"}',  # 3
        orjson.dumps({"id": "no-body", "headline": "Nothing here"}),  # 4
        orjson.dumps({"id": "huge", "body": "word " * 600_000}),  # 5: 3 MB
        orjson.dumps({"id": "bad-body", "body": 42}),  # 6
        orjson.dumps({"id": "bad-headline", "headline": ["a"], "body": GOOD_2}),  # 7
        orjson.dumps(
            {"id": "pdf", "body": "<html><p>x</p></html>", "content_type": "application/pdf"}
        ),  # 8
        b"[1, 2, 3]",  # 9
        orjson.dumps({"id": "empty", "body": "   "}),  # 10
        orjson.dumps({"id": "bad-date", "body": GOOD_2, "published_at": "last Tuesday"}),  # 11
        good("good-2", GOOD_2),  # 12
    ]
    assert len(lines[4]) > 3_000_000
    source = write_lines(tmp_path / "mixed.jsonl", lines)
    out = tmp_path / "out"
    result = run_cli("process", str(source), "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    outputs = read_outputs(out)
    validate_all(outputs)

    assert sum(len(v) for v in outputs.values()) == len(lines)  # exactly one outcome each
    assert sorted(r["id"] for r in outputs["enriched"]) == ["good-1", "good-2"]
    assert outputs["duplicate"] == []
    reasons = {int(r["origin"]["source"].rsplit(":", 1)[1]): r for r in outputs["rejected"]}
    assert {n: r["reason"] for n, r in reasons.items()} == {
        2: "invalid_json",
        3: "not_utf8",
        4: "missing_body",
        5: "too_large",
        6: "invalid_field",
        7: "invalid_field",
        8: "unsupported_content_type",
        9: "not_an_object",
        10: "missing_body",
        11: "invalid_field",
    }
    assert reasons[4]["id"] == "no-body"
    assert reasons[8]["id"] == "pdf"
    assert all(r["origin"]["source"].startswith(str(source)) for r in outputs["rejected"])
    assert all(r["stage"] == "parse" for r in outputs["rejected"])


@pytest.mark.model
def test_good_lines_after_bad_ones_are_enriched(run_cli, tmp_path: Path) -> None:
    source = write_lines(
        tmp_path / "a.jsonl", [b"{", good("g", GOOD_1), b"", b"\xff\xfe", good("h", GOOD_2)]
    )
    out = tmp_path / "out"
    result = run_cli("process", str(source), "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    outputs = read_outputs(out)
    assert [r["id"] for r in outputs["enriched"]] == ["g", "h"]
    assert [r["reason"] for r in outputs["rejected"]] == ["invalid_json", "not_utf8"]
    enriched = {r["id"]: r for r in outputs["enriched"]}
    assert enriched["g"]["dateline"]["location"] == "LISBON"
    assert "LISBON" not in enriched["g"]["body"]


@pytest.mark.model
def test_settings_reach_the_offline_run(run_cli, tmp_path: Path) -> None:
    long_body = GOOD_1 + "\n\n" + "More paragraphs of text follow here. " * 60
    source = write_lines(tmp_path / "a.jsonl", [good("short", GOOD_2), good("long", long_body)])
    out = tmp_path / "out"
    result = run_cli(
        "process",
        str(source),
        "--out",
        str(out),
        "--no-progress",
        env={"NEWSWIRE_MAX_ARTICLE_BYTES": "1500"},
    )
    assert result.exit_code == 0, result.output
    outputs = read_outputs(out)
    assert [r["id"] for r in outputs["enriched"]] == ["short"]
    assert [r["reason"] for r in outputs["rejected"]] == ["too_large"]


def test_missing_path_is_a_clean_error(run_cli, tmp_path: Path) -> None:
    result = run_cli("process", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert result.exit_code != 0
    assert "no such file or folder" in result.output


def test_bad_setting_fails_before_processing(run_cli, tmp_path: Path, seeds) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["process", str(seeds.dir), "--out", str(out)], env={"NEWSWIRE_PARTITIONS": "0"}
    )
    assert result.exit_code != 0
    assert "NEWSWIRE_PARTITIONS" in str(result.exception) + result.output
    assert not out.exists()


# ---------------------------------------------------------------- reading inputs


def test_folder_is_read_in_name_order(seeds) -> None:
    records = list(read_inputs([seeds.dir]))
    assert [Path(r.origin).name for r in records] == sorted(
        p.name for p in seeds.dir.iterdir() if p.suffix in (".txt", ".json")
    )


def test_seed_text_becomes_a_raw_message() -> None:
    data = seed_text_to_json("001_x", "\ufeffRates rise\nThe bank raised rates.".encode())
    assert orjson.loads(data) == {
        "id": "001_x",
        "headline": "Rates rise",
        "body": "The bank raised rates.",
    }


def test_undecodable_seed_text_is_forwarded_as_is() -> None:
    data = b"Headline\ncaf\xe9"
    assert seed_text_to_json("s", data) == data


def test_json_array_file_gives_one_input_per_item(tmp_path: Path) -> None:
    path = tmp_path / "batch.json"
    path.write_text(json.dumps([{"id": "a", "body": "x"}, {"id": "b", "body": "y"}, 3]), "utf-8")
    records = list(read_inputs([path]))
    assert [r.origin for r in records] == [f"{path}[1]", f"{path}[2]", f"{path}[3]"]
    assert orjson.loads(records[2].data) == 3


def test_broken_json_file_is_forwarded_for_rejection(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(b"{oops")
    (record,) = read_inputs([path])
    assert record.data == b"{oops"


def test_jsonl_blank_lines_are_skipped_and_numbered(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "a.jsonl", [b'{"body": "x"}', b"", b"  ", b'{"body": "y"}'])
    assert [r.origin for r in read_inputs([path])] == [f"{path}:1", f"{path}:4"]


def test_version_is_the_package_version_and_what_records_carry() -> None:
    from click.testing import CliRunner

    from newswire import __version__
    from newswire.core.records import PIPELINE_VERSION
    from newswire.entrypoints.cli import main

    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"newswire, version {__version__}"
    assert __version__ == PIPELINE_VERSION


# ---------------------------------------------------------------- enrichment you can build on


def _record(seed_outputs, seeds, prefix: str) -> dict[str, Any]:
    (record,) = [r for r in seed_outputs["enriched"] if r["id"] == seeds.id(prefix)]
    return record


@pytest.mark.model
def test_seed_000_places_are_geocoded_with_geonames_ids(seed_outputs, seeds) -> None:
    entities = {e["text"]: e for e in _record(seed_outputs, seeds, "000")["entities"]}
    for name, geonames_id in seeds.places_000.items():
        geo = entities[name]["geo"]
        assert geo is not None and geo["geonames_id"] == geonames_id, (name, geo)
        assert entities[name]["key"] == f"geonames:{geonames_id}"
        assert geo["country_code"] == entities[name]["country_code"]
    assert entities["Beijing"]["geo"]["feature"] == "city"
    assert entities["Russia"]["geo"]["feature"] == "country"


@pytest.mark.model
def test_seed_000_nationalities_carry_their_country(seed_outputs, seeds) -> None:
    entities = {e["text"]: e for e in _record(seed_outputs, seeds, "000")["entities"]}
    norp = {text: e["country_code"] for text, e in entities.items() if e["label"] == "NORP"}
    assert norp.get("Russian") == "RU" and norp.get("Chinese") == "CN", norp
    assert entities["Russian"]["key"] == "norp:russian" and entities["Russian"]["geo"] is None


@pytest.mark.model
def test_seed_000_keys_are_stable_names(seed_outputs, seeds) -> None:
    entities = {e["text"]: e for e in _record(seed_outputs, seeds, "000")["entities"]}
    assert entities["Xi Jinping"]["key"] == "person:xi-jinping"
    assert entities["Interfax"]["key"] == "org:interfax"
    keys = [e["key"] for e in entities.values()]
    assert len(keys) == len(set(keys))


@pytest.mark.model
def test_seed_000_dateline_date_and_place(seed_outputs, seeds) -> None:
    """ "May 23" with neither a year nor published_at: the year is the processing time's (and
    the date is not more than a day after it), and the record says where it came from."""
    record = _record(seed_outputs, seeds, "000")
    dateline = record["dateline"]
    processed = datetime.fromisoformat(record["provenance"]["processed_at"].replace("Z", "+00:00"))
    assert dateline["date"] == "May 23"
    assert dateline["date_year_from"] == "processing_time"
    resolved = date.fromisoformat(dateline["date_iso"])
    assert (resolved.month, resolved.day) == (5, 23)
    assert resolved <= processed.date() + timedelta(days=1)
    assert resolved.year in (processed.year, processed.year - 1)
    assert dateline["geo"]["geonames_id"] == 1816670
    assert record["published_at"] == dateline["date_iso"]
    assert record["published_at_from"] == "dateline"


@pytest.mark.model
def test_seed_003_keeps_its_own_published_at(seed_outputs, seeds) -> None:
    record = _record(seed_outputs, seeds, "003")
    assert record["published_at_from"] == "input"
    assert record["published_at"].startswith("20")


@pytest.mark.model
def test_seed_008_quotes_resolved_by_pronoun_and_title(seed_outputs, seeds) -> None:
    record = _record(seed_outputs, seeds, "008")

    def quote(start: str) -> dict[str, Any]:
        (found,) = [q for q in record["quotes"] if q["text"].startswith(start)]
        return found

    factories = quote("Our factories need power")
    assert (factories["speaker"], factories["speaker_resolved"]) == ("Tsegaye Alemu", "pronoun")
    assert factories["speaker_key"] == "person:tsegaye-alemu"
    homes = quote("We are not exporting our")
    assert (homes["speaker"], homes["speaker_resolved"]) == ("Daniel Mwangi", "title")
    line = quote("This line was built")
    assert (line["speaker"], line["speaker_resolved"]) == ("Daniel Mwangi", "named")
    assert all(q["speaker"] for q in record["quotes"]), record["quotes"]
    entities = {e["text"]: e for e in record["entities"]}
    assert entities["Kenyan"]["country_code"] == "KE"
    assert entities["Ethiopian"]["country_code"] == "ET"
    assert (
        record["dateline"]["location"] == "NAIROBI"
        and record["dateline"]["geo"]["country_code"] == "KE"
    )


@pytest.mark.model
def test_seed_007_dateline_is_placed_though_the_article_is_not_annotated(
    seed_outputs, seeds
) -> None:
    record = _record(seed_outputs, seeds, "007")
    assert record["annotation"]["status"] == "skipped"
    geo = record["dateline"]["geo"]
    assert geo is not None and geo["country_code"] == "ES" and geo["name"] == "Sevilla"


# ---------------------------------------------------------------- agency formats, by content

FORMATS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "formats"


def copy_fixtures(folder: Path, names: dict[str, str]) -> Path:
    """Fixtures under new names (the reader must go by content, not by extension)."""
    folder.mkdir()
    for name, new_name in names.items():
        (folder / new_name).write_bytes((FORMATS_DIR / name).read_bytes())
    return folder


def test_agency_documents_are_read_by_content_and_split_into_articles(tmp_path: Path) -> None:
    folder = copy_fixtures(
        tmp_path / "drop",
        {
            "g2-message-two-items.xml": "a-message.newsml",
            "ninjs-2.json": "b-item.json",
            "nitf-3-5.xml": "c-story.nitf",
            "billion-laughs.xml": "d-bomb.xml",
        },
    )
    (folder / "e-plain.json").write_bytes(orjson.dumps({"id": "mine", "body": GOOD_2}))
    records = list(read_inputs([folder]))
    assert [r.origin.rsplit("/", 1)[-1] for r in records] == [
        "a-message.newsml[1]",
        "a-message.newsml[2]",
        "b-item.json",
        "c-story.nitf",
        "d-bomb.xml",
        "e-plain.json",
    ]
    formats = [orjson.loads(r.data).get("metadata", {}).get("format") for r in records[:4]]
    assert formats == ["newsml-g2", "newsml-g2", "ninjs", "nitf"]
    # what cannot be read goes on as it came, for the worker to reject with the reason
    assert records[4].data == (FORMATS_DIR / "billion-laughs.xml").read_bytes()
    assert orjson.loads(records[5].data) == {"id": "mine", "body": GOOD_2}


@pytest.mark.model
def test_agency_story_versions_through_process(run_cli, tmp_path: Path) -> None:
    """NewsML-G2 version 1 then version 2 of one guid: the second is an update, version 2, of
    the first's story though its text changed a lot; a resend of version 2 is a duplicate; a
    picture item and an entity bomb are rejected with their reasons."""
    folder = copy_fixtures(
        tmp_path / "drop",
        {
            "g2-story-v1.xml": "1.xml",
            "g2-story-v2.xml": "2.xml",
            "billion-laughs.xml": "4.xml",
            "g2-picture.xml": "5.xml",
        },
    )
    (folder / "3.xml").write_bytes((FORMATS_DIR / "g2-story-v2.xml").read_bytes())
    out = tmp_path / "out"
    result = run_cli("process", str(folder), "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    outputs = read_outputs(out)
    validate_all(outputs)
    first, second = outputs["enriched"]
    guid = "urn:newsml:wire.example.com:20240902:BRIDGE"
    assert first["metadata"]["agency_guid"] == second["metadata"]["agency_guid"] == guid
    assert (first["dedupe"]["status"], first["version"]) == ("unique", 1)
    assert second["story_id"] == first["id"]
    assert (second["dedupe"]["status"], second["version"]) == ("update", 2)
    assert second["dedupe"]["method"] == "agency"
    assert second["dedupe"]["similarity"] < 0.5  # the text alone would not have said so
    assert first["headline"] == "Bridge closed in Rotterdam after ship strike"
    assert first["metadata"]["format"] == "newsml-g2"
    assert first["published_at"] == "2024-09-02T06:10:00Z"
    [resend] = outputs["duplicate"]
    assert (resend["id"], resend["dedupe"]["duplicate_of"]) == (second["id"], second["id"])
    assert resend["dedupe"]["method"] == "agency"
    assert sorted(r["reason"] for r in outputs["rejected"]) == ["missing_body", "xml_entities"]
