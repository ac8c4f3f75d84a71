"""`newswire poll` against real parts: a local HTTP server (this test's, on 127.0.0.1) serving
RSS, Atom and JSON feeds and article pages, good and bad, and the real broker. Each new item
lands on the raw topic exactly once across polls and restarts; bad feeds report their reason
while the good ones are published; a worker enriches what was polled."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from nw_harness import Deployment, collect, free_port, has_ids
from prometheus_client.parser import text_string_to_metric_families

from newswire.adapters.feeds.http import Fetched, Fetcher, FetchFailed
from newswire.adapters.kafka.admin import topic_config
from newswire.core.feeds import ParsedFeed, parse_feed
from newswire.settings import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
ETAG = '"rss-v1"'
LAST_MODIFIED = "Mon, 03 Feb 2025 09:00:00 GMT"
TIMEOUT = 1.5  # NEWSWIRE_POLL_TIMEOUT here; /slow.xml answers after 4 s
HOST_DELAY = 0.15

REPEATS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Echo Wire</title>
<item><guid>echo-1</guid><title>Tram line extended to the new hospital</title>
<description>The tram line now runs to the new hospital, four stops further than before. The
city said the extension cost less than planned and that trams will run every eight minutes at
peak times, with night services added on weekends from next month.</description></item>
<item><guid>echo-1</guid><title>Tram line extended to the new hospital</title>
<description>The tram line now runs to the new hospital, four stops further than before. The
city said the extension cost less than planned and that trams will run every eight minutes at
peak times, with night services added on weekends from next month.</description></item>
<item><guid>echo-2</guid><title>Library extends opening hours for exam season</title>
<description>The central library will stay open until midnight during the exam season, its
director said, after students asked for more quiet places to study. Extra staff will be hired
for the late shifts, and the reading rooms will keep their usual rules on silence.</description>
</item></channel></rss>"""


EMPTY = b"<rss version='2.0'><channel><title>Quiet Wire</title></channel></rss>"
MANY = 160  # summary-only items in /many.xml, newest first, each page served in 40 ms


def many_feed(base: str) -> bytes:
    items = "".join(
        f"<item><guid>many-{n}</guid><title>Council notice number {n}</title>"
        f"<link>{base}/many/{n}</link><pubDate>Mon, 02 Nov 2026 {n // 60:02d}:{n % 60:02d}:00 GMT"
        f"</pubDate><description>Notice {n} in brief.</description></item>"
        for n in reversed(range(MANY))
    )
    return f"<rss version='2.0'><channel><title>Notices</title>{items}</channel></rss>".encode()


# An item with no text, summary or link: sent all the same, for the worker to reject.
TEXTLESS = (
    b"<rss version='2.0'><channel><title>Photo Wire</title><item><guid>photo-1</guid>"
    b"<title>Picture of the day</title></item></channel></rss>"
)


def page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<html><head><title>{title}</title></head><body><nav><a href='/'>Home</a> | "
        f"<a href='/sport'>Sport</a></nav><article><h1>{title}</h1>{body}</article>"
        "<footer>Copyright the Gazette. All rights reserved.</footer></body></html>"
    ).encode()


PAGES = {
    "/news/storm-fleet": page(
        "Fishing fleet returns early as storm closes in",
        [
            "The harbour's fishing fleet returned a full day early on Tuesday as forecasters "
            "warned of gale-force winds along the whole northern coast.",
            "Twenty-three boats were tied up by noon. The harbour master said crews had made "
            "the right call, since waves of six metres were expected overnight.",
            "Fish merchants said prices at Wednesday's auction would probably rise because of "
            "the shortened trip, the third of the winter cut short by weather.",
        ],
    ),
    "/valley/orchards": page(
        "Orchard growers expect late blossom this spring",
        [
            "Apple and pear growers in the valley expect the blossom to come two weeks later "
            "than usual after the coldest February in fifteen years.",
            "A late blossom is not bad news in itself, the growers' association said, because "
            "it lowers the risk that a spring frost destroys the flowers.",
            "Beekeepers have been asked to keep their hives closed until the first warm week.",
        ],
    ),
    "/mountain/hut-rebuilt": page(
        "Alpine hut to be rebuilt after fire",
        [
            "The alpine club will rebuild its hut below the north summit, which burned down in "
            "December, and work is due to start in June once the snow has melted.",
            "The new hut will have forty beds instead of thirty and a solar power system. "
            "Helicopters will carry up the timber in about sixty flights.",
        ],
    ),
}


