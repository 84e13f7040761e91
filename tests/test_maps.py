"""Maps: the design map draws every LSOA once, choropleths draw one patch per polygon, bad files are named."""

import json

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PatchCollection, PathCollection  # noqa: E402

from workbench import maps  # noqa: E402
from workbench.data import demo  # noqa: E402
from workbench.errors import DataError  # noqa: E402


def _square(lon, lat, d=0.01):
    return [[[lon - d, lat - d], [lon + d, lat - d], [lon + d, lat + d], [lon - d, lat + d], [lon - d, lat - d]]]


def _write(path, features):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def _grid(tmp_path, n=6):
    feats = [{"type": "Feature", "properties": {"code": f"A{i}", "name": f"Area {i}"},
              "geometry": {"type": "Polygon", "coordinates": _square(0.5 + 0.03 * i, 51.7)}} for i in range(n)]
    feats.append({"type": "Feature", "properties": {"code": "M", "name": "Two islands"},
                  "geometry": {"type": "MultiPolygon", "coordinates": [_square(0.2, 51.9), _square(0.3, 51.9)]}})
    return _write(tmp_path / "areas.geojson", feats)


def _points(fig):
    return sum(len(c.get_offsets()) for c in fig.axes[0].collections if isinstance(c, PathCollection))


def test_design_map_draws_every_lsoa_once_by_group():
    cents = demo.lsoa_centroids(0.1)
    codes = list(cents["area_code"])
    groups = {"hotspots": codes[:3], "ring": codes[3:8], "controls": codes[20:40]}
    fig = maps.design_map(cents, groups, 650, 400, "Design", "synthetic demo data")
    assert _points(fig) == len(cents)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "hotspots (3)" in labels and "ring (5)" in labels and "controls (20)" in labels
    assert any("650 m" in t for t in labels)
    buffers = [p for p in fig.axes[0].patches if isinstance(p, matplotlib.patches.Ellipse)]
    assert fig.axes[1].get_title(loc="left").startswith("around ")
    assert len(buffers) == 3  # one buffer circle per hotspot
    plt.close(fig)


def test_design_map_names_a_code_without_centroid():
    cents = demo.lsoa_centroids(0.1)
    with pytest.raises(DataError, match="E01999999"):
        maps.design_map(cents, {"hotspots": ["E01999999"]}, 650, 400, "Design", "x")


def test_choropleth_draws_one_patch_per_polygon_and_hatches_areas_without_value(tmp_path):
    b = maps.read_boundaries(_grid(tmp_path))
    values = pd.Series({"Area 0": 1.0, "Area 1": 5.0, "Area 2": 3.0, "Two islands": 2.0, "Nowhere": 4.0})
    fig = maps.choropleth(b.keyed(values.index), values, "Harm", "synthetic demo data", "harm")
    colls = [c for c in fig.axes[0].collections if isinstance(c, PatchCollection)]
    valued, others = colls[0], colls[1]
    assert len(valued.get_paths()) == 5  # three squares and the two islands of one area
    assert len(others.get_paths()) == 3  # Area 3-5 have no value: hatched
    assert "no polygon for 1: Nowhere" in fig.axes[0].get_title(loc="left")
    plt.close(fig)


def test_boundaries_are_keyed_by_the_matching_property(tmp_path):
    b = maps.read_boundaries(_grid(tmp_path)).keyed(["A1", "A2"])
    assert b.key == "code" and set(b.shapes) == {"A1", "A2"}
    with pytest.raises(DataError, match="areas.geojson.*no feature property matches"):
        maps.read_boundaries(_grid(tmp_path)).keyed(["Basildon"])


@pytest.mark.parametrize("content, message", [
    ("{not json", r"bad\.geojson line 1, column 2: not valid JSON"),
    ('{"type": "Feature"}', r"bad\.geojson: not a GeoJSON FeatureCollection"),
    ('{"type": "FeatureCollection", "features": []}', r"bad\.geojson: the FeatureCollection has no features"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": '
     '{"type": "Point", "coordinates": [0, 51]}}]}', r"bad\.geojson feature 0: geometry type 'Point'"),
    ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": '
     '{"type": "Polygon", "coordinates": [[[560000, 190000], [561000, 190000], [561000, 191000], [560000, 190000]]]}}]}',
     r"bad\.geojson: coordinates are not longitude/latitude"),
])
def test_bad_boundary_file_is_named(tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        maps.read_boundaries(path)


def test_missing_file_and_shapefile_are_named(tmp_path):
    with pytest.raises(DataError, match="nowhere.geojson' does not exist"):
        maps.read_boundaries(tmp_path / "nowhere.geojson")
    shp = tmp_path / "lsoa.shp"
    shp.write_bytes(b"\x00\x00\x27\x0a")
    with pytest.raises(DataError, match="lsoa.shp: only GeoJSON.*ogr2ogr"):
        maps.read_boundaries(shp)


def test_essex_districts_match_the_demo_areas(shared_real):
    path = shared_real / "boundaries" / "essex_lad20_bgc.geojson"
    if not path.exists():
        pytest.skip("no Essex boundaries")
    areas = list(demo.AREAS)
    b = maps.read_boundaries(path).keyed(areas)
    assert b.key == "lad20nm" and set(b.shapes) == set(areas)  # all 14 demo areas are districts
    fig = maps.choropleth(b, pd.Series(np.arange(len(areas), dtype=float), index=areas), "Harm", "demo", "harm", names=True)
    assert "no polygon" not in fig.axes[0].get_title(loc="left")
    plt.close(fig)
