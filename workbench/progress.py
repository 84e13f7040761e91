"""Progress of long work, shown where the person is looking and never stored in a notebook.

A notebook run by ``workbench run`` executes in a kernel whose outputs become the report (and, for CI, the
golden copies nbval compares), so progress must not go into the notebook. The runner names a file in the
environment variable :data:`ENV`; the kernel appends one JSON line per event to it (:func:`emit`), and the
runner prints them in the terminal (:class:`Printer`). In JupyterLab (no such variable, a Jupyter server
session) the sampler shows its own progress bar in the notebook instead (:func:`interactive`).
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

#: Environment variable naming the file a kernel appends progress events to (set by the runner).
ENV = "WORKBENCH_PROGRESS"
#: Set to 1 to show the sampler's own progress bar in a notebook (``make lab`` sets it).
BAR_ENV = "WORKBENCH_PROGRESS_BAR"


def interactive() -> bool:
    """Whether the sampler's progress bar belongs in the notebook: a JupyterLab session, not a scheduled run.

    Kernels started by a Jupyter server carry ``JPY_SESSION_NAME``; Papermill's and nbval's do not, so their
    executed notebooks stay byte-stable.
    """
    if os.environ.get(ENV):
        return False
    return os.environ.get(BAR_ENV) == "1" or "JPY_SESSION_NAME" in os.environ


def emit(kind: str, **fields) -> None:
    """Append one progress event to the runner's file (nothing happens outside ``workbench run``)."""
    path = os.environ.get(ENV)
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"kind": kind, "t": time.time(), **fields}) + "\n")
    except OSError:  # progress is a courtesy; it never stops the work
        pass


def clock(seconds: float) -> str:
    """``75`` -> ``"1:15"``; ``3725`` -> ``"1:02:05"``."""
    seconds = max(0, int(round(seconds)))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


class SamplerProgress:
    """A ``progress_callback`` for nutpie: the draws done over all chains, the rate and the time left.

    Events go to the runner's file at most every ``every`` seconds, and once when sampling ends.
    """

    def __init__(self, label: str, every: float = 2.0):
        self.label = label
        self.every = every
        self.started = time.time()
        self.last = 0.0
        self._lock = threading.Lock()

    def __call__(self, chains) -> None:
        done = sum(int(c.finished_draws) for c in chains)
        total = sum(int(c.total_draws) for c in chains)
        self.update(done, total, tuning=any(bool(c.tuning) for c in chains),
                    divergences=sum(int(c.divergences) for c in chains))

    def update(self, done: int, total: int, tuning: bool = False, divergences: int = 0) -> None:
        now = time.time()
        with self._lock:
            if now - self.last < self.every and done < total:
                return
            self.last = now
        elapsed = now - self.started
        eta = elapsed * (total - done) / done if done else None
        emit("sampler", label=self.label, done=done, total=total, elapsed=elapsed, eta=eta, tuning=tuning,
             divergences=divergences)


class Steps:
    """``progress(k, n)`` for a loop of ``n`` items (series fitted one by one): events at most every ``every`` s."""

    def __init__(self, label: str, every: float = 2.0):
        self.label, self.every = label, every
        self.started = time.time()
        self.last = 0.0

    def __call__(self, k: int, n: int) -> None:
        now = time.time()
        if now - self.last < self.every and k < n:
            return
        self.last = now
        elapsed = now - self.started
        left = f", about {clock(elapsed * (n - k) / k)} left" if 0 < k < n else ""
        emit("step", text=f"{self.label}: {k:,}/{n:,}{left}")


class Printer:
    """Reads a run's progress file in a thread and shows the latest state of each notebook in the terminal.

    On a terminal the status line is rewritten in place; in a log (CI, cron) a line is written when the cell
    changes and at most every ``log_every`` seconds while sampling.
    """

    def __init__(self, path: Path, stream: TextIO | None = None, log_every: float = 15.0):
        self.path = Path(path)
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.log_every = log_every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pos = 0
        self._notebook = ""
        self._cell = ""
        self._started = time.time()
        self._sampler = ""
        self._last_line = ""
        self._last_print = 0.0
        self._width = 0

    # ------------------------------------------------------------------ events from the runner's own process
    def notebook(self, name: str) -> None:
        self._notebook, self._cell, self._sampler = name, "", ""
        self._started = time.time()

    def cell(self, index: int, total: int, section: str) -> None:
        self._cell = f"cell {index + 1}/{total}" + (f" ({section})" if section else "")
        self._sampler = ""
        self._show(force=True)

    def step(self, text: str) -> None:
        self._cell, self._sampler = text, ""
        self._show(force=True)

    # ------------------------------------------------------------------ events from the kernel
    def _read(self) -> None:
        try:
            with open(self.path, encoding="utf-8") as fh:
                fh.seek(self._pos)
                chunk = fh.read()
                self._pos = fh.tell()
        except OSError:
            return
        for line in chunk.splitlines():
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("kind") == "sampler":
                share = ev["done"] / ev["total"] if ev.get("total") else 0.0
                left = f", about {clock(ev['eta'])} left" if ev.get("eta") is not None and ev["done"] < ev["total"] else ""
                phase = "tuning" if ev.get("tuning") else "drawing"
                self._sampler = (f"sampling {ev['label']}: {100 * share:.0f}% ({phase}, {ev['done']:,}/{ev['total']:,} "
                                 f"draws{left})")
            elif ev.get("kind") == "compile":
                self._sampler = f"compiling {ev['label']}"
            elif ev.get("kind") == "step":
                self._sampler = ev["text"]

    def _show(self, force: bool = False) -> None:
        if not self._notebook:
            return
        parts = [self._notebook, clock(time.time() - self._started), self._cell, self._sampler]
        line = "  " + " · ".join(p for p in parts if p)
        now = time.time()
        if self.tty:
            pad = max(0, self._width - len(line))
            self.stream.write("\r" + line + " " * pad)
            self._width = len(line)
            self.stream.flush()
        elif line != self._last_line and (force or now - self._last_print >= self.log_every):
            self.stream.write(line + "\n")
            self.stream.flush()
            self._last_line, self._last_print = line, now

    def clear(self) -> None:
        """End the status line before the runner prints a notebook's result."""
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0

    def _loop(self) -> None:
        while not self._stop.wait(1.0):
            self._read()
            self._show()

    def __enter__(self) -> "Printer":
        self.path.touch()
        os.environ[ENV] = str(self.path)
        self._thread = threading.Thread(target=self._loop, name="workbench-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.clear()
        os.environ.pop(ENV, None)


def section_of(cells, index: int) -> str:
    """The title of the last markdown heading at or before cell ``index`` (empty if none)."""
    for cell in reversed(cells[: index + 1]):
        if cell.get("cell_type") == "markdown":
            for line in str(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return ""
