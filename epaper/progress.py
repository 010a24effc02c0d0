"""Progress of a long run on stderr: a rich bar on a terminal, a plain line every few seconds otherwise.

Shared by the crawl (crawler/progress.py) and `indexer build`. EPAPER_PROGRESS=bar|lines|off overrides the
choice; EPAPER_PROGRESS_INTERVAL sets the seconds between plain lines (the first one comes after one interval,
so a run shorter than that prints none).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from typing import TextIO

DEFAULT_INTERVAL = 10.0


def duration(seconds: float) -> str:
    """Seconds as a short duration: 42s, 3m05s, 2h07m."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def progress_mode(stream: TextIO, wanted: str = "") -> str:
    """'bar', 'lines' or 'off': as asked (argument, then $EPAPER_PROGRESS), else a bar on a terminal."""
    mode = (wanted or os.environ.get("EPAPER_PROGRESS", "")).strip().lower()
    if mode in ("bar", "lines", "off"):
        return mode
    return "bar" if stream.isatty() else "lines"


def progress_interval(default: float = DEFAULT_INTERVAL) -> float:
    """Seconds between plain progress lines: $EPAPER_PROGRESS_INTERVAL, else default."""
    try:
        return max(0.0, float(os.environ["EPAPER_PROGRESS_INTERVAL"]))
    except (KeyError, ValueError):
        return default


class Progress:
    """One progress display: update(what, done, total, info) as often as you like; close() at the end."""

    def __init__(self, label: str, mode: str = "", interval: float | None = None, stream: TextIO | None = None):
        self.label = label
        self.stream = stream or sys.stderr
        self.mode = progress_mode(self.stream, mode)
        self.interval = progress_interval() if interval is None else interval
        self.started = time.monotonic()
        self.last_line = self.started
        self._bar = None
        self._task = None
        self._handlers: list[logging.StreamHandler] = []

    def _start_bar(self) -> None:
        """Start the rich bar (on first update, so a run that reports nothing shows nothing)."""
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        console = Console(file=self.stream)
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                             TextColumn("{task.fields[info]}"), console=console, transient=True,
                             redirect_stderr=self.stream is sys.stderr, redirect_stdout=False)
        original = sys.stderr
        self._bar.start()
        if sys.stderr is not original:  # log lines go above the bar, not through it
            self._handlers = [h for h in logging.getLogger().handlers
                              if isinstance(h, logging.StreamHandler) and h.stream is original]
            for handler in self._handlers:
                handler.setStream(sys.stderr)
        self._task = self._bar.add_task(self.label, total=None, info="")

    def update(self, what: str, done: int, total: int | None = None, info: str = "", force: bool = False) -> None:
        """Show `what done/total info`; plain lines at most every interval seconds (force: now)."""
        if self.mode == "off":
            return
        if self.mode == "bar":
            if self._bar is None:
                self._start_bar()
            self._bar.update(self._task, description=f"{self.label}: {what}", completed=done, total=total,
                             info=info)
            return
        now = time.monotonic()
        if not force and now - self.last_line < self.interval:
            return
        self.last_line = now
        count = f" {done}/{total}" if total else (f" {done}" if done else "")
        self.stream.write(f"{self.label}: {what}{count}{'  ' + info if info else ''}\n")
        self.stream.flush()

    def close(self) -> None:
        """Remove the bar (plain lines stay)."""
        if self._bar is not None:
            for handler in self._handlers:
                handler.setStream(self.stream)
            self._bar.stop()
            self._bar = None
