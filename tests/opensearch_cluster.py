"""A real OpenSearch cluster for tests, started from Maven Central artifacts on free loopback ports.

``build()`` compiles services/opensearch (the launcher of one node, see its pom.xml) once and returns the Java
classpath; ``Cluster(n=2)`` starts n nodes as ``java`` subprocesses forming one cluster and waits for green::

    with Cluster(n=2) as cluster:
        cluster.request("PUT", "/articles", {"settings": {"number_of_shards": 2, "number_of_replicas": 1}})
        cluster.stop_node(1)     # SIGTERM, then SIGKILL after a grace period
        cluster.start_node(1)    # same ports, same data: it rejoins
        cluster.wait_for("green")

Node logs go to a temporary folder, printed (their tails) when the cluster fails to start or the ``with`` body
raises, and deleted otherwise. The ``opensearch`` fixture (session scope, registered once in tests/conftest.py:
a module importing it would start a cluster of its own) is this cluster; it skips when java or mvn is missing on a
developer machine and fails under CI.

``python -m tests.opensearch_cluster`` starts a cluster, prints its start time and each node's RSS, and stops it.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE = ROOT / "services" / "opensearch"
TARGET = SERVICE / "target"
CLASSPATH_FILE = TARGET / "classpath.txt"
LAUNCHER = "org.epaper.opensearch.Launcher"
HEAP = "512m"
START_TIMEOUT = 240.0  # s: two JVMs warming up at once on a 2-core machine take ~30 s; a loaded one, more
STOP_GRACE = 30.0  # s between SIGTERM and SIGKILL
IN_CI = os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


class Unavailable(RuntimeError):
    """java or mvn is not on PATH: the cluster cannot be built here."""


class ClusterError(RuntimeError):
    """The cluster could not be built, started, or did not reach the state asked for in time."""


def _sources() -> list[Path]:
    return [SERVICE / "pom.xml", *sorted((SERVICE / "src").rglob("*.java"))]


def build() -> str:
    """Compile the launcher if its pom or sources changed; return the classpath for ``java -cp``.

    Tries Maven offline first (artifacts already in ~/.m2, as `make opensearch-artifacts` leaves them), then online.
    Raises Unavailable when java or mvn is missing, ClusterError with Maven's output when the build fails.
    """
    missing = [tool for tool in ("java", "mvn") if shutil.which(tool) is None]
    if missing:
        raise Unavailable(f"{' and '.join(missing)} not on PATH (Debian: apt-get install openjdk-17-jdk-headless"
                          " maven)")
    built = CLASSPATH_FILE.stat().st_mtime if CLASSPATH_FILE.exists() else 0.0
    if built <= max(path.stat().st_mtime for path in _sources()):
        outputs = []
        for offline in (["-o"], []):
            run = subprocess.run(["mvn", "-q", "-B", *offline, "package"], cwd=SERVICE, capture_output=True,
                                 text=True)
            if run.returncode == 0:
                CLASSPATH_FILE.touch()  # Maven leaves an unchanged classpath file's date alone
                break
            outputs.append(run.stdout + run.stderr)
        else:
            raise ClusterError("mvn package failed in services/opensearch:\n" + outputs[-1][-4000:])
    return f"{TARGET / 'classes'}{os.pathsep}{CLASSPATH_FILE.read_text().strip()}"


def free_port() -> int:
    """A TCP port nothing listens on at 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class Cluster:
    """n OpenSearch nodes on loopback forming one cluster; a context manager.

    Every node is cluster-manager eligible and holds data. With two such nodes only the elected cluster manager
    votes, so the cluster survives losing the other node (``manager()`` says which one that is), not the manager.
    """

    def __init__(self, n: int = 2, heap: str = HEAP, start_timeout: float = START_TIMEOUT) -> None:
        self.n = n
        self.heap = heap
        self.start_timeout = start_timeout
        self.name = f"epaper-test-{os.getpid()}"
        self.http_ports = [free_port() for _ in range(n)]
        self.transport_ports = [free_port() for _ in range(n)]
        self.workdir: Path | None = None
        self.classpath = ""
        self.processes: list[subprocess.Popen | None] = [None] * n
        self.started_in = 0.0  # seconds from launching the JVMs to green

    @property
    def urls(self) -> list[str]:
        """Every node's HTTP URL, in node order."""
        return [f"http://127.0.0.1:{port}" for port in self.http_ports]

    @property
    def url(self) -> str:
        """The HTTP URL of the first node that is running."""
        running = [url for url, proc in zip(self.urls, self.processes, strict=True) if proc and proc.poll() is None]
        return running[0] if running else self.urls[0]

    def log_path(self, i: int) -> Path:
        """Node i's log file (stdout and stderr of its JVM)."""
        assert self.workdir is not None
        return self.workdir / f"node-{i}.log"

    def logs(self, lines: int = 40) -> str:
        """The last lines of every node's log, headed by the node."""
        return "\n".join(f"--- node {i} ({self.log_path(i)}) ---\n{_tail(self.log_path(i), lines)}"
                         for i in range(self.n))

    def __enter__(self) -> Cluster:
        self.classpath = build()
        self.workdir = Path(tempfile.mkdtemp(prefix="opensearch-"))
        atexit.register(self.close)
        began = time.monotonic()
        try:
            for i in range(self.n):
                self.start_node(i)
            self.wait_for("green")
        except BaseException:
            self.close(keep_logs=True)
            raise
        self.started_in = time.monotonic() - began
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(keep_logs=kind is not None)

    def close(self, keep_logs: bool = False) -> None:
        """Stop every node; print their logs' tails and keep the folder when keep_logs, else delete it."""
        for i in range(self.n):
            self.stop_node(i)
        if self.workdir is None:
            return
        if keep_logs:
            print(self.logs(), file=sys.stderr)
            print(f"OpenSearch logs and data kept in {self.workdir}", file=sys.stderr)
        else:
            shutil.rmtree(self.workdir, ignore_errors=True)
        self.workdir = None
        atexit.unregister(self.close)

    def _settings(self, i: int) -> list[str]:
        assert self.workdir is not None
        seeds = ",".join(f"127.0.0.1:{port}" for port in self.transport_ports)
        managers = ",".join(f"node-{k}" for k in range(self.n))
        return [f"cluster.name={self.name}", f"node.name=node-{i}", f"path.home={self.workdir / f'node-{i}'}",
                f"http.port={self.http_ports[i]}", f"transport.port={self.transport_ports[i]}",
                f"discovery.seed_hosts={seeds}", f"cluster.initial_cluster_manager_nodes={managers}"]

    def start_node(self, i: int) -> None:
        """Launch node i (again: same ports, same data folder); returns at once, see wait_for."""
        if self.processes[i] is not None and self.processes[i].poll() is None:
            raise ClusterError(f"node {i} is already running")
        with open(self.log_path(i), "ab") as log:
            self.processes[i] = subprocess.Popen(
                ["java", f"-Xms{self.heap}", f"-Xmx{self.heap}", "-Dlauncher.exitOnStdinEof=true", "-cp",
                 self.classpath, LAUNCHER, *self._settings(i)],
                # the node stops when this pipe closes: no JVM outlives a test run killed before its clean-up
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.PIPE, start_new_session=True)

    def stop_node(self, i: int) -> None:
        """Stop node i: SIGTERM (the node closes cleanly and leaves the cluster), SIGKILL after STOP_GRACE s."""
        proc = self.processes[i]
        if proc is None:
            return
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdin:
            proc.stdin.close()

    def rss_mb(self, i: int) -> float:
        """Node i's resident memory in MiB (from /proc), 0 when it is not running."""
        proc = self.processes[i]
        if proc is None or proc.poll() is not None:
            return 0.0
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def request(self, method: str, path: str, body: Any = None, url: str | None = None, timeout: float = 30) -> Any:
        """Send one HTTP request with a JSON body (a str body goes as is, for _bulk); return the decoded JSON.

        Raises ClusterError with OpenSearch's reply on an HTTP error status.
        """
        data = body if isinstance(body, str) or body is None else json.dumps(body, ensure_ascii=False)
        kind = "application/x-ndjson" if isinstance(body, str) else "application/json"
        req = urllib.request.Request((url or self.url) + path, method=method, headers={"Content-Type": kind},
                                     data=data.encode("utf-8") if data is not None else None)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as reply:
                return json.loads(reply.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise ClusterError(f"{method} {path}: HTTP {error.code}: {error.read().decode(errors='replace')}") from None

    def wait_for(self, status: str = "green", nodes: int | None = None, timeout: float | None = None) -> dict:
        """Wait until the cluster health is at least status with exactly `nodes` nodes (default: every running node).

        Returns the health; raises ClusterError with the nodes' logs on a node's exit or at the deadline.
        """
        deadline = time.monotonic() + (timeout or self.start_timeout)
        last: Any = "no answer"
        while time.monotonic() < deadline:
            running = [i for i, proc in enumerate(self.processes) if proc is not None and proc.poll() is None]
            dead = [i for i, proc in enumerate(self.processes) if proc is not None and proc.poll() is not None
                    and proc.returncode not in (0, -signal.SIGTERM, 143, -signal.SIGKILL)]
            if dead:
                raise ClusterError(f"node(s) {dead} exited while waiting for {status}:\n{self.logs()}")
            want = len(running) if nodes is None else nodes
            try:
                last = self.request("GET", f"/_cluster/health?wait_for_status={status}&wait_for_nodes={want}"
                                    "&timeout=5s", url=self.urls[running[0]] if running else None, timeout=15)
                if not last["timed_out"]:
                    return last
            except (OSError, ClusterError, ValueError) as error:  # not listening yet, or no manager elected yet
                last = error
                time.sleep(0.5)
        raise ClusterError(f"cluster not {status} with {nodes} node(s) in time; last answer: {last}\n{self.logs()}")

    def manager(self) -> int:
        """Index of the node elected cluster manager."""
        state = self.request("GET", "/_cluster/state/cluster_manager_node,nodes")
        name = state["nodes"][state["cluster_manager_node"]]["name"]
        return int(name.rsplit("-", 1)[1])


@pytest.fixture(scope="session", name="opensearch_session")
def opensearch_session_fixture() -> Iterator[Cluster]:
    """A green two-node cluster for the whole session; skip without java/mvn, fail without them under CI."""
    try:
        with Cluster(n=2) as cluster:
            yield cluster
    except Unavailable as missing:
        if IN_CI:
            pytest.fail(f"{missing}; CI must run the OpenSearch tests, not skip them")
        pytest.skip(str(missing))


@pytest.fixture(name="opensearch")
def opensearch_fixture(opensearch_session: Cluster) -> Cluster:
    """The session's cluster with every node running: a test that stopped a node and failed before restarting
    it does not leave the next test a one-node cluster."""
    stopped = [i for i, proc in enumerate(opensearch_session.processes) if proc is None or proc.poll() is not None]
    for i in stopped:
        opensearch_session.start_node(i)
    if stopped:
        opensearch_session.wait_for("green", nodes=len(opensearch_session.processes))
    return opensearch_session


def main() -> int:
    """Start a two-node cluster, print start time and memory, stop it."""
    try:
        with Cluster(n=2) as cluster:
            health = cluster.request("GET", "/_cluster/health")
            print(f"{health['number_of_nodes']} nodes {health['status']} in {cluster.started_in:.1f} s; RSS "
                  + ", ".join(f"node-{i} {cluster.rss_mb(i):.0f} MiB" for i in range(cluster.n)))
    except (Unavailable, ClusterError) as error:
        print(f"opensearch cluster: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
