"""The data.police.uk downloader, against a local HTTP server (CI never uses the network)."""

from __future__ import annotations

import functools
import http.server
import io
import threading
import zipfile

import pytest

from workbench.cli import main
from workbench.data import policeuk
from workbench.fetch import archives_for, fetch_policeuk

HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,Crime type,Last outcome category,Context"


def _street(month: str, force: str, n: int) -> str:
    rows = [f"x{i},{month},{force},{force},0,51,On or near A,E01000001,Harlow 001A,Robbery,," for i in range(n)]
    return "\n".join([HEADER, *rows]) + "\n"


def _archive(last: str, months: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for m in months:
            zf.writestr(f"{m}/{m}-essex-street.csv", _street(m, "Essex Police", 2))
            zf.writestr(f"{m}/{m}-kent-street.csv", _street(m, "Kent Police", 3))
            zf.writestr(f"{m}/{m}-essex-outcomes.csv", "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,"
                        f"Location,LSOA code,LSOA name,Outcome type\nx1,{m},Essex Police,Essex Police,0,51,A,E01,H,Local resolution\n")
    return buf.getvalue()


@pytest.fixture
def server(tmp_path):
    """A local HTTP server holding archives 2025-10.zip (2024-01..2025-10, no 2025-03) and 2022-12.zip."""
    root = tmp_path / "site"
    root.mkdir()
    months = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13) if f"{y}-{m:02d}" <= "2025-10"]
    (root / "2025-10.zip").write_bytes(_archive("2025-10", [m for m in months if m != "2025-03"]))
    (root / "2022-12.zip").write_bytes(_archive("2022-12", ["2022-11", "2022-12"]))
    hits = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            hits.append(self.path)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/data/archive/".replace("/data/archive/", "/"), hits
    httpd.shutdown()


def test_archives_cover_the_range_with_the_fewest_downloads():
    assert archives_for(["2024-01", "2025-10"]) == ["2025-10"]
    assert archives_for(["2020-01", "2025-10"]) == ["2025-10", "2020-01"]


def test_fetch_extracts_only_the_force_and_months_and_caches(server, tmp_path):
    url, hits = server
    dest, cache = tmp_path / "dl", tmp_path / "cache"
    log = io.StringIO()
    res = fetch_policeuk("essex", "2025-01", "2025-04", dest, base_url=url, cache=cache, log=log)
    assert sorted(p.name for p in dest.rglob("*.csv")) == [
        "2025-01-essex-street.csv", "2025-02-essex-street.csv", "2025-04-essex-street.csv"]
    assert res.not_in_archive == ["2025-03/2025-03-essex-street.csv"], "a month the archive lacks is listed"
    assert res.downloaded == ["2025-10"] and (cache / "2025-10.zip").exists()
    assert "not in the archive: 2025-03/2025-03-essex-street.csv" in log.getvalue()
    panel = policeuk.read_street(dest)
    assert set(panel["force"]) == {"essex"} and panel["count"].sum() == 6
    # Again with more months: the archive comes from the cache, present files are kept.
    zips = lambda: [h for h in hits if h.endswith(".zip")]  # noqa: E731
    n = len(zips())
    res2 = fetch_policeuk("essex", "2025-01", "2025-05", dest, base_url=url, cache=cache, log=io.StringIO(), outcomes=True)
    assert len(zips()) == n == 1, "no second download"
    assert "2025-01/2025-01-essex-street.csv" in res2.already_present
    assert (dest / "2025-05" / "2025-05-essex-street.csv").exists()
    assert (dest / "2025-01" / "2025-01-essex-outcomes.csv").exists()
    assert not list(dest.rglob("*.part")) and not list(cache.glob("*.part"))


def test_fetch_command_and_its_errors(server, tmp_path, capsys):
    url, _ = server
    dest = tmp_path / "dl"
    code = main(["fetch", "policeuk", "--force", "kent", "--from", "2025-09", "--to", "2025-10", "--dest", str(dest),
                 "--base-url", url, "--cache", str(tmp_path / "c")])
    assert code == 0 and len(list(dest.rglob("*-kent-street.csv"))) == 2
    code = main(["fetch", "policeuk", "--force", "essex", "--from", "2025-11", "--to", "2025-12", "--dest", str(dest),
                 "--base-url", url, "--cache", str(tmp_path / "c")])
    err = capsys.readouterr().err
    assert code == 2 and "the latest archive is 2025-10, so 2025-12 is not published yet" in err and "Fix: choose --to 2025-10" in err
    assert not list((tmp_path / "c").glob("2025-12*")), "no partial download is left"
    code = main(["fetch", "policeuk", "--force", "essex", "--from", "2025-13", "--to", "2025-12"])
    assert code == 2 and "--from '2025-13': expected a month as YYYY-MM" in capsys.readouterr().err


def test_unreachable_server_is_a_clear_error(tmp_path):
    from workbench.errors import DataError

    with pytest.raises(DataError, match=r"cannot download .*Fix: check the network"):
        fetch_policeuk("essex", "2025-01", "2025-01", tmp_path / "d", base_url="http://127.0.0.1:9/",
                       cache=tmp_path / "c", log=io.StringIO(), timeout=5)


def test_without_a_listing_a_missing_archive_is_a_clear_404(server, tmp_path):
    from workbench.errors import DataError

    url, _ = server
    with pytest.raises(DataError, match=r"nolist/2025-12.zip: not found \(HTTP 404\).*Fix: choose an earlier --to"):
        fetch_policeuk("essex", "2025-12", "2025-12", tmp_path / "d", base_url=url + "nolist/", cache=tmp_path / "c",
                       log=io.StringIO())
    assert not list((tmp_path / "c").glob("*"))