@dataclass
class FeedServer:
    base: str = ""
    requests: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def body(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes().replace(b"https://example.com", self.base.encode())

    def seen(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for _, p, headers in self.requests if p == path]

    def url(self, path: str) -> str:
        return self.base + path


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes = b"", **headers: str) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name.replace("_", "-"), value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            with server.lock:
                server.requests.append((time.monotonic(), self.path, dict(self.headers.items())))
            path = self.path
            if path == "/rss.xml":
                if self.headers.get("If-None-Match") == ETAG:
                    return self.send(304, ETag=ETAG)
                return self.send(
                    200, server.body("rss.xml"), Content_Type="application/rss+xml", ETag=ETAG
                )
            if path == "/atom.xml":
                if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                    return self.send(304)
                data = gzip.compress(server.body("atom.xml"))
                return self.send(
                    200,
                    data,
                    Content_Type="application/atom+xml",
                    Content_Encoding="gzip",
                    Last_Modified=LAST_MODIFIED,
                )
            if path == "/old/feed.json":
                return self.send(302, Location="/feed.json")
            if path == "/feed.json":
                return self.send(
                    200, server.body("feed.json"), Content_Type="application/feed+json"
                )
            if path == "/repeats.xml":
                return self.send(200, REPEATS, Content_Type="application/rss+xml")
            if path == "/many.xml":
                return self.send(200, many_feed(server.base), Content_Type="application/rss+xml")
            if path.startswith("/many/"):
                time.sleep(0.04)
                number = path.rsplit("/", 1)[-1]
                return self.send(
                    200,
                    page(f"Council notice number {number}", [f"Full text of notice {number}."]),
                    Content_Type="text/html",
                )
            if path == "/slowparse.xml":  # not well-formed: feedparser's slow lenient parser
                body = b"<rss version='2.0'><channel><title>t</title><item><title>a</title>"
                data = body + b"<x>" * 300_000 + b"</x>" * 300_000
                return self.send(200, data, Content_Type="application/rss+xml")
            if path == "/textless.xml":
                return self.send(200, TEXTLESS, Content_Type="application/rss+xml")
            if path == "/broken.xml":
                return self.send(500, b"oops", Content_Type="text/plain")
            if path == "/invalid.xml":
                data = server.body("rss.xml")[:700]  # cut inside an element: not well-formed
                return self.send(200, data, Content_Type="application/rss+xml")
            if path == "/slow.xml":
                time.sleep(4)
                return self.send(200, server.body("rss.xml"), Content_Type="application/rss+xml")
            if path == "/huge.xml":  # 6 MB of XML in 6 kB of gzip: stopped at the cap
                data = b"<rss version='2.0'><channel><title>" + b" " * 6_000_000
                return self.send(
                    200,
                    gzip.compress(data),
                    Content_Type="application/rss+xml",
                    Content_Encoding="gzip",
                )
            if path == "/busy.xml":  # 503 the first time, with Retry-After
                if len(server.seen(path)) == 1:
                    return self.send(503, b"busy", Retry_After="1")
                return self.send(200, EMPTY, Content_Type="application/rss+xml")
            if path in PAGES:
                return self.send(200, PAGES[path], Content_Type="text/html; charset=utf-8")
            return self.send(404, b"not found")

        def handle(self) -> None:
            # The poller gives up on /slow.xml before it answers.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                super().handle()

    return Handler


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


GOOD = ["/rss.xml", "/atom.xml", "/old/feed.json", "/repeats.xml"]
BAD = {
    "/broken.xml": "http_500",
    "/slow.xml": "timeout",
    "/invalid.xml": "invalid_feed",
    "/huge.xml": "too_large",
}


