"""HTTP for the poller: conditional GET, per-host politeness, a whole-request timeout, retries
with exponential backoff (and Retry-After), bounded redirects, and a size cap on the decoded
body. Every failure is a `FetchFailed` with a reason; nothing here raises for a bad server."""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import ipaddress
import time
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from newswire.settings import Settings

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
RETRYABLE_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})
# A server asking to wait longer than this is not retried within one poll; the feed's status
# says so and the next poll tries again.
MAX_RETRY_WAIT = 60.0


@dataclass(frozen=True, slots=True)
class Fetched:
    status: int  # 200 (or another 2xx), or 304: not modified since the validators given
    body: bytes
    content_type: str | None
    url: str  # after redirects
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class FetchFailed:
    reason: str  # http_<status>, timeout, connect_error, too_large, too_many_redirects, …
    error: str
    retryable: bool = False
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


class HostGate:
    """Politeness: at most `concurrency` requests at once to one host, and their starts at
    least `delay` seconds apart."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._concurrency, self._delay = concurrency, delay
        self._slots: dict[str, asyncio.Semaphore] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._next: dict[str, float] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        semaphore = self._slots.setdefault(host, asyncio.Semaphore(self._concurrency))
        async with semaphore:
            async with self._locks.setdefault(host, asyncio.Lock()):
                wait = self._next.get(host, 0.0) - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self._next[host] = time.monotonic() + self._delay
            yield


class Fetcher:
    def __init__(self, settings: Settings) -> None:
        self._timeout = settings.poll_timeout
        self._retries = settings.poll_retries
        self._backoff = settings.poll_backoff
        self.gate = HostGate(settings.poll_host_concurrency, settings.poll_host_delay)
        self._max_redirects = settings.poll_max_redirects
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=settings.poll_timeout,
            # Only what _Decoder can decode with a bound on the output (no brotli, zstd).
            headers={"User-Agent": settings.poll_user_agent, "Accept-Encoding": "gzip, deflate"},
            # The settings object is the one source of configuration: no proxy or CA variables.
            trust_env=False,
        )

    async def close(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        max_bytes: int,
        accept: str = FEED_ACCEPT,
        etag: str | None = None,
        last_modified: str | None = None,
        private: bool = True,
    ) -> Fetched | FetchFailed:
        """`private=False`: refuse hosts that resolve to a loopback, private, link-local or
        otherwise non-public address, at every redirect hop (`private_address`). The poller
        passes it for URLs that come from a feed on a public host: a feed must not be able to
        make the poller fetch the cloud metadata service or an intranet page into the raw
        topic. (A check before connecting: a DNS answer that changes between the check and
        the connection is not caught.)"""
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        # Redirects followed here rather than by httpx: each hop waits its turn at its host.
        for _ in range(self._max_redirects + 1):
            if not private and (refused := await refuse_private(url)) is not None:
                return refused
            result = await self._attempts(url, headers, max_bytes)
            if not isinstance(result, _Redirect):
                return result
            url = result.location
        return FetchFailed("too_many_redirects", f"more than {self._max_redirects} redirects")

    async def _attempts(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> Fetched | FetchFailed | _Redirect:
        host = (urlsplit(url).hostname or "").lower()
        attempt = 0
        while True:
            async with self.gate.slot(host):
                result = await self._once(url, headers, max_bytes)
            if not isinstance(result, FetchFailed) or not result.retryable:
                return result
            if attempt >= self._retries:
                return result
            wait = self._backoff * 2**attempt
            if result.retry_after is not None:
                if result.retry_after > MAX_RETRY_WAIT:
                    return result
                wait = max(wait, result.retry_after)
            await asyncio.sleep(wait)
            attempt += 1

    async def _once(
        self, url: str, headers: dict[str, str], max_bytes: int
    ) -> Fetched | FetchFailed | _Redirect:
        try:
            # The whole request, not each read: a server dripping a byte at a time stays
            # within httpx's per-read timeout forever.
            async with asyncio.timeout(self._timeout):
                async with self._client.stream("GET", url, headers=headers) as response:
                    return await self._read(response, max_bytes)
        except TimeoutError:
            return FetchFailed("timeout", f"no complete response in {self._timeout:g} s", True)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            return FetchFailed("invalid_url", str(exc))
        except httpx.TimeoutException as exc:
            return FetchFailed("timeout", f"{type(exc).__name__}: {exc}", True)
        except httpx.ConnectError as exc:  # DNS failures too
            return FetchFailed("connect_error", str(exc) or type(exc).__name__, True)
        except (httpx.HTTPError, zlib.error) as exc:
            return FetchFailed("http_error", f"{type(exc).__name__}: {exc}", True)

    async def _read(
        self, response: httpx.Response, max_bytes: int
    ) -> Fetched | FetchFailed | _Redirect:
        status = response.status_code
        if response.next_request is not None:  # a 3xx with a Location
            return _Redirect(str(response.next_request.url))
        if status >= 400 or status < 200 or (status >= 300 and status != 304):
            return FetchFailed(
                f"http_{status}",
                f"{status} {response.reason_phrase}".strip(),
                retryable=status in RETRYABLE_STATUS,
                retry_after=_retry_after(response.headers.get("Retry-After")),
            )
        body = b""
        if status != 304:
            decoder = _Decoder.of(response.headers.get("Content-Encoding", ""))
            if decoder is None:
                encoding = response.headers.get("Content-Encoding")
                return FetchFailed("bad_encoding", f"unsupported Content-Encoding {encoding!r}")
            chunks: list[bytes] = []
            size = 0
            async for raw in response.aiter_raw():
                chunk = decoder.decode(raw, max_bytes - size + 1)
                size += len(chunk)
                if size > max_bytes:  # stop reading: the rest is never downloaded
                    return FetchFailed("too_large", f"the body exceeds {max_bytes} bytes")
                chunks.append(chunk)
            body = b"".join(chunks)
        return Fetched(
            status=status,
            body=body,
            content_type=response.headers.get("Content-Type"),
            url=str(response.url),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
        )


class _Decoder:
    """gzip/deflate decoded here rather than by httpx, with a bound on each chunk's output:
    a small compressed chunk can inflate a thousandfold, and the cap must hold on what comes
    out, not on what came in."""

    def __init__(self, inflate: zlib._Decompress | None) -> None:
        self._inflate = inflate

    @classmethod
    def of(cls, encoding: str) -> _Decoder | None:
        encoding = encoding.strip().lower()
        if encoding in ("", "identity"):
            return cls(None)
        if encoding in ("gzip", "x-gzip"):
            return cls(zlib.decompressobj(16 + zlib.MAX_WBITS))
        if encoding == "deflate":
            return cls(zlib.decompressobj(32 + zlib.MAX_WBITS))  # zlib or gzip header
        return None

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._inflate is None:
            return data
        out = self._inflate.decompress(data, limit)
        # Output stopped at the limit with input left: the body is over the cap anyway.
        return out + b"\0" if self._inflate.unconsumed_tail else out


def is_public_address(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    return ip.is_global and not ip.is_multicast


async def is_private_host(host: str) -> bool:
    """True if `host` is, or resolves to, any address that is not public (or does not resolve:
    then nothing is fetched from it either way)."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None)
        except OSError:
            return True
        addresses = [str(info[4][0]) for info in infos]
    return not addresses or not all(is_public_address(a) for a in addresses)


async def refuse_private(url: str) -> FetchFailed | None:
    host = urlsplit(url).hostname or ""
    if await is_private_host(host):
        return FetchFailed(
            "private_address", f"{host} is not a public address (the feed is on a public host)"
        )
    return None


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    with contextlib.suppress(TypeError, ValueError, IndexError, OverflowError):
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    return None
