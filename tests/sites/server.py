"""Loopback HTTP server for fixture sites, in the style of Scrapy's own test mockserver.

    python -m tests.sites.server --root DIR [--port 0] [--host 127.0.0.1]
                                 [--chaos SEED:RATE] [--stall SECONDS] [--broken PATH ...]

Serves DIR's files byte for byte. .htm/.html go out as bare "text/html" with no charset parameter, like
the real Founder servers, so the page's <meta> decides the encoding. Prints exactly one line
"LISTENING http://HOST:PORT/" once bound, then serves until killed.

Fault routes:
    /__status/{code}            answer with that status
    /__delay/{seconds}/{path}   sleep, then serve path
    /__drop                     close the connection without any response
    /__gb18030/{path}           serve path with "Content-Type: text/html; charset=gb2312" in the header
    /__attempts                 JSON {"attempts": {path: requests}, "injected": {path: [fault, ...]}, "lies": [path]}

Hostile routes (redirects a crawler must not follow; each keeps an article-shaped path after the prefix):
    /__loop/{path}              302 to itself, for ever
    /__ping/{path}              302 to /__pong/{path}, which 302s back to /__ping/{path}
    /__redirect/{target}/{path} 302 to target, percent-encoded as one segment (an offsite host, ftp://, …)

silent_listener() is a port that accepts connections and never says a word (an FTP or HTTP server that hangs).

Chaos mode (--chaos SEED:RATE [--stall SECONDS] [--broken PATH ...]) makes ordinary file paths misbehave
deterministically, the way a flaky real server does, but so that a retried request eventually succeeds:

    * a fraction RATE of paths, chosen by hashing SEED and the path, fail their first 1 or 2 requests, each
      attempt with one of FAULTS (also chosen by hash): 500, 503, 429 with "Retry-After: 1", a stall (sleep
      --stall seconds, longer than the crawl's DOWNLOAD_TIMEOUT, then close), a dropped connection (close
      with no response) or a truncated body (a Content-Length larger than the bytes sent, then close);
    * independently, a fraction RATE of .htm/.html paths always go out with "Content-Type: text/html;
      charset=utf-8" over their GBK bytes: a lying charset header, on every attempt, as on a real site;
    * --broken PATH (repeatable) answers 500 to every request for that path, for good.

/robots.txt is never faulted. Requests are counted per path (thread-safe) whether or not chaos is on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import mimetypes
import queue
import socket
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
HTML_SUFFIXES = {".htm", ".html"}
INDEX_FILES = ("index.html", "index.htm")
MAX_DELAY = 60.0  # a typo in a test must not hang the suite for hours
FAULTS = ("500", "503", "429", "stall", "drop", "truncate")  # transient faults, in hash order
NEVER_FAULTED = frozenset({"/robots.txt"})
LYING_CONTENT_TYPE = "text/html; charset=utf-8"


def content_type(path: Path) -> str:
    """Content-Type for a file: bare text/html for pages, a guessed type otherwise."""
    if path.suffix.lower() in HTML_SUFFIXES:
        return "text/html"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


@dataclass(frozen=True)
class Chaos:
    """The deterministic fault plan: which attempt of which path fails how, from a seed and a rate alone."""

    seed: str = ""
    rate: float = 0.0
    stall: float = 4.0
    broken: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, spec: str | None, stall: float = 4.0, broken: Iterable[str] = ()) -> Chaos:
        """Chaos from "SEED:RATE" (None: no random faults, only the broken paths)."""
        seed, rate = "", 0.0
        if spec:
            seed, sep, rate_text = spec.rpartition(":")
            rate = float(rate_text)
            if not sep or not 0.0 <= rate <= 1.0:
                raise ValueError(f"--chaos wants SEED:RATE with 0 <= RATE <= 1, got {spec!r}")
        return cls(seed, rate, min(stall, MAX_DELAY), frozenset("/" + p.lstrip("/") for p in broken))

    def _hash(self, *parts: str) -> int:
        """A stable 64-bit hash of the seed and parts (Python's hash() is salted per process)."""
        digest = hashlib.sha256("\0".join((self.seed, *parts)).encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big")

    def _chosen(self, *parts: str) -> bool:
        """True for a fraction rate of the possible parts."""
        return self.rate > 0 and self._hash(*parts) / 2**64 < self.rate

    def faults(self, path: str) -> tuple[str, ...]:
        """The faults of a path's first attempts, in order (empty: the path always works)."""
        if path in NEVER_FAULTED or not self._chosen("faulty", path):
            return ()
        count = 1 + self._hash("count", path) % 2
        return tuple(FAULTS[self._hash("fault", path, str(n)) % len(FAULTS)] for n in range(1, count + 1))

    def fault(self, path: str, attempt: int) -> str | None:
        """The fault for a path's attempt (1-based), or None to serve it normally."""
        if path in self.broken:
            return "broken"
        faults = self.faults(path)
        return faults[attempt - 1] if attempt <= len(faults) else None

    def lies(self, path: str) -> bool:
        """Whether an HTML path always goes out with a lying charset=utf-8 header."""
        return (path not in NEVER_FAULTED and Path(path).suffix.lower() in HTML_SUFFIXES
                and self._chosen("lie", path))


@dataclass
class Ledger:
    """What the server did, per path: requests seen and faults injected (shared by all handler threads)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    injected: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    lies: set[str] = field(default_factory=set)

    def attempt(self, path: str) -> int:
        """Count a request for path; returns its 1-based attempt number."""
        with self.lock:
            self.attempts[path] += 1
            return self.attempts[path]

    def record(self, path: str, fault: str | None, lie: bool) -> None:
        """Note what a request got."""
        with self.lock:
            if fault:
                self.injected[path].append(fault)
            if lie:
                self.lies.add(path)

    def snapshot(self) -> dict:
        """The JSON /__attempts answers with."""
        with self.lock:
            return {"attempts": dict(self.attempts), "injected": {k: list(v) for k, v in self.injected.items()},
                    "lies": sorted(self.lies)}


class FixtureHandler(BaseHTTPRequestHandler):
    """Serves files under the server's root plus the /__* fault routes."""

    server_version = "FixtureHTTP/1.0"
    root: Path = Path(".")
    chaos: Chaos = Chaos()
    ledger: Ledger  # set per server by make_server

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: test output should not drown in access logs."""

    def do_GET(self) -> None:
        """Dispatch GET to a fault route or a file."""
        self.dispatch(send_body=True)

    def do_HEAD(self) -> None:
        """Dispatch HEAD like GET but without the body."""
        self.dispatch(send_body=False)

    def dispatch(self, send_body: bool) -> None:
        """Route the request path."""
        path = unquote(urlsplit(self.path).path)
        if path.startswith("/__status/"):
            self.send_status(path.removeprefix("/__status/"), send_body)
        elif path.startswith("/__delay/"):
            seconds, _, rest = path.removeprefix("/__delay/").partition("/")
            try:
                time.sleep(min(float(seconds), MAX_DELAY))
            except ValueError:
                self.send_text(HTTPStatus.BAD_REQUEST, "bad delay\n", send_body)
                return
            self.send_file("/" + rest, send_body)
        elif path == "/__drop":
            self.drop()
        elif path.startswith("/__gb18030/"):
            self.send_file("/" + path.removeprefix("/__gb18030/"), send_body, "text/html; charset=gb2312")
        elif path == "/__attempts":
            self.send_json(self.ledger.snapshot(), send_body)
        elif path.startswith(("/__loop/", "/__ping/", "/__pong/", "/__redirect/")):
            self.send_redirect(urlsplit(self.path).path, send_body)
        else:
            self.serve_path(path, send_body)

    def serve_path(self, path: str, send_body: bool) -> None:
        """Serve a file path, counted, with the chaos plan's fault for this attempt (if any)."""
        attempt = self.ledger.attempt(path)
        fault = self.chaos.fault(path, attempt)
        lie = fault is None and self.chaos.lies(path)
        self.ledger.record(path, fault, lie)
        if fault in ("500", "broken"):
            self.send_text(HTTPStatus.INTERNAL_SERVER_ERROR, "chaos: internal error\n", send_body)
        elif fault == "503":
            self.send_text(HTTPStatus.SERVICE_UNAVAILABLE, "chaos: unavailable\n", send_body)
        elif fault == "429":
            self.send_text(HTTPStatus.TOO_MANY_REQUESTS, "chaos: slow down\n", send_body, {"Retry-After": "1"})
        elif fault == "stall":
            time.sleep(self.chaos.stall)
            self.drop()
        elif fault == "drop":
            self.drop()
        elif fault == "truncate":
            self.send_file(path, send_body, truncate=True)
        else:
            self.send_file(path, send_body, LYING_CONTENT_TYPE if lie else None)

    def send_redirect(self, raw_path: str, send_body: bool) -> None:
        """Answer a hostile redirect route with its 302."""
        route, _, rest = raw_path[1:].partition("/")
        if route == "__redirect":
            target, _, _ = rest.partition("/")
            location = unquote(target)
        else:
            location = {"__loop": "/__loop/", "__ping": "/__pong/", "__pong": "/__ping/"}[route] + rest
        self.send_text(HTTPStatus.FOUND, "moved\n", send_body, {"Location": location})

    def drop(self) -> None:
        """Close the socket without writing a byte, so the client sees a dropped connection."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the peer may already be gone; dropping is the point anyway

    def send_status(self, code_text: str, send_body: bool) -> None:
        """Answer /__status/{code} with that code."""
        try:
            code = int(code_text)
        except ValueError:
            self.send_text(HTTPStatus.BAD_REQUEST, "bad status\n", send_body)
            return
        if not 100 <= code <= 599:
            self.send_text(HTTPStatus.BAD_REQUEST, "bad status\n", send_body)
            return
        self.send_text(code, f"status {code}\n", send_body)

    def send_text(self, code: int, text: str, send_body: bool, headers: dict[str, str] | None = None) -> None:
        """Send a short plain-text response."""
        body = text.encode("ascii")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=ascii")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def resolve(self, url_path: str) -> Path | None:
        """Map a URL path to a file under root, or None (missing, a folder without index, or outside root)."""
        root = self.root.resolve()
        target = (root / url_path.lstrip("/")).resolve()
        if target != root and root not in target.parents:
            return None
        if target.is_dir():
            target = next((target / n for n in INDEX_FILES if (target / n).is_file()), target)
        return target if target.is_file() else None

    def send_json(self, data: object, send_body: bool) -> None:
        """Send a JSON document."""
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def send_file(self, url_path: str, send_body: bool, ctype: str | None = None, truncate: bool = False) -> None:
        """Serve a file's bytes unchanged, or 404; truncate: promise them all, send half, close."""
        target = self.resolve(url_path)
        if target is None:
            self.send_text(HTTPStatus.NOT_FOUND, "not found\n", send_body)
            return
        body = target.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype or content_type(target))
        self.send_header("Content-Length", str(len(body) + (1 if truncate else 0)))
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2] if send_body else b"")
            self.drop()
        elif send_body:
            self.wfile.write(body)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0, chaos: Chaos | None = None) -> ThreadingHTTPServer:
    """Bind a threading server for root (port 0 picks a free port), misbehaving as chaos says."""
    attrs = {"root": Path(root), "chaos": chaos or Chaos(), "ledger": Ledger()}
    handler = type("BoundFixtureHandler", (FixtureHandler,), attrs)
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True  # a client stuck in a /__delay must not block shutdown
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: serve --root until killed, announcing the URL on stdout."""
    parser = argparse.ArgumentParser(description="Serve a fixture e-paper site on loopback.")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--chaos", metavar="SEED:RATE", help="inject transient faults into a fraction RATE of paths")
    parser.add_argument("--stall", type=float, default=4.0, metavar="SECONDS", help="length of a stall fault")
    parser.add_argument("--broken", action="append", default=[], metavar="PATH", help="answer 500 for good")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a directory")
    try:
        chaos = Chaos.parse(args.chaos, args.stall, args.broken)
    except ValueError as exc:
        parser.error(str(exc))
    server = make_server(args.root, args.host, args.port, chaos)
    host, port = server.server_address[:2]
    print(f"LISTENING http://{host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


@contextmanager
def silent_listener(host: str = "127.0.0.1") -> Iterator[tuple[int, list[socket.socket]]]:
    """A port that accepts connections and never speaks: yields (port, the connections accepted so far)."""
    listener = socket.create_server((host, 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:  # closed: the test is over
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1], accepted
    finally:
        try:
            listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() on Linux; close() alone does not
        except OSError:
            pass
        listener.close()
        for connection in accepted:
            connection.close()


def _read_line(stream, lines: queue.Queue[str]) -> None:
    """Reader thread: hand the first stdout line over (a blocking readline cannot time out by itself)."""
    lines.put(stream.readline())


@contextmanager
def serve(root: Path, timeout: float = 10.0, *, chaos: str | None = None, broken: Sequence[str] = (),
          stall: float | None = None) -> Iterator[str]:
    """Run the server on root in a subprocess and yield its base URL ("http://127.0.0.1:PORT/").

    chaos ("SEED:RATE"), broken (URL paths) and stall (seconds) are passed on as --chaos, --broken, --stall.
    """
    options = ["--chaos", chaos] if chaos else []
    options += [arg for path in broken for arg in ("--broken", path)]
    options += ["--stall", str(stall)] if stall is not None else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sites.server", "--root", str(root), "--port", "0", *options],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_read_line, args=(proc.stdout, lines), daemon=True).start()
        try:
            line = lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"fixture server did not start within {timeout}s") from None
        if not line.startswith("LISTENING "):
            raise RuntimeError(f"fixture server failed to start: {line!r} (exit {proc.poll()})")
        yield line.split(" ", 1)[1].strip()
    finally:
        proc.kill()
        proc.wait(timeout=10)
        if proc.stdout:
            proc.stdout.close()


if __name__ == "__main__":
    raise SystemExit(main())