def expected_ids(server: FeedServer) -> set[str]:
    ids: set[str] = set()
    for name, data in [
        ("rss", server.body("rss.xml")),
        ("atom", server.body("atom.xml")),
        ("json", server.body("feed.json")),
        ("repeats", REPEATS),
    ]:
        parsed = parse_feed(data, None, max_bytes=10**7)
        assert isinstance(parsed, ParsedFeed), name
        ids |= {item.id for item in parsed.items}
    assert len(ids) == 10
    return ids


def poll_env(pipeline: Deployment, state_topic: str) -> dict[str, str]:
    return pipeline.cli_env() | {
        "NEWSWIRE_POLL_STATE_TOPIC": state_topic,
        "NEWSWIRE_POLL_TIMEOUT": str(TIMEOUT),
        "NEWSWIRE_POLL_RETRIES": "1",
        "NEWSWIRE_POLL_BACKOFF": "0.1",
        "NEWSWIRE_POLL_HOST_CONCURRENCY": "1",
        "NEWSWIRE_POLL_HOST_DELAY": str(HOST_DELAY),
        "PYTHONUNBUFFERED": "1",
    }


def state_topic_for(pipeline: Deployment) -> str:
    # Under the pipeline's prefix, so the fixture deletes it after a passing test.
    return f"{pipeline.raw.removesuffix('.raw')}.poll-state-{uuid.uuid4().hex[:6]}"


