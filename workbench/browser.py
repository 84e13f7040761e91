"""Reports through a real browser: headless Chromium renders them to PDF, to a screenshot, or reports what it saw.

Board papers travel as PDF: :func:`pdf_run` prints each publication HTML of a run folder, and its index, to
PDF with the same engine a reader's browser uses. :func:`inspect_page` loads a page and returns what the
browser drew: every image (and whether it loaded), and every table's header cells and row count.

Chromium is Debian's ``chromium`` package (``apt-get install chromium``) or any Chromium/Chrome named by the
``WORKBENCH_CHROMIUM`` environment variable. Nothing is fetched from the network: pages are local files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError

CHROMIUM_ENV = "WORKBENCH_CHROMIUM"
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio")
TIMEOUT_S = 120


class BrowserMissing(WorkbenchError):
    """No Chromium to render with."""


class BrowserFailed(WorkbenchError):
    """Chromium ran but did not produce what was asked."""


def find_chromium() -> str | None:
    """The Chromium executable: ``$WORKBENCH_CHROMIUM``, else the first of :data:`CANDIDATES` on the PATH."""
    named = os.environ.get(CHROMIUM_ENV)
    if named:
        return named if Path(named).is_file() or shutil.which(named) else None
    return next((p for p in map(shutil.which, CANDIDATES) if p), None)


def require_chromium() -> str:
    """The Chromium executable, or :class:`BrowserMissing` saying how to install it."""
    exe = find_chromium()
    if exe is None:
        named = os.environ.get(CHROMIUM_ENV)
        where = f"{CHROMIUM_ENV}={named} is not an executable" if named else f"none of {', '.join(CANDIDATES)} is on the PATH"
        raise BrowserMissing(
            f"Chromium is needed to render the reports, but {where}.\n"
            "Fix: install it (Debian/Ubuntu: sudo apt-get install chromium), or set "
            f"{CHROMIUM_ENV} to a Chromium or Chrome executable."
        )
    return exe


def _run(args: list[str], what: str) -> subprocess.CompletedProcess:
    exe = require_chromium()
    with tempfile.TemporaryDirectory(prefix="workbench-chromium-") as profile:
        cmd = [exe, *FLAGS, f"--user-data-dir={profile}", *args]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise BrowserFailed(f"Chromium took over {TIMEOUT_S} s to render {what}; nothing was written.") from None
    return done


def _url(path: Path) -> str:
    return Path(path).resolve().as_uri()


def print_pdf(page: Path, pdf: Path) -> Path:
    """Print an HTML file to PDF (A4, no browser header or footer) and return the PDF's path."""
    pdf = Path(pdf)
    pdf.unlink(missing_ok=True)
    done = _run([f"--print-to-pdf={pdf.resolve()}", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                 "--virtual-time-budget=10000", _url(page)], str(page))
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise BrowserFailed(f"Chromium wrote no PDF for {page}: {_tail(done.stderr)}")
    return pdf


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 1600) -> Path:
    """A PNG of the first ``width`` × ``height`` pixels of a page, as a reader's screen shows it."""
    png = Path(png)
    png.unlink(missing_ok=True)
    done = _run([f"--screenshot={png.resolve()}", f"--window-size={width},{height}", "--virtual-time-budget=10000",
                 _url(page)], str(page))
    if not png.is_file():
        raise BrowserFailed(f"Chromium wrote no screenshot for {page}: {_tail(done.stderr)}")
    return png


def _tail(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if "dbus" not in ln.lower()]
    return " | ".join(lines[-3:]) or "no message"


