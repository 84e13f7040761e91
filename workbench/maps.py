"""Maps of places, drawn with matplotlib alone: no web tiles, no network, no GIS stack.

* :func:`design_map` — LSOAs by their centroids: hotspots, ring, controls and the rest, with the buffer
  around each hotspot.
* :func:`read_boundaries` — polygons from a GeoJSON file (WGS84 lon/lat, as ONS publishes them), every problem
  named with the file.
* :func:`choropleth` — a value per polygon (outcome, effect, harm), with the areas that have none hatched.

Coordinates are longitude/latitude; maps are drawn with the aspect of the mean latitude, so distances look right
at the scale of a force area.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PatchCollection
from matplotlib.patches import Ellipse, Polygon

from workbench.errors import DataError
from workbench.report import title

M_PER_DEG_LAT = 111_320.0

#: Colours of the design map's groups (hotspots, ring, controls, the rest).
GROUP_STYLE = {
    "hotspots": {"color": "#c00000", "s": 36, "marker": "o", "zorder": 5},
    "ring": {"color": "#ed7d31", "s": 18, "marker": "o", "zorder": 4},
    "controls": {"color": "#1f4e79", "s": 18, "marker": "s", "zorder": 3},
    "other LSOAs": {"color": "#bbbbbb", "s": 8, "marker": "o", "zorder": 2},
}


@dataclass
class Boundaries:
    """Polygons read from a boundary file: ``shapes[key]`` is a list of exterior rings (``(n, 2)`` lon/lat arrays)."""

    path: str
    properties: list[dict]
    rings: list[list[np.ndarray]]
    key: str | None = None
    shapes: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def keyed(self, wanted) -> "Boundaries":
        """The boundaries keyed by the property whose values match most of ``wanted`` (codes or names).

        Matching ignores case and surrounding spaces. Raises :class:`DataError` naming the file when no
        property matches any of them.
        """
        wanted = {str(w).strip().lower(): str(w) for w in wanted}
        best, hits = None, 0
        for prop in sorted({k for p in self.properties for k in p}):
            n = sum(str(p.get(prop, "")).strip().lower() in wanted for p in self.properties)
            if n > hits:
                best, hits = prop, n
        if best is None:
            props = sorted({k for p in self.properties for k in p})
            example = ", ".join(list(wanted.values())[:3])
            raise DataError(f"{self.path}: no feature property matches the areas to map (e.g. {example}); the "
                            f"features have the properties {props or 'none'}. Fix: give boundaries whose features "
                            "carry the areas' codes or names (e.g. LSOA21CD for LSOAs, LAD20NM for districts).")
        shapes = {}
        for p, r in zip(self.properties, self.rings):
            v = str(p.get(best, "")).strip().lower()
            if v in wanted:
                shapes.setdefault(wanted[v], []).extend(r)
        return Boundaries(self.path, self.properties, self.rings, best, shapes)


def _rings(geometry: dict, where: str) -> list[np.ndarray]:
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
    if kind == "Polygon":
        polys = [coords]
    elif kind == "MultiPolygon":
        polys = coords
    else:
        raise DataError(f"{where}: geometry type {kind!r}; expected Polygon or MultiPolygon. "
                        "Fix: keep only the area polygons in the file.")
    out = []
    try:
        for poly in polys:
            ring = np.asarray(poly[0], dtype=float)
            if ring.ndim != 2 or ring.shape[0] < 3 or ring.shape[1] < 2:
                raise ValueError
            out.append(ring[:, :2])
    except (TypeError, ValueError, IndexError):
        raise DataError(f"{where}: coordinates are not a list of [lon, lat] rings. Fix: re-export the file as GeoJSON.") from None
    return out


def read_boundaries(path: str | Path) -> Boundaries:
    """Read polygons from a GeoJSON FeatureCollection (lon/lat).

    Raises
    ------
    DataError
        Naming the file: missing, a shapefile (convert it), not JSON (with the line), not a FeatureCollection,
        a feature with no polygon, or coordinates that are not longitude/latitude.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"boundaries: '{path}' does not exist. Fix: point the boundaries parameter at a GeoJSON file.")
    if path.suffix.lower() in (".shp", ".zip", ".gpkg"):
        raise DataError(f"{path}: only GeoJSON boundaries are read. Fix: convert it, e.g. "
                        f"`ogr2ogr -f GeoJSON -t_srs EPSG:4326 {path.stem}.geojson {path.name}`.")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise DataError(f"{path}: not UTF-8 text; expected a GeoJSON file.") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path} line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg}). "
                        "Fix: give a GeoJSON FeatureCollection.") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise DataError(f"{path}: not a GeoJSON FeatureCollection (expected {{\"type\": \"FeatureCollection\", "
                        "\"features\": [...]}). Fix: give the boundaries as a FeatureCollection.")
    if not doc["features"]:
        raise DataError(f"{path}: the FeatureCollection has no features. Fix: give a file with the area polygons.")
    props, rings = [], []
    for i, feat in enumerate(doc["features"]):
        where = f"{path} feature {i}"
        if not isinstance(feat, dict):
            raise DataError(f"{where}: not a GeoJSON Feature.")
        rings.append(_rings(feat.get("geometry"), where))
        props.append(feat.get("properties") or {})
    allxy = np.concatenate([r for rs in rings for r in rs])
    if np.nanmax(np.abs(allxy[:, 0])) > 180 or np.nanmax(np.abs(allxy[:, 1])) > 90:
        raise DataError(f"{path}: coordinates are not longitude/latitude (e.g. British National Grid metres). "
                        f"Fix: re-project to WGS84, e.g. `ogr2ogr -f GeoJSON -t_srs EPSG:4326 out.geojson {path.name}`.")
    return Boundaries(str(path), props, rings)


