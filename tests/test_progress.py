"""Progress of long work goes to the terminal, never into the executed notebook."""

from __future__ import annotations

import io
import time

from workbench import progress


def test_events_reach_the_printer_and_say_how_long_is_left(tmp_path, monkeypatch):
    monkeypatch.delenv(progress.ENV, raising=False)
    out = io.StringIO()
    with progress.Printer(tmp_path / "events.jsonl", out, log_every=0) as pr:
        pr.notebook("10-goal-tracking")
        pr.cell(3, 11, "Fitting the models")
        cb = progress.SamplerProgress("the pooled forecaster", every=0)
        cb.started -= 10  # ten seconds in
        cb.update(250, 1000, tuning=True)
        time.sleep(1.5)
        progress.emit("compile", label="the next model")
        time.sleep(1.5)
    text = out.getvalue()
    assert "10-goal-tracking" in text and "cell 4/11 (Fitting the models)" in text
    assert "sampling the pooled forecaster: 25% (tuning, 250/1,000 draws, about 0:30 left)" in text
    assert text.rstrip().endswith("compiling the next model")
    assert progress.ENV not in __import__("os").environ, "the variable is removed after the run"


def test_nothing_is_written_outside_a_run(monkeypatch, tmp_path):
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    progress.emit("sampler", label="x", done=1, total=2)
    assert list(tmp_path.iterdir()) == []


def test_the_notebook_bar_shows_in_jupyterlab_only(monkeypatch):
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.delenv(progress.BAR_ENV, raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    assert not progress.interactive()  # papermill, nbval: executed notebooks stay byte-stable
    monkeypatch.setenv("JPY_SESSION_NAME", "notebooks/10-goal-tracking.ipynb")
    assert progress.interactive()
    monkeypatch.setenv(progress.ENV, "/tmp/events.jsonl")
    assert not progress.interactive(), "under workbench run progress goes to the terminal"


def test_steps_and_clock():
    assert progress.clock(75) == "1:15" and progress.clock(3725) == "1:02:05"
    assert progress.section_of([{"cell_type": "markdown", "source": "# Title\n\ntext"},
                                {"cell_type": "code", "source": "x"},
                                {"cell_type": "markdown", "source": "## Fitting\n"},
                                {"cell_type": "code", "source": "y"}], 3) == "Fitting"
