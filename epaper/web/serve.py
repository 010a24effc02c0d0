"""`epaper serve [--index DIR] [--host 127.0.0.1] [--port 8000]`: the reading room as a real HTTP server (uvicorn)."""

from __future__ import annotations

import ipaddress
import socket
import sys

from epaper.argparsing import Parser, fail

PROG = "epaper serve"


def _port(value: str) -> int:
    """Argparse type: a TCP port, 0 (any free one) to 65535."""
    import argparse

    if not (value.isascii() and value.isdigit() and len(value) <= 5 and int(value) <= 65535):
        raise argparse.ArgumentTypeError(f"invalid port {value[:20]!r}: use a number from 0 (any free port) to 65535")
    return int(value)


def is_loopback(host: str) -> bool:
    """Whether host names this machine only (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_parser() -> Parser:
    """The parser of `epaper serve`."""
    from epaper.config import ConfigError, default_index

    try:
        index = default_index()
    except ConfigError as exc:
        fail(PROG, str(exc))
    parser = Parser(prog=PROG, description="Serve the reading room: search, articles, KWIC, counts and exports in "
                                           "a web browser, and a JSON API under /api/ (read-only).")
    parser.add_argument("--index", default=index, metavar="DIR",
                        help="index directory (default: $EPAPER_INDEX, the config file's `index`, or data/index)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this machine only; anything else warns)")
    parser.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 = any free port)")
    return parser


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; exits 2 with one line when it cannot be had (port taken, bad host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        fail(PROG, f"cannot listen on {host!r}: {getattr(exc, 'strerror', None) or exc}")
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        fail(PROG, f"cannot listen on {host} port {port}: {exc.strerror or exc}")
    sock.set_inheritable(True)
    return sock


def main(argv: list[str]) -> int:
    """Run the server until interrupted; return the exit status."""
    args = make_parser().parse_args(argv)
    from indexer.errors import EpaperIndexError
    from indexer.schema import open_index

    if not is_loopback(args.host):
        sys.stderr.write(f"{PROG}: warning: listening on {args.host}, not only this machine: anyone who can reach "
                         f"it can read the index (there is no login)\n")
    try:
        open_index(args.index)
    except EpaperIndexError as exc:
        sys.stderr.write(f"{PROG}: warning: {exc}; the pages say so until it is there\n")
    import uvicorn

    from epaper.web.app import create_app

    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"{PROG}: reading room at http://{shown}:{port}/ (index {args.index}); Ctrl-C stops it", flush=True)
    config = uvicorn.Config(create_app(args.index), log_level="warning", access_log=False, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0
