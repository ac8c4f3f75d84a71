"""A local web site for `make demo-feeds`: serves a folder (examples/feeds/) on 127.0.0.1,
with `{{BASE}}` in its files replaced by the server's own address (so feeds link to pages
here whatever port it got), an ETag per file (a second poll gets 304 Not Modified) and gzip
when asked. Prints `serving <base URL>` once it listens. Not part of the service.

    python deploy/feeds_server.py examples/feeds [--port 0]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import mimetypes
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

TYPES = {".xml": "application/xml", ".json": "application/feed+json", ".html": "text/html"}


class Site(BaseHTTPRequestHandler):
    def __init__(self, *args: object, root: Path, base: list[str], **kwargs: object) -> None:
        self.root, self.base = root, base
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def log_message(self, format: str, *args: object) -> None:
        print(f"   feeds server: {self.command} {self.path} → {args[1]}", flush=True)

    def do_GET(self) -> None:
        path = (self.root / urlsplit(self.path).path.lstrip("/")).resolve()
        if self.root not in path.parents or not path.is_file():
            self._send(404, b"not found", "text/plain")
            return
        body = path.read_bytes().replace(b"{{BASE}}", self.base[0].encode())
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        if self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, ETag=etag)
            return
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "text/plain"
        headers = {"ETag": etag}
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = gzip.compress(body), "gzip"
        self._send(200, body, f"{kind}; charset=utf-8", **headers)

    def _send(self, status: int, body: bytes, kind: str | None, **headers: str) -> None:
        self.send_response(status)
        if kind:
            self.send_header("Content-Type", kind)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    base: list[str] = [""]
    handler = partial(Site, root=args.folder.resolve(), base=base)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler)
    base[0] = f"http://127.0.0.1:{server.server_address[1]}"
    print(f"serving {base[0]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
