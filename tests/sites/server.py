"""Loopback HTTP server for fixture sites, in the style of Scrapy's own test mockserver.

    python -m tests.sites.server --root DIR [--port 0] [--host 127.0.0.1]

Serves DIR's files byte for byte. .htm/.html go out as bare "text/html" with no charset parameter, like
the real Founder servers, so the page's <meta> decides the encoding. Prints exactly one line
"LISTENING http://HOST:PORT/" once bound, then serves until killed.

Fault routes:
    /__status/{code}            answer with that status
    /__delay/{seconds}/{path}   sleep, then serve path
    /__drop                     close the connection without any response
    /__gb18030/{path}           serve path with "Content-Type: text/html; charset=gb2312" in the header
"""

from __future__ import annotations

import argparse
import mimetypes
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parents[2]
HTML_SUFFIXES = {".htm", ".html"}
INDEX_FILES = ("index.html", "index.htm")
MAX_DELAY = 60.0  # a typo in a test must not hang the suite for hours


def content_type(path: Path) -> str:
    """Content-Type for a file: bare text/html for pages, a guessed type otherwise."""
    if path.suffix.lower() in HTML_SUFFIXES:
        return "text/html"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class FixtureHandler(BaseHTTPRequestHandler):
    """Serves files under the server's root plus the /__* fault routes."""

    server_version = "FixtureHTTP/1.0"
    root: Path = Path(".")

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
        else:
            self.send_file(path, send_body)

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

    def send_text(self, code: int, text: str, send_body: bool) -> None:
        """Send a short plain-text response."""
        body = text.encode("ascii")
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=ascii")
        self.send_header("Content-Length", str(len(body)))
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

    def send_file(self, url_path: str, send_body: bool, ctype: str | None = None) -> None:
        """Serve a file's bytes unchanged, or 404."""
        target = self.resolve(url_path)
        if target is None:
            self.send_text(HTTPStatus.NOT_FOUND, "not found\n", send_body)
            return
        body = target.read_bytes()
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", ctype or content_type(target))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)


def make_server(root: Path, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Bind a threading server for root (port 0 picks a free port)."""
    handler = type("BoundFixtureHandler", (FixtureHandler,), {"root": Path(root)})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True  # a client stuck in a /__delay must not block shutdown
    return server


def main(argv: Sequence[str] | None = None) -> int:
    """CLI: serve --root until killed, announcing the URL on stdout."""
    parser = argparse.ArgumentParser(description="Serve a fixture e-paper site on loopback.")
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    if not args.root.is_dir():
        parser.error(f"--root {args.root} is not a directory")
    server = make_server(args.root, args.host, args.port)
    host, port = server.server_address[:2]
    print(f"LISTENING http://{host}:{port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _read_line(stream, lines: queue.Queue[str]) -> None:
    """Reader thread: hand the first stdout line over (a blocking readline cannot time out by itself)."""
    lines.put(stream.readline())


@contextmanager
def serve(root: Path, timeout: float = 10.0) -> Iterator[str]:
    """Run the server on root in a subprocess and yield its base URL ("http://127.0.0.1:PORT/")."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.sites.server", "--root", str(root), "--port", "0"],
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
