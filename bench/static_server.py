"""A minimal, fast static file server for the crawl benchmark: asyncio, HTTP/1.1 keep-alive, GET/HEAD only.

    .venv/bin/python bench/static_server.py --root build/bench/SITE [--port 0]

Prints "LISTENING http://127.0.0.1:PORT/" once bound. tests/sites/server.py (ThreadingHTTPServer: a thread
and a new connection per request, HTTP/1.0) and `python -m http.server` cost more CPU per request than the
spider they serve; this one answers from one event loop with persistent connections, reading the small
site files on each request (the OS page cache holds them). No fault injection, no directory listings.
"""

from __future__ import annotations

import argparse
import asyncio
import mimetypes
import posixpath
import signal
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

HTML = b"text/html"
MAX_HEAD = 64 * 1024


def content_type(path: str) -> bytes:
    """Bare text/html for pages (the page's meta tag declares the charset, as on real sites)."""
    if path.endswith((".htm", ".html")):
        return HTML
    return (mimetypes.guess_type(path)[0] or "application/octet-stream").encode("ascii")


class StaticProtocol(asyncio.Protocol):
    """One client connection: parse request heads as they arrive, answer each in order."""

    root: str = "."

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buffer) > MAX_HEAD:
                    self.transport.close()
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4:]
            if not self.answer(head):
                self.transport.close()
                return

    def answer(self, head: bytes) -> bool:
        """Send the response to one request head; False when the connection must close afterwards."""
        lines = head.split(b"\r\n")
        try:
            method, target, version = lines[0].split(b" ", 2)
        except ValueError:
            self.send(400, b"bad request\n", b"text/plain", False, True)
            return False
        headers = {k.strip().lower(): v.strip().lower() for k, _, v in (line.partition(b":") for line in lines[1:])}
        connection = headers.get(b"connection", b"")
        keep = connection != b"close" if version == b"HTTP/1.1" else connection == b"keep-alive"
        if method not in (b"GET", b"HEAD"):
            self.send(405, b"method not allowed\n", b"text/plain", keep, True)
            return keep
        path = posixpath.normpath(unquote(urlsplit(target.decode("latin-1")).path))
        if path.startswith("..") or "/.." in path:
            self.send(404, b"not found\n", b"text/plain", keep, method == b"GET")
            return keep
        try:
            with open(self.root + path, "rb") as handle:
                body = handle.read()
        except OSError:  # missing, a folder, unreadable
            self.send(404, b"not found\n", b"text/plain", keep, method == b"GET")
            return keep
        self.send(200, body, content_type(path), keep, method == b"GET")
        return keep

    def send(self, status: int, body: bytes, ctype: bytes, keep: bool, with_body: bool) -> None:
        reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found", 405: b"Method Not Allowed"}[status]
        head = (b"HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: %s\r\n\r\n"
                % (status, reason, ctype, len(body), b"keep-alive" if keep else b"close"))
        self.transport.write(head + body if with_body else head)


async def serve(root: Path, host: str, port: int) -> None:
    protocol = type("BoundStaticProtocol", (StaticProtocol,), {"root": str(root.resolve())})
    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, host, port, backlog=1024, reuse_address=True)
    bound_host, bound_port = server.sockets[0].getsockname()[:2]
    print(f"LISTENING http://{bound_host}:{bound_port}/", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a directory")
    asyncio.run(serve(args.root, args.host, args.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