def poll_once(env: dict[str, str], urls: list[str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "newswire", "poll", "--once", *urls],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def status_line(output: str, url: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith(f"poll {url}: ")]
    assert lines, f"no status line for {url} in:\n{output}"
    return lines[-1]


async def _read_topic(bootstrap: str, topic: str, settle: float) -> list[tuple[str, dict]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[tuple[str, dict]] = []
    try:
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < settle:
            batch = await consumer.getmany(timeout_ms=250)
            for messages in batch.values():
                for m in messages:
                    records.append((m.key.decode(), orjson.loads(m.value)))
                    quiet_since = time.monotonic()
    finally:
        await consumer.stop()
    return records


def test_poll_publishes_each_item_once_across_polls_and_restarts(
    pipeline: Deployment, feed_server: FeedServer
) -> None:
    state_topic = state_topic_for(pipeline)
    env = poll_env(pipeline, state_topic)
    dns = "http://feeds.nonexistent.invalid/rss.xml"
    urls = [feed_server.url(p) for p in [*GOOD, *BAD, "/busy.xml"]] + [dns]
    wanted = expected_ids(feed_server)

    first = poll_once(env, urls)
    # Bad feeds say why; the good ones are published all the same.
    for path, reason in BAD.items():
        assert reason in status_line(first, feed_server.url(path)), first
    assert "error connect_error" in status_line(first, dns) or "error timeout" in first
    assert "3 new" in status_line(first, feed_server.url("/rss.xml"))
    assert "1 pages fetched" in status_line(first, feed_server.url("/rss.xml"))
    assert "2 new" in status_line(first, feed_server.url("/atom.xml"))  # gzip
    assert "3 new" in status_line(first, feed_server.url("/old/feed.json"))  # redirect
    assert "2 new" in status_line(first, feed_server.url("/repeats.xml"))  # echo-1 twice
    assert "10 new items published" in first
    assert len(feed_server.seen("/slow.xml")) == 2  # the first try and one retry
    assert len(feed_server.seen("/broken.xml")) == 2
    assert "0 new, 0 seen" in status_line(first, feed_server.url("/busy.xml"))
    busy = [t for t, p, _ in feed_server.requests if p == "/busy.xml"]
    assert len(busy) == 2 and busy[1] - busy[0] >= 0.95  # Retry-After, over the 0.1 s backoff

    # Politeness: one request at a time to the host (redirect hops too), starts HOST_DELAY
    # apart (measured where they arrive; the first came late, on a new connection).
    with feed_server.lock:
        starts = sorted(t for t, _, _ in feed_server.requests)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(starts) == 16 and min(gaps[1:]) >= HOST_DELAY - 0.03, gaps

    # Second run (a restart): conditional GETs answered 304; the rest is known.
    continuous = subprocess.Popen(
        [sys.executable, "-m", "newswire", "poll", "--interval", "2", *map(feed_server.url, GOOD)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    rss = feed_server.url("/rss.xml")
    deadline = time.monotonic() + 90
    try:
        while len(feed_server.seen("/rss.xml")) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)  # the 2nd and 3rd requests: two polls of this process
        time.sleep(1.0)
    finally:
        os.kill(continuous.pid, signal.SIGTERM)
        _, second = continuous.communicate(timeout=60)
    assert continuous.returncode == 0, second
    for headers in feed_server.seen("/rss.xml")[1:]:
        assert headers.get("If-None-Match") == ETAG
    assert feed_server.seen("/atom.xml")[-1].get("If-Modified-Since") == LAST_MODIFIED
    assert "304 not modified" in status_line(second, rss), second
    assert "0 new, 2 seen" in status_line(second, feed_server.url("/repeats.xml"))
    assert "0 new, 3 seen" in status_line(second, feed_server.url("/old/feed.json"))

    third = poll_once(env, urls)
    assert "0 new items published" in third, third

    records = asyncio.run(_read_topic(pipeline.bootstrap, pipeline.raw, settle=3.0))
    keys = [key for key, _ in records]
    assert sorted(keys) == sorted(wanted), "each item exactly once"
    by_id = {record["id"]: record for _, record in records}
    assert {r["format"] for r in by_id.values()} == {"rss", "atom", "jsonfeed"}
    storm = next(r for r in by_id.values() if r["url"] == feed_server.url("/news/storm-fleet"))
    assert storm["content_type"] == "text/html" and storm["page"] == "fetched"
    assert "Twenty-three boats" in storm["body"] and storm["feed"] == rss
    assert storm["guid"] == "harbour-gazette-0002"
    config = asyncio.run(topic_config(Settings(broker=pipeline.kafka.url), state_topic))
    assert config["cleanup.policy"] == "compact,delete"
    assert config["retention.ms"] == str(30 * 86_400_000)  # NEWSWIRE_POLL_STATE_RETENTION_DAYS


def test_polled_items_are_enriched_end_to_end(
    pipeline: Deployment, feed_server: FeedServer, start_worker
) -> None:
    worker = start_worker(pipeline)
    env = poll_env(pipeline, state_topic_for(pipeline))
    feeds = pipeline.tmp / "feeds.txt"
    paths = [*GOOD, "/textless.xml"]
    lines = ["# the good feeds, one a line", "", *(feed_server.url(p) for p in paths)]
    feeds.write_text("\n".join(lines) + "\n", "utf-8")
    output = poll_once(env, ["--feeds", str(feeds)])
    assert output.count("\npoll ") + output.startswith("poll ") == len(paths), output
    assert "11 new items published" in output, output
    wanted = expected_ids(feed_server)
    parsed = parse_feed(TEXTLESS, None, max_bytes=10**6)
    assert isinstance(parsed, ParsedFeed)
    [textless] = [item.id for item in parsed.items]
    got = collect(pipeline, has_ids(wanted | {textless}), workers=[worker], what="the polled items")
    enriched = {o.id: o.record for o in got.of("enriched")}
    assert set(enriched) == wanted, got.summary()
    # one outcome for the item without text too: a DLQ record under its id, with the reason
    [dead] = got.of("dlq")
    assert (dead.id, dead.record["reason"]) == (textless, "missing_body")
    storm = next(r for r in enriched.values() if r["url"].endswith("/news/storm-fleet"))
    # The page's main text, extracted by the clean stage; no navigation or footer.
    assert "Twenty-three boats" in storm["body"] and "All rights reserved" not in storm["body"]
    assert storm["metadata"]["format"] == "rss" and storm["metadata"]["page"] == "fetched"
    hut = next(r for r in enriched.values() if r["url"].endswith("/mountain/hut-rebuilt"))
    assert "forty beds" in hut["body"] and hut["metadata"]["format"] == "jsonfeed"


async def _produce_state(bootstrap: str, topic: str, key: str, value: dict) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, orjson.dumps(value), key=key.encode())
    finally:
        await producer.stop()


async def _create_topic(bootstrap: str, topic: str, config: dict[str, str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, 1, 1, topic_configs=config)])
    finally:
        await admin.close()


def test_items_still_listed_are_remembered_again_before_the_retention_forgets_them(
    pipeline: Deployment, feed_server: FeedServer
) -> None:
    """An item recorded 20 days ago (retention 30) and still in its feed is not published
    again, and its state record is written again; one recorded 2 days ago is left alone."""
    state_topic = state_topic_for(pipeline)
    env = poll_env(pipeline, state_topic)
    poll_once(env, [feed_server.url("/repeats.xml")])  # creates the topic, publishes 2
    parsed = parse_feed(REPEATS, None, max_bytes=10**6)
    assert isinstance(parsed, ParsedFeed)
    old_id, recent_id = parsed.items[0].id, parsed.items[2].id
    now = datetime.now(UTC)
    for item_id, age in ((old_id, 20), (recent_id, 2)):
        at = (now - timedelta(days=age)).isoformat(timespec="seconds")
        value = {"kind": "item", "feed": "earlier", "guid": None, "at": at}
        asyncio.run(_produce_state(pipeline.bootstrap, state_topic, item_id, value))
    output = poll_once(env, [feed_server.url("/repeats.xml")])
    assert "0 new, 2 seen" in status_line(output, feed_server.url("/repeats.xml")), output
    state = asyncio.run(_read_topic(pipeline.bootstrap, state_topic, settle=2.0))
    latest = {key: value for key, value in state}
    refreshed = datetime.fromisoformat(latest[old_id]["at"])
    assert now - timedelta(minutes=5) < refreshed, latest[old_id]
    assert latest[recent_id]["feed"] == "earlier"  # not written again
    raw = asyncio.run(_read_topic(pipeline.bootstrap, pipeline.raw, settle=1.0))
    assert sorted(key for key, _ in raw) == sorted([old_id, recent_id])  # once each


def test_a_state_topic_that_is_not_compacted_is_refused(
    pipeline: Deployment, feed_server: FeedServer
) -> None:
    state_topic = state_topic_for(pipeline)
    asyncio.run(_create_topic(pipeline.bootstrap, state_topic, {"cleanup.policy": "delete"}))
    done = subprocess.run(
        [sys.executable, "-m", "newswire", "poll", "--once", feed_server.url("/repeats.xml")],
        env=poll_env(pipeline, state_topic),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert f"state topic {state_topic} has cleanup.policy=delete" in done.stderr
    assert "must be compacted" in done.stderr
    assert feed_server.seen("/repeats.xml") == []  # refused before polling anything


def test_a_url_from_a_public_feed_is_not_fetched_from_a_private_address(
    feed_server: FeedServer,
) -> None:
    """The guard the poller puts on page fetches of a feed on a public host, against a real
    server: nothing is requested from 127.0.0.1, at the first hop or after a redirect."""
    settings = Settings(poll_timeout=TIMEOUT, poll_host_delay=0)

    async def fetch(url: str, private: bool) -> Fetched | FetchFailed:
        fetcher = Fetcher(settings)
        try:
            return await fetcher.fetch(url, max_bytes=10**6, private=private)
        finally:
            await fetcher.close()

    refused = asyncio.run(fetch(feed_server.url("/news/storm-fleet"), private=False))
    assert isinstance(refused, FetchFailed) and refused.reason == "private_address"
    assert feed_server.requests == []
    allowed = asyncio.run(fetch(feed_server.url("/old/feed.json"), private=True))
    assert isinstance(allowed, Fetched) and allowed.url == feed_server.url("/feed.json")


def pages_requested(server: FeedServer) -> list[str]:
    with server.lock:
        return [p for _, p, _ in server.requests if p.startswith("/many/")]


async def _read_stamped(bootstrap: str, topic: str) -> list[tuple[int, str, dict]]:
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    records: list[tuple[int, str, dict]] = []
    try:
        while batch := await consumer.getmany(timeout_ms=1500):
            for messages in batch.values():
                records += [(m.timestamp, m.key.decode(), orjson.loads(m.value)) for m in messages]
    finally:
        await consumer.stop()
    return sorted(records, key=lambda r: r[0])


def test_a_poller_killed_mid_feed_loses_nothing_and_resends_at_most_a_chunk(
    pipeline: Deployment, feed_server: FeedServer
) -> None:
    """SIGKILL while a feed of 160 summary-only items is being published (pages fetched one at
    a time): the restarted poller publishes the rest. Every item reaches the raw topic, only
    the chunk in flight at the kill (at most 16) may be there twice, and the items go out
    oldest first with strictly increasing timestamps."""
    env = poll_env(pipeline, state_topic_for(pipeline)) | {"NEWSWIRE_POLL_HOST_DELAY": "0"}
    url = feed_server.url("/many.xml")
    poller = subprocess.Popen(
        [sys.executable, "-m", "newswire", "poll", "--once", url],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and len(pages_requested(feed_server)) < 56:
            time.sleep(0.01)
        poller.kill()  # SIGKILL: no clean-up of any kind
        poller.wait(timeout=30)
    finally:
        if poller.poll() is None:
            poller.kill()
    before = len(asyncio.run(_read_topic(pipeline.bootstrap, pipeline.raw, settle=0.5)))
    assert 32 <= before < MANY, "the kill must land mid-feed"
    output = poll_once(env, [url])
    assert "error" not in status_line(output, url), output
    records = asyncio.run(_read_stamped(pipeline.bootstrap, pipeline.raw))
    ids = [key for _, key, _ in records]
    expected = parse_feed(many_feed(feed_server.base), None, max_bytes=10**7)
    assert isinstance(expected, ParsedFeed)
    assert set(ids) == {item.id for item in expected.items}, "nothing lost"
    assert len(ids) - len(set(ids)) <= 16, "at most the chunk in flight is sent twice"
    first_seen = list(dict.fromkeys(record["headline"] for _, _, record in records))
    assert first_seen == [f"Council notice number {n}" for n in range(MANY)], "oldest first"
    stamps = [stamp for stamp, _, _ in records]
    assert len(set(stamps)) == len(stamps), "strictly increasing timestamps"
    again = poll_once(env, [url])  # and then nothing more
    assert f"0 new, {MANY} seen" in status_line(again, url), again


def test_a_feed_that_parses_too_long_is_stopped_and_the_others_go_on(
    pipeline: Deployment, feed_server: FeedServer
) -> None:
    """4 MB of unclosed nesting takes feedparser's lenient parser about 30 s of CPU: with a
    1 s budget its status says parse_timeout, and the other feed is published meanwhile."""
    env = poll_env(pipeline, state_topic_for(pipeline)) | {"NEWSWIRE_POLL_PARSE_TIMEOUT": "1"}
    output = poll_once(env, [feed_server.url("/slowparse.xml"), feed_server.url("/repeats.xml")])
    assert "error parse_timeout" in status_line(output, feed_server.url("/slowparse.xml"))
    assert "2 new" in status_line(output, feed_server.url("/repeats.xml")), output


def test_the_poller_exports_metrics_by_feed(pipeline: Deployment, feed_server: FeedServer) -> None:
    """NEWSWIRE_POLL_METRICS_PORT: /metrics says, per feed, what was published, that a feed
    fails and why (what the NewswireFeedFailing alert reads)."""
    port = free_port()
    env = poll_env(pipeline, state_topic_for(pipeline)) | {
        "NEWSWIRE_POLL_METRICS_PORT": str(port),
        "NEWSWIRE_WEB_HOST": "127.0.0.1",
    }
    good, bad = feed_server.url("/repeats.xml"), feed_server.url("/broken.xml")
    poller = subprocess.Popen(
        [sys.executable, "-m", "newswire", "poll", "--interval", "2", good, bad],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while len(feed_server.seen("/repeats.xml")) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)  # two polls of the good feed
        time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
    finally:
        poller.send_signal(signal.SIGTERM)
        _, err = poller.communicate(timeout=60)
    assert poller.returncode == 0, err
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("newswire_poll_items_published_total", (("feed", good),))] == 2
    assert samples[("newswire_poll_feed_up", (("feed", good),))] == 1
    assert samples[("newswire_poll_feed_up", (("feed", bad),))] == 0
    assert samples[("newswire_poll_errors_total", (("feed", bad), ("reason", "http_500")))] >= 1
    assert samples[("newswire_poll_polls_total", (("feed", good), ("outcome", "ok")))] >= 2
    assert samples[("newswire_poll_last_success_timestamp_seconds", (("feed", good),))] > 0
