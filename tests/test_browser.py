"""The reports as a reader's browser shows them: headless Chromium renders the run index and a publication
report, and prints them to PDF.

Skips only when Chromium is absent and this is not CI (``CI`` set); in CI a missing Chromium fails.
"""

from __future__ import annotations

import os
import re

import pytest

import workbench.runner as runner
from conftest import REPO
from workbench.browser import CHROMIUM_ENV, find_chromium, inspect_page, pdf_pages
from workbench.cli import main
from workbench.run_index import INDEX_NAME

CI = REPO / "params" / "ci.yaml"
NB = "00-data-overview"


@pytest.fixture(scope="module")
def chromium():
    exe = find_chromium()
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing in CI: .ci/run installs Debian's chromium package before the tests")
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium)")
    return exe


@pytest.fixture(scope="module")
def overview_run(chromium, tmp_path_factory):
    """A real run of the data overview with params/ci.yaml."""
    result = runner.run(CI, out_dir=tmp_path_factory.mktemp("outputs"), only=NB)
    assert result.status == "ok", [(n.name, n.error) for n in result.notebooks]
    return result.folder


def test_the_browser_check_can_fail(chromium, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<html><head><title>bad</title></head><body><img src="missing.png">'
                    "<table><thead><tr><th>p_goal_met</th></tr></thead><tbody></tbody></table></body></html>")
    seen = inspect_page(page)
    assert len(seen.broken_images) == 1 and len(seen.empty_tables) == 1
    assert seen.snake_case_headers() == ["p_goal_met"]


@pytest.mark.notebooks
def test_index_renders(overview_run):
    seen = inspect_page(overview_run / INDEX_NAME)
    assert seen.title.startswith("Run “ci”")
    assert not seen.broken_images and not seen.empty_tables, (seen.broken_images, seen.empty_tables)
    assert seen.tables and not seen.snake_case_headers()
    links = re.findall(r'href="([^"#][^"]*)"', (overview_run / INDEX_NAME).read_text())
    assert {f"{NB}.publication.html", f"{NB}.html", f"{NB}.ipynb", f"results/{NB}.json", "run.json"} <= set(links)
    assert [href for href in links if not (overview_run / href).is_file()] == [], "every link opens a file"


@pytest.mark.notebooks
def test_publication_report_renders(overview_run):
    seen = inspect_page(overview_run / f"{NB}.publication.html")
    assert len(seen.images) >= 3, "the overview draws its figures"
    assert not seen.broken_images, seen.broken_images
    assert seen.tables and not seen.empty_tables, seen.empty_tables


@pytest.mark.notebooks
def test_publication_report_leaves_out_where_the_code_lives(overview_run):
    """The analyst's HTML says which modules hold the logic; a board paper does not."""
    assert "The logic lives in" in (overview_run / f"{NB}.html").read_text()
    publication = (overview_run / f"{NB}.publication.html").read_text()
    assert "The logic lives in" not in publication and "workbench.evaluations" not in publication


def test_analyst_paragraphs_are_removed_and_the_rest_kept():
    from workbench.runner import analyst_text_removed

    text = "# Title\n\nWhat this answers.\n\nThe logic lives in `workbench.x`;\nthis notebook calls it.\n\nRead on."
    assert analyst_text_removed(text) == "# Title\n\nWhat this answers.\n\nRead on."
    assert analyst_text_removed("No pointer here.") == "No pointer here."


@pytest.mark.notebooks
def test_publication_report_headers_are_words(overview_run):
    seen = inspect_page(overview_run / f"{NB}.publication.html")
    assert not seen.snake_case_headers(), f"raw variable names as table headers: {seen.snake_case_headers()}"


@pytest.mark.notebooks
def test_pdf(overview_run, capsys):
    assert main(["pdf", str(overview_run)]) == 0
    out = capsys.readouterr().out
    for pdf in (overview_run / f"{NB}.publication.pdf", overview_run / "index.pdf"):
        assert str(pdf) in out, "every PDF written is named"
        assert pdf.read_bytes()[:5] == b"%PDF-", pdf
        assert pdf_pages(pdf) > 0, pdf
    assert pdf_pages(overview_run / f"{NB}.publication.pdf") > 1, "the report's figures and tables take pages"
    assert f'href="{NB}.publication.pdf"' in (overview_run / INDEX_NAME).read_text(), "the index links the PDF"


def test_pdf_without_chromium(tmp_path, monkeypatch, capsys):
    (tmp_path / "run.json").write_text("{}")
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    assert main(["pdf", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "Chromium is needed" in err and "apt-get install chromium" in err
    assert not list(tmp_path.glob("*.pdf"))


def test_pdf_of_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["pdf", str(tmp_path)]) == 2
    assert "not a run folder (it has no run.json)" in capsys.readouterr().err


def test_run_pdf_checks_chromium_before_running(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(CHROMIUM_ENV, str(tmp_path / "no-such-chromium"))
    assert main(["run", str(CI), "--out", str(tmp_path / "out"), "--only", NB, "--pdf"]) == 2
    assert "Chromium is needed" in capsys.readouterr().err
    assert not (tmp_path / "out").exists(), "nothing was run or written"