def _aspect(ax: plt.Axes, lat: float) -> None:
    ax.set_aspect(1 / math.cos(math.radians(lat)))
    ax.set_xticks([])
    ax.set_yticks([])
    for s in ax.spines.values():
        s.set_visible(False)


def _scale_bar(ax: plt.Axes, lat: float) -> None:
    """A scale bar of a round number of km, bottom left."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    width_km = (x1 - x0) * M_PER_DEG_LAT * math.cos(math.radians(lat)) / 1000
    km = max(1, int(10 ** math.floor(math.log10(max(width_km / 5, 1)))))
    km = km * 5 if width_km / 5 > 5 * km else km * 2 if width_km / 5 > 2 * km else km
    dx = km * 1000 / (M_PER_DEG_LAT * math.cos(math.radians(lat)))
    xs, ys = x0 + 0.03 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([xs, xs + dx], [ys, ys], color="#222222", linewidth=2.5, solid_capstyle="butt")
    ax.text(xs + dx / 2, ys + 0.015 * (y1 - y0), f"{km:,} km", ha="center", va="bottom", fontsize=8)


def _draw_design(ax: plt.Axes, pos: pd.DataFrame, shown: dict[str, list], hotspots: list, buffer_m: float,
                 context: Boundaries | None, label_counts: bool) -> None:
    if context is not None:
        ax.add_collection(PatchCollection([Polygon(r, closed=True) for rs in context.rings for r in rs],
                                          facecolor="none", edgecolor="#cccccc", linewidth=0.4, zorder=0))
    for name, codes in shown.items():
        if not codes:
            continue
        style = GROUP_STYLE.get(name, {"color": "#7030a0", "s": 14, "marker": "o", "zorder": 3})
        xy = pos.loc[codes]
        ax.scatter(xy["lon"], xy["lat"], label=f"{name} ({len(codes):,})" if label_counts else None,
                   edgecolors="white", linewidths=0.4, **style)
    for code in hotspots:
        lon, la = pos.loc[code, "lon"], pos.loc[code, "lat"]
        h = 2 * buffer_m / M_PER_DEG_LAT
        ax.add_patch(Ellipse((lon, la), h / math.cos(math.radians(la)), h, fill=False, edgecolor="#c00000",
                             linestyle="--", linewidth=0.8, alpha=0.8, zorder=1))


def _zoom_centre(pos: pd.DataFrame, groups: dict[str, list], radius_m: float) -> tuple[float, float, str]:
    """The hotspot with the most grouped LSOAs within ``radius_m``: where the zoomed panel looks."""
    hot = groups.get("hotspots", [])
    others = pos.loc[[c for k, v in groups.items() for c in v]]
    best, n_best = hot[0], -1
    for code in hot:
        lon, lat = pos.loc[code, "lon"], pos.loc[code, "lat"]
        d = np.hypot((others["lon"] - lon) * math.cos(math.radians(lat)), others["lat"] - lat) * M_PER_DEG_LAT
        n = int((d <= radius_m).sum())
        if n > n_best:
            best, n_best = code, n
    return float(pos.loc[best, "lon"]), float(pos.loc[best, "lat"]), best


def design_map(centroids: pd.DataFrame, groups: dict[str, list], buffer_m: float, ring_m: float,
               heading: str, label: str, context: Boundaries | None = None, names: dict | None = None) -> plt.Figure:
    """LSOAs by centroid: ``groups`` maps "hotspots", "ring", "controls" (and any other name) to area codes;
    every other centroid is drawn grey. A dashed circle of ``buffer_m`` round each hotspot shows the buffer no
    control may enter; the ring is every LSOA within ``ring_m``. The left panel shows the whole area, the right
    one the neighbourhood of the hotspot with most LSOAs around it (its frame drawn on the left).
    ``context``: boundaries drawn faintly beneath; ``names``: code -> name for the zoomed panel's title.

    Raises :class:`DataError` when a grouped code has no centroid.
    """
    pos = centroids.drop_duplicates("area_code").set_index("area_code")[["lon", "lat"]]
    missing = [c for codes in groups.values() for c in codes if c not in pos.index]
    if missing:
        raise DataError(f"map: LSOAs without a centroid: {missing[:5]}. Fix: add them to the centroids file.")
    grouped = {c for codes in groups.values() for c in codes}
    lat = float(pos["lat"].mean())
    fig, (ax, zx) = plt.subplots(1, 2, figsize=(12, 6.2), width_ratios=[1.25, 1])
    rest = pos[~pos.index.isin(grouped)]
    shown = {**{k: list(v) for k, v in groups.items()}, "other LSOAs": list(rest.index)}
    hot = list(groups.get("hotspots", []))
    _draw_design(ax, pos, shown, hot, buffer_m, context, True)
    ax.plot([], [], color="#c00000", linestyle="--", linewidth=0.8,
            label=f"buffer: no control within {buffer_m:,.0f} m of a hotspot (ring: within {ring_m:,.0f} m)")
    ax.autoscale_view()
    _aspect(ax, lat)
    _scale_bar(ax, lat)
    ax.set_title(title(heading, label), loc="left", fontsize=11)
    if hot:
        half = 2.5 * max(buffer_m, ring_m)
        lon0, lat0, code = _zoom_centre(pos, groups, half)
        dy = half / M_PER_DEG_LAT
        dx = dy / math.cos(math.radians(lat0))
        _draw_design(zx, pos, shown, hot, buffer_m, context, False)
        zx.set_xlim(lon0 - dx, lon0 + dx)
        zx.set_ylim(lat0 - dy, lat0 + dy)
        _aspect(zx, lat0)
        _scale_bar(zx, lat0)
        for side in zx.spines.values():
            side.set_visible(True)
            side.set_color("#888888")
        zx.set_title(f"around {(names or {}).get(code, code)} ({2 * half / 1000:,.1f} km across)", loc="left", fontsize=10)
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((lon0 - dx, lat0 - dy), 2 * dx, 2 * dy, fill=False, edgecolor="#888888", linewidth=0.8))
    else:
        zx.set_visible(False)
    fig.legend(*ax.get_legend_handles_labels(), frameon=False, fontsize=8, loc="lower center", ncols=3)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def _tick(fmt: str):
    """A colour-bar tick in ``fmt`` with a true minus sign and no sign on zero."""
    def tick(v: float, _pos=None) -> str:
        return (fmt.format(0.0).replace("+", "") if abs(v) < 1e-12 else fmt.format(v)).replace("-", "\u2212")
    return tick


def choropleth(bounds: Boundaries, values: pd.Series, heading: str, label: str, legend: str,
               cmap: str = "Blues", centre: float | None = None, names: bool = False, fmt: str = "{:,.0f}") -> plt.Figure:
    """One polygon per area of ``values`` (indexed by the areas' codes or names), coloured by its value.

    ``bounds`` is keyed to the values' index (:meth:`Boundaries.keyed`); areas in the file without a value are
    drawn hatched ("no value"), values without a polygon are named in the title's note. ``centre`` makes the
    colour scale symmetric about it (e.g. 0 for a % change); ``names`` writes each area's name and value.
    """
    from matplotlib.colors import Normalize, TwoSlopeNorm

    b = bounds if bounds.key is not None else bounds.keyed(values.index)
    vals = values.dropna()
    patches, colours = [], []
    fig, ax = plt.subplots(figsize=(8.5, 7.5))
    lo, hi = float(vals.min()), float(vals.max())
    if centre is not None:
        span = max(abs(lo - centre), abs(hi - centre)) or 1.0
        norm = TwoSlopeNorm(centre, centre - span, centre + span)
    else:
        norm = Normalize(lo, hi if hi > lo else lo + 1)
    for key, rings in b.shapes.items():
        for ring in rings:
            patches.append(Polygon(ring, closed=True))
            colours.append(vals.get(key, np.nan))
    colours = np.asarray(colours, dtype=float)
    has = ~np.isnan(colours)
    coll = PatchCollection([p for p, h in zip(patches, has) if h], cmap=cmap, norm=norm, edgecolor="#555555", linewidth=0.4)
    coll.set_array(colours[has])
    ax.add_collection(coll)
    others = [Polygon(r, closed=True) for p, rs in zip(b.properties, b.rings)
              for r in rs if str(p.get(b.key, "")).strip().lower() not in {str(k).strip().lower() for k in b.shapes}]
    others += [p for p, h in zip(patches, has) if not h]
    if others:
        ax.add_collection(PatchCollection(others, facecolor="#f2f2f2", edgecolor="#aaaaaa", hatch="///", linewidth=0.3))
        ax.plot([], [], color="#aaaaaa", linewidth=6, alpha=0.4, label="no value")
        ax.legend(frameon=False, fontsize=8, loc="lower right")
    ax.autoscale_view()
    allxy = np.concatenate([r for rs in b.rings for r in rs])
    ax.set_xlim(np.nanmin(allxy[:, 0]), np.nanmax(allxy[:, 0]))
    ax.set_ylim(np.nanmin(allxy[:, 1]), np.nanmax(allxy[:, 1]))
    lat = float(np.nanmean(allxy[:, 1]))
    _aspect(ax, lat)
    _scale_bar(ax, lat)
    if names:
        for key, rings in b.shapes.items():
            big = max(rings, key=len)
            x, y = big[:, 0].mean(), big[:, 1].mean()
            v = vals.get(key, np.nan)
            ax.text(x, y, f"{key}\n{fmt.format(v) if not np.isnan(v) else 'no value'}".replace("-", "\u2212"),
                    ha="center", va="center", fontsize=7, color="#111111",
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.6, "linewidth": 0})
    cbar = fig.colorbar(coll, ax=ax, shrink=0.6, pad=0.02)
    cbar.set_label(legend)
    cbar.ax.yaxis.set_major_formatter(plt.FuncFormatter(_tick(fmt)))
    unmatched = [str(k) for k in vals.index if k not in b.shapes]
    ttl = title(heading, label)
    if unmatched:
        ttl += f"\n(no polygon for {len(unmatched):,}: {', '.join(unmatched[:3])}{' …' if len(unmatched) > 3 else ''})"
    ax.set_title(ttl, loc="left", fontsize=11)
    fig.tight_layout()
    return fig