def pdf_pages(pdf: Path) -> int:
    """The number of pages of a PDF Chromium wrote (its page objects, ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", Path(pdf).read_bytes()))


# ----------------------------------------------------------------------------- what the browser drew

#: Runs in the checker page once the report (in an iframe) has loaded, and writes what it found as JSON.
_PROBE = """
<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<iframe id="f" style="width:1280px;height:1600px" src="__URL__"></iframe>
<pre id="wb-report"></pre>
<script>
document.getElementById('f').addEventListener('load', function () {
  var out = {title: '', images: [], tables: [], error: null};
  try {
    var d = this.contentDocument;
    out.title = d.title;
    d.querySelectorAll('img').forEach(function (img) {
      out.images.push({src: (img.getAttribute('src') || '').slice(0, 80), complete: img.complete,
                       width: img.naturalWidth, height: img.naturalHeight});
    });
    d.querySelectorAll('table').forEach(function (t) {
      var heads = [];
      t.querySelectorAll('th').forEach(function (th) { heads.push(th.textContent.trim()); });
      var rows = 0;
      t.querySelectorAll('tbody tr').forEach(function (tr) {
        if (tr.querySelector('td')) { rows += 1; }
      });
      out.tables.push({headers: heads, rows: rows});
    });
  } catch (e) { out.error = String(e); }
  document.getElementById('wb-report').textContent = JSON.stringify(out);
});
</script></body></html>
"""


@dataclass
class PageReport:
    """What Chromium drew for one page."""

    page: Path
    title: str
    images: list[dict]
    tables: list[dict]

    @property
    def broken_images(self) -> list[dict]:
        """Images that did not load or decode (no pixels)."""
        return [i for i in self.images if not i["complete"] or i["width"] == 0 or i["height"] == 0]

    @property
    def empty_tables(self) -> list[dict]:
        """Tables with no data row."""
        return [t for t in self.tables if t["rows"] == 0]

    def snake_case_headers(self) -> list[str]:
        """Header cells that are raw variable names (``p_goal_met``): lower case words joined by underscores."""
        return sorted({h for t in self.tables for h in t["headers"] if SNAKE.fullmatch(h)})


SNAKE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+")


def inspect_page(page: Path) -> PageReport:
    """Load ``page`` in headless Chromium and report its images and tables as the browser saw them."""
    page = Path(page).resolve()
    with tempfile.TemporaryDirectory(prefix="workbench-probe-") as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(_PROBE.replace("__URL__", page.as_uri()), encoding="utf-8")
        done = _run(["--allow-file-access-from-files", "--virtual-time-budget=15000", "--dump-dom", probe.as_uri()],
                    str(page))
    m = re.search(r'<pre id="wb-report">(.*?)</pre>', done.stdout, re.S)
    if not m or not m.group(1).strip():
        raise BrowserFailed(f"Chromium did not report on {page}: {_tail(done.stderr)}")
    import html

    data = json.loads(html.unescape(m.group(1)))
    if data.get("error"):
        raise BrowserFailed(f"Chromium could not read {page}: {data['error']}")
    return PageReport(page, data["title"], data["images"], data["tables"])


# ----------------------------------------------------------------------------- a run folder to PDF


def pdf_run(folder: Path, say=print) -> list[Path]:
    """Print every publication HTML of a run folder, then its index, to PDF beside them.

    ``NAME.publication.html`` gives ``NAME.publication.pdf``; the index is written again first so that it
    links the PDFs, then printed to ``index.pdf``.

    Raises
    ------
    WorkbenchError
        ``folder`` is not a run folder, or Chromium is missing.
    """
    from workbench.run_index import INDEX_NAME, write_index

    folder = Path(folder)
    if not (folder / "run.json").is_file():
        raise WorkbenchError(
            f"{folder}: not a run folder (it has no run.json). Fix: give a folder that `workbench run` wrote, "
            "e.g. outputs/<run_name>/latest."
        )
    require_chromium()
    written = []
    for page in sorted(folder.glob("*.publication.html")):
        pdf = print_pdf(page, page.with_suffix(".pdf"))
        say(f"  {pdf}")
        written.append(pdf)
    index = write_index(folder.resolve())  # now linking the PDFs
    pdf = print_pdf(index, folder / INDEX_NAME.replace(".html", ".pdf"))
    say(f"  {pdf}")
    written.append(pdf)
    return written
