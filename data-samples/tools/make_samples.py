#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Build ecozone's bundled sample layers (data-samples/).

Usage (Debian's interpreter, which has python3-pyproj, python3-shapely and python3-gdal):

    /usr/bin/python3 data-samples/tools/make_samples.py [--raw DIR] [--out DIR]

--raw  folder holding chongqing-rivers.geojson and chongqing-province-dcw.geojson (default: data-samples/raw)
--out  folder the layers are written to (default: data-samples)

Deterministic: no randomness, fixed GeoPackage timestamp; reruns give byte-identical files.
Real geometry: the river centerlines (GSHHG/WDBII) and the municipality outline (DCW-GMT), both LGPL-3+.
Everything else (reserves, red lines, water-source zones, parks, towns, facilities ...) is ILLUSTRATIVE.

Distances follow the engine's semantics: the geodesic (WGS84) distance from a facility to the nearest point of a
river centerline (vertices joined by geodesics), minus width_m/2, clamped at 0. Every deliberate test case is placed
with pyproj.Geod and then verified by brute force against every river (segments densified to <= 5 m, then the
minimum refined by golden-section search); the verified values go to expected-distances.csv.
"""
import argparse
import csv
import io
import json
import math
import os
import sys

import numpy as np
from pyproj import Geod, Transformer
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.geometry.polygon import orient
from shapely.ops import polygonize, substring, unary_union
from shapely.ops import transform as sh_transform

G = Geod(ellps="WGS84")
GPKG_DATE = "2024-01-01T00:00:00.000Z"  # fixed gpkg_contents.last_change, for byte-identical reruns
CRS84 = "urn:ogc:def:crs:OGC:1.3:CRS84"
CRS4490 = "urn:ogc:def:crs:EPSG::4490"
DBS_CENTER = (108.63, 32.085)
ILLUSTRATIVE = "illustrative (ecozone sample data, not an official boundary or record)"


# ----------------------------------------------------------------------------------------------------------------
# Rivers: attributes added to the real WDBII centerlines
# ----------------------------------------------------------------------------------------------------------------
# id -> (name for unnamed, width_m, mainstream, tributary, important, main_list, width note)
RIVER_ATTRS = {
    1: (None, 800.0, 1, 0, 0, 0, "representative width of the Three Gorges reservoir reach (Chongqing city to Wanzhou), not measured"),
    2: (None, 400.0, 0, 1, 1, 1, "representative width of the lower Jialing (Hechuan to Chaotianmen), not measured"),
    3: (None, 300.0, 0, 1, 1, 1, "representative width of the lower Wujiang (Pengshui to Fuling, reservoir reaches), not measured"),
    4: (None, 300.0, 0, 1, 0, 0, "representative width near Yuanling (Hunan), not measured; outside Chongqing"),
    5: (None, 200.0, 0, 1, 0, 1, "representative width of the lower Tuo near Luzhou, not measured; outside Chongqing"),
    6: (None, 250.0, 0, 1, 0, 0, "representative width of the lower Fu (Tongnan to Hechuan), not measured"),
    7: (None, 100.0, 0, 1, 0, 1, "representative width of the lower Chishui near Hejiang, not measured; outside Chongqing"),
    8: (None, 250.0, 0, 1, 0, 0, "representative width of the lower Qu (Guang'an to Hechuan), not measured"),
    9: (None, 100.0, 0, 1, 0, 0, "representative width of the Zhou/Qian He (narrower in Chengkou, wider at Dazhou), not measured"),
    10: (None, 100.0, 0, 1, 0, 0, "representative width of the You on the Chongqing/Hunan border, not measured"),
    11: ("未名河流 (WDBII 3级, R11)", None, 0, 1, 0, 0, "unknown (unnamed WDBII line, western Hunan)"),
    12: (None, 80.0, 0, 1, 0, 0, "representative width of the Furong gorge reach, not measured"),
    13: (None, 100.0, 0, 1, 0, 1, "representative width of the upper Qing near Lichuan/Enshi (Hubei), not measured"),
    14: ("未名河流 (WDBII 4级, R14)", None, 0, 1, 0, 0, "unknown (unnamed WDBII line, north-east Sichuan)"),
    15: ("未名河流 (WDBII 4级, R15)", None, 0, 1, 0, 0, "unknown (unnamed WDBII line, Wanyuan/Xuanhan, Sichuan)"),
    16: ("未名河流 (WDBII 4级, R16)", None, 0, 1, 0, 0, "unknown (unnamed WDBII line, north-west Hubei)"),
    17: ("未名河流 (WDBII 4级, R17)", None, 0, 1, 0, 0, "unknown (unnamed WDBII remnant, Hubei)"),
}
LIST_BASIS = ("yangtze_mainstream: the Yangtze itself; yangtze_tributary: every other line (the whole area lies in the "
              "Yangtze basin); important_tributary: 嘉陵江 and 乌江 (first-order tributaries over 10,000 km2 in "
              "Chongqing, Yangtze River Protection Law); main_tributary_list: the national list 岷江 沱江 赤水河 "
              "嘉陵江 乌江 清江 湘江 汉江 赣江")


class River:
    """A river centerline with vectorised geodesic distance queries."""

    def __init__(self, feat):
        p = feat["properties"]
        self.rid = p["id"]
        alt, w, ms, tr, imp, ml, wnote = RIVER_ATTRS[self.rid]
        self.name = p["name"] or alt
        self.width = w
        self.half = (w or 0.0) / 2.0
        self.mainstream, self.tributary, self.important, self.main_list = ms, tr, imp, ml
        self.feat = feat
        self.wnote = wnote
        g = shape(feat["geometry"])
        parts = [g] if g.geom_type == "LineString" else list(g.geoms)
        vx, vy, sa, sb = [], [], [], []
        for part in parts:
            c = list(part.coords)
            base = len(vx)
            vx += [q[0] for q in c]
            vy += [q[1] for q in c]
            sa += list(range(base, base + len(c) - 1))
            sb += list(range(base + 1, base + len(c)))
        self.vx, self.vy = np.array(vx), np.array(vy)
        self.sa, self.sb = np.array(sa), np.array(sb)
        az, _, L = G.inv(self.vx[self.sa], self.vy[self.sa], self.vx[self.sb], self.vy[self.sb])
        self.az, self.L = np.asarray(az), np.asarray(L)
        self.geom = g

    def _seg_point(self, s, t):
        x, y, _ = G.fwd(self.vx[self.sa[s]], self.vy[self.sa[s]], self.az[s], t * self.L[s])
        return x, y

    def centerline(self, lon, lat):
        """(distance m, nearest point (lon, lat), segment index) from (lon, lat) to the centerline."""
        n = len(self.vx)
        dv = np.asarray(G.inv(np.full(n, lon), np.full(n, lat), self.vx, self.vy)[2])
        ub = dv.min()
        lb = np.minimum(dv[self.sa], dv[self.sb]) - self.L / 2.0
        cand = np.nonzero(lb <= ub + 1e-6)[0]
        S, T, K = [], [], []
        for s in cand:
            k = max(1, int(math.ceil(self.L[s] / 5.0)))  # samples <= 5 m apart
            S.append(np.full(k + 1, s))
            T.append(np.arange(k + 1) / k)
            K.append(np.full(k + 1, k))
        S, T, K = np.concatenate(S), np.concatenate(T), np.concatenate(K)
        px, py, _ = G.fwd(self.vx[self.sa[S]], self.vy[self.sa[S]], self.az[S], T * self.L[S])
        d = np.asarray(G.inv(np.full(len(px), lon), np.full(len(px), lat), px, py)[2])
        i = int(np.argmin(d))
        s, t0, k = int(S[i]), float(T[i]), int(K[i])
        lo, hi = max(0.0, t0 - 1.0 / k), min(1.0, t0 + 1.0 / k)

        def f(t):
            x, y = self._seg_point(s, t)
            return G.inv(lon, lat, x, y)[2]

        gr = (math.sqrt(5) - 1) / 2
        a, b = lo, hi
        c, e = b - gr * (b - a), a + gr * (b - a)
        fc, fe = f(c), f(e)
        for _ in range(60):
            if fc < fe:
                b, e, fe = e, c, fc
                c = b - gr * (b - a)
                fc = f(c)
            else:
                a, c, fc = c, e, fe
                e = a + gr * (b - a)
                fe = f(e)
        cands = [(float(d[i]), t0), (fc, c), (fe, e), (f(lo), lo), (f(hi), hi)]
        dmin, tb = min(cands)
        return dmin, self._seg_point(s, tb), s

    def shore(self, lon, lat):
        return max(0.0, self.centerline(lon, lat)[0] - self.half)


# ----------------------------------------------------------------------------------------------------------------
# Geometry helpers
# ----------------------------------------------------------------------------------------------------------------
def r7(v):
    return float(round(float(v), 7))


def round_coords(coords):
    out = []
    for q in coords:
        p = (r7(q[0]), r7(q[1]))
        if not out or out[-1] != p:
            out.append(p)
    return out


def round_poly(p):
    ext = round_coords(p.exterior.coords)
    holes = [round_coords(h.coords) for h in p.interiors]
    return Polygon(ext, holes)


def round_geom(g):
    if g.geom_type == "Point":
        return Point(r7(g.x), r7(g.y))
    if g.geom_type == "LineString":
        return LineString(round_coords(g.coords))
    if g.geom_type == "Polygon":
        return round_poly(g)
    if g.geom_type == "MultiPolygon":
        return MultiPolygon([round_poly(p) for p in g.geoms])
    raise ValueError(g.geom_type)


def finalize(g):
    """Round to 7 decimals, orient RFC 7946 style (exterior CCW), check validity."""
    g = round_geom(g)
    if g.geom_type == "Polygon":
        g = orient(g, 1.0)
    elif g.geom_type == "MultiPolygon":
        g = MultiPolygon([orient(p, 1.0) for p in g.geoms])
    assert g.is_valid and not g.is_empty, g.wkt[:200]
    return g


def polys_of(g):
    return list(g.geoms) if g.geom_type == "MultiPolygon" else [g]


def blob(center, radius, harmonics=(), n=96, rot=0.0):
    """A star-shaped outline around center: r(az) = radius * (1 + sum a*cos(k*(az-rot) + phase)) metres."""
    th = np.arange(n) * 360.0 / n
    r = np.full(n, float(radius))
    for k, a, ph in harmonics:
        r = r + radius * a * np.cos(np.radians(k * (th - rot) + ph))
    x, y, _ = G.fwd(np.full(n, center[0]), np.full(n, center[1]), th, r)
    return Polygon(list(zip(x, y)))


def rect(center, length, width, azimuth):
    """A rectangle (footprint) of length x width metres, long axis along azimuth."""
    pts = []
    for al, aw in ((1, 1), (-1, 1), (-1, -1), (1, -1)):
        x, y, _ = G.fwd(center[0], center[1], azimuth, al * length / 2.0)
        x, y, _ = G.fwd(x, y, azimuth + 90.0, aw * width / 2.0)
        pts.append((x, y))
    return Polygon(pts)


class Frame:
    """A local azimuthal-equidistant frame (metres) for buffers."""

    def __init__(self, lon0, lat0):
        crs = f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +ellps=WGS84 +units=m +no_defs"
        self.f = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        self.i = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def to_m(self, g):
        return sh_transform(self.f.transform, g)

    def to_ll(self, g):
        return sh_transform(self.i.transform, g)


def partition(blobs, clip=None):
    """Disjoint zones from nested outlines. blobs: [(label, polygon)], innermost first; each face of the noded
    (and 7-decimal rounded) linework goes to the first blob containing it. Shared edges are bit-identical."""
    lines = []
    for _, b in blobs:
        lines.append(b.exterior)
        lines += list(b.interiors)
    if clip is not None:
        lines.append(clip.exterior)
    noded = unary_union(lines)
    rounded = []
    for ln in noded.geoms:
        c = round_coords(ln.coords)
        if len(c) >= 2:
            rounded.append(LineString(c))
    faces = list(polygonize(rounded))
    out = {label: [] for label, _ in blobs}
    for f in faces:
        rp = f.representative_point()
        if clip is not None and not clip.contains(rp):
            continue
        for label, b in blobs:
            if b.contains(rp):
                out[label].append(f)
                break
    res = {}
    for label, fs in out.items():
        u = unary_union(fs)
        u = orient(u, 1.0) if u.geom_type == "Polygon" else MultiPolygon([orient(p, 1.0) for p in u.geoms])
        assert u.is_valid and not u.is_empty, label
        res[label] = u
    labels = list(res)
    for i in range(len(labels)):
        for j in range(i + 1, len(labels)):
            a = res[labels[i]].intersection(res[labels[j]]).area
            assert a == 0.0, (labels[i], labels[j], a)
    return res


def sample_geom(g, step=2.0):
    """Points along a facility geometry (vertices plus geodesic densification to <= step m)."""
    if g.geom_type == "Point":
        return [(g.x, g.y)]
    seqs = [g.coords] if g.geom_type == "LineString" else [r.coords for p in polys_of(g) for r in [p.exterior, *p.interiors]]
    pts = []
    for c in seqs:
        c = list(c)
        for a, b in zip(c[:-1], c[1:]):
            az, _, L = G.inv(a[0], a[1], b[0], b[1])
            k = max(1, int(math.ceil(L / step)))
            pts.append(a)
            for j in range(1, k):
                x, y, _ = G.fwd(a[0], a[1], az, L * j / k)
                pts.append((x, y))
        pts.append(c[-1])
    return pts


def river_distance(g, river):
    """Shoreline distance (m) from a facility geometry to a river, and the centerline distance."""
    if g.geom_type != "Point" and g.intersects(river.geom):
        return 0.0, 0.0
    c = g.centroid
    d0 = river.centerline(c.x, c.y)[0]
    if g.geom_type == "Point":
        dc = d0
    else:
        pts = sample_geom(g)
        rad = max(G.inv(c.x, c.y, x, y)[2] for x, y in pts)
        if d0 - rad > 30000:  # far away: a lower bound is enough
            dc = d0 - rad
        else:
            dc = min(river.centerline(x, y)[0] for x, y in pts)
    return max(0.0, dc - river.half), dc


def polygon_distance(g, zone):
    """Geodesic distance (m) from a facility geometry to a polygon zone (0 when they intersect)."""
    if g.intersects(zone):
        return 0.0
    ring_pts = np.array([q for p in polys_of(zone) for r in [p.exterior, *p.interiors] for q in sample_geom(LineString(r.coords), 5.0)])
    best = float("inf")
    for x, y in sample_geom(g, 5.0):
        d = np.asarray(G.inv(np.full(len(ring_pts), x), np.full(len(ring_pts), y), ring_pts[:, 0], ring_pts[:, 1])[2])
        best = min(best, float(d.min()))
    return best


# ----------------------------------------------------------------------------------------------------------------
# Output writers
# ----------------------------------------------------------------------------------------------------------------
def coords_json(g):
    def ring(c):
        return [[r7(x), r7(y)] for x, y in c]

    t = g.geom_type
    if t == "Point":
        return {"type": "Point", "coordinates": [r7(g.x), r7(g.y)]}
    if t == "LineString":
        return {"type": "LineString", "coordinates": ring(g.coords)}
    if t == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(g.exterior.coords)] + [ring(h.coords) for h in g.interiors]}
    if t == "MultiPolygon":
        return {"type": "MultiPolygon",
                "coordinates": [[ring(p.exterior.coords)] + [ring(h.coords) for h in p.interiors] for p in g.geoms]}
    raise ValueError(t)


def write_geojson(path, name, feats, crs=CRS84, raw_geometry=False):
    buf = io.StringIO()
    buf.write('{"type":"FeatureCollection","name":%s,' % json.dumps(name, ensure_ascii=False))
    buf.write('"crs":{"type":"name","properties":{"name":"%s"}},\n"features":[\n' % crs)
    rows = []
    for props, geom in feats:
        gj = geom if raw_geometry else coords_json(geom)
        rows.append(json.dumps({"type": "Feature", "properties": props, "geometry": gj},
                               ensure_ascii=False, separators=(",", ":")))
    buf.write(",\n".join(rows))
    buf.write("\n]}\n")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(buf.getvalue())


def write_reserves_gpkg(path, feats):
    """Reserve zones as a GeoPackage in EPSG:4545 (CGCS2000 / 3-degree GK CM 108E, easting/northing)."""
    from osgeo import gdal, ogr, osr
    gdal.UseExceptions()
    gdal.SetConfigOption("OGR_CURRENT_DATE", GPKG_DATE)
    if os.path.exists(path):
        os.remove(path)
    src = osr.SpatialReference()
    src.ImportFromEPSG(4326)
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4545)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    ds = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    lyr = ds.CreateLayer("reserves", dst, ogr.wkbMultiPolygon, ["FID=fid", "GEOMETRY_NAME=geom", "SPATIAL_INDEX=YES"])
    fields = [("id", ogr.OFTString), ("reserve", ogr.OFTString), ("level", ogr.OFTString), ("zone", ogr.OFTString),
              ("name", ogr.OFTString), ("district", ogr.OFTString), ("area_km2", ogr.OFTReal), ("source", ogr.OFTString)]
    for fname, ftype in fields:
        lyr.CreateField(ogr.FieldDefn(fname, ftype))
    for props, geom in feats:
        mp = ogr.Geometry(ogr.wkbMultiPolygon)
        for p in polys_of(geom):
            op = ogr.Geometry(ogr.wkbPolygon)
            for r in [p.exterior, *p.interiors]:
                ring = ogr.Geometry(ogr.wkbLinearRing)
                for x, y in r.coords:
                    e, n, _ = ct.TransformPoint(x, y)
                    ring.AddPoint_2D(e, n)
                op.AddGeometry(ring)
            mp.AddGeometry(op)
        f = ogr.Feature(lyr.GetLayerDefn())
        for fname, _ in fields:
            if props.get(fname) is not None:
                f.SetField(fname, props[fname])
        f.SetGeometry(mp)
        lyr.CreateFeature(f)
    ds = None
    gdal.SetConfigOption("OGR_CURRENT_DATE", None)


def gk_roundtrip_exact(lon, lat):
    """True when lon/lat -> EPSG:4545 -> lon/lat (WGS84 and CGCS2000) gives back the same doubles (GDAL/PROJ)."""
    from osgeo import osr
    def srs(code):
        s = osr.SpatialReference()
        s.ImportFromEPSG(code)
        s.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
        return s
    s4326, s4490, s4545 = srs(4326), srs(4490), srs(4545)
    e, n, _ = osr.CoordinateTransformation(s4326, s4545).TransformPoint(lon, lat)
    a = osr.CoordinateTransformation(s4545, s4326).TransformPoint(e, n)
    b = osr.CoordinateTransformation(s4545, s4490).TransformPoint(e, n)
    return a[0] == lon and a[1] == lat and b[0] == lon and b[1] == lat


# ----------------------------------------------------------------------------------------------------------------
# The scenario
# ----------------------------------------------------------------------------------------------------------------
class Builder:
    def __init__(self, raw):
        with open(os.path.join(raw, "chongqing-rivers.geojson"), encoding="utf-8") as f:
            self.raw_rivers = json.load(f)
        with open(os.path.join(raw, "chongqing-province-dcw.geojson"), encoding="utf-8") as f:
            self.outline = shape(json.load(f)["features"][0]["geometry"])
        self.rivers = [River(ft) for ft in self.raw_rivers["features"]]
        self.by_name = {r.name: r for r in self.rivers}
        self.facilities = []  # dicts: id, name, category, status, geom, district, test, intent
        self.zones = {}

    # -- placement ---------------------------------------------------------------------------------------------
    def place(self, river_name, near, bearing, shore_m, center_m=None):
        """A point at shoreline distance shore_m (or centerline distance center_m) from the named river, on the
        perpendicular through the river point nearest `near`, on the side closest to `bearing`. Returns
        ((lon, lat), perpendicular azimuth)."""
        rv = self.by_name[river_name]
        _, q, s = rv.centerline(*near)
        az = float(rv.az[s])
        azp = min((az + 90.0, az - 90.0), key=lambda a: abs(((a - bearing) + 180.0) % 360.0 - 180.0))
        target = center_m if center_m is not None else shore_m + rv.half
        D = target
        for _ in range(40):
            x, y, _ = G.fwd(q[0], q[1], azp, D)
            x, y = r7(x), r7(y)
            m = rv.centerline(x, y)[0]
            err = target - m
            if abs(err) < 0.01:
                break
            D += err
        else:
            raise RuntimeError(f"placement did not converge near {near}")
        return (x, y), azp

    def add(self, name, category, status, geom, district, test, intent=None):
        fid = "F%03d" % (len(self.facilities) + 1)
        if isinstance(geom, tuple):
            geom = Point(geom)
        geom = finalize(geom)
        self.facilities.append(dict(id=fid, name=name, category=category, status=status, geom=geom,
                                    district=district, test=test, intent=intent or {}))
        return fid

    # -- zones --------------------------------------------------------------------------------------------------
    def build_reserves(self):
        out = []
        # 大巴山国家级自然保护区 (城口县北部): nested star outlines clipped by the municipality outline, whose edge is
        # the Chongqing/Shaanxi border, partitioned into disjoint core / buffer / experimental zones.
        c = DBS_CENTER
        hs = ((1, 0.06, 30.0), (2, 0.26, 0.0), (3, 0.08, 200.0), (5, 0.05, 10.0), (7, 0.03, 120.0), (9, 0.015, 40.0))
        core = blob(c, 5600, hs + ((4, 0.06, 60.0),), n=144, rot=125.0)
        buf = blob(c, 8600, hs + ((4, 0.04, 70.0),), n=144, rot=125.0)
        exp = blob(c, 12000, hs + ((4, 0.03, 50.0), (6, 0.03, 0.0)), n=144, rot=125.0)
        parts = partition([("core", core), ("buffer", buf), ("experimental", exp)], clip=self.outline)
        self.dbs = parts
        names = {"core": "核心区", "buffer": "缓冲区", "experimental": "实验区"}
        for z in ("core", "buffer", "experimental"):
            out.append(({"id": f"RZ-DBS-{z}", "reserve": "大巴山国家级自然保护区", "level": "national", "zone": z,
                         "name": "大巴山国家级自然保护区" + names[z], "district": "城口县"}, parts[z]))
        # 金佛山国家级自然保护区 (南川区): Chinese aliases for level and zone.
        c2 = (107.19, 29.06)
        hs2 = ((2, 0.18, 150.0), (3, 0.09, 40.0), (5, 0.04, 300.0), (6, 0.02, 90.0))
        core2 = blob(c2, 3000, hs2, n=96, rot=35.0)
        buf2 = blob(c2, 5200, hs2, n=96, rot=35.0)
        exp2 = blob(c2, 8300, hs2 + ((4, 0.03, 10.0),), n=96, rot=35.0)
        parts2 = partition([("core", core2), ("buffer", buf2), ("experimental", exp2)])
        self.jfs = parts2
        for z in ("core", "buffer", "experimental"):
            out.append(({"id": f"RZ-JFS-{z}", "reserve": "金佛山国家级自然保护区", "level": "国家级", "zone": names[z],
                         "name": "金佛山国家级自然保护区" + names[z], "district": "南川区"}, parts2[z]))
        for p, g in out:
            p["area_km2"] = round(abs(G.geometry_area_perimeter(g)[0]) / 1e6, 3)
            p["source"] = ILLUSTRATIVE
        self.zones["reserves"] = out

    def river_corridor_zones(self, river_name, intake_near, spec):
        """Nested zones along a river around a water intake; spec: [(label, upstream m, downstream m, half-width m
        beyond the bank)] innermost first. Returns (zones dict, frame, projected line, intake s, half width)."""
        rv = self.by_name[river_name]
        _, q, _ = rv.centerline(*intake_near)
        fr = Frame(q[0], q[1])
        line = fr.to_m(rv.geom if rv.geom.geom_type == "LineString" else max(rv.geom.geoms, key=lambda l: l.length))
        s0 = line.project(fr.to_m(Point(q)))
        blobs = []
        for label, up, down, land in spec:
            seg = substring(line, s0 - up, s0 + down)
            blobs.append((label, fr.to_ll(seg.buffer(rv.half + land, cap_style=2, join_style=1))))
        return partition(blobs), fr, line, s0, rv.half

    def corridor_point(self, fr, line, s, offset, side):
        """Point at along-line position s, offset metres to the left (side=+1) or right (-1) of the line."""
        p0, p1 = line.interpolate(s - 5), line.interpolate(s + 5)
        dx, dy = p1.x - p0.x, p1.y - p0.y
        n = math.hypot(dx, dy)
        nx, ny = -dy / n * side, dx / n * side
        c = line.interpolate(s)
        pt = fr.to_ll(Point(c.x + nx * offset, c.y + ny * offset))
        return (r7(pt.x), r7(pt.y))

    def build_water_sources(self):
        out = []
        spec = [("grade1", 1000, 100, 50), ("grade2", 3000, 300, 500), ("quasi", 6000, 500, 1000)]
        ws1, fr1, l1, s1, h1 = self.river_corridor_zones("乌江", (107.86, 29.31), spec)
        ws2, fr2, l2, s2, h2 = self.river_corridor_zones("长江", (106.18, 29.27), spec)
        self.ws = {"WS-WL": (ws1, fr1, l1, s1, h1), "WS-JJ": (ws2, fr2, l2, s2, h2)}
        zh = {"grade1": "一级", "grade2": "二级", "quasi": "准保护区"}
        for g in ("grade1", "grade2", "quasi"):
            out.append(({"id": f"WS-WL-{g}", "name": "乌江武隆城区饮用水水源地" + zh[g] + ("保护区" if g != "quasi" else ""),
                         "grade": g, "river": "乌江", "district": "武隆区"}, ws1[g]))
        for g in ("grade1", "grade2", "quasi"):
            out.append(({"id": f"WS-JJ-{g}", "name": "长江江津区饮用水水源地" + zh[g] + ("保护区" if g != "quasi" else ""),
                         "grade": zh[g], "river": "长江", "district": "江津区"}, ws2[g]))
        for p, _ in out:
            p["source"] = ILLUSTRATIVE
        self.zones["water_sources"] = out

    def build_simple_zones(self):
        F = finalize
        # Red lines
        rl = []
        o = self.outline
        dbs_all = unary_union(list(self.dbs.values()))
        frd = Frame(*DBS_CENTER)
        rl1c = unary_union([frd.to_ll(frd.to_m(dbs_all).buffer(1500, join_style=1)),
                            blob((108.58, 31.99), 9000, ((2, 0.2, 70.0), (3, 0.06, 10.0), (5, 0.03, 200.0)), n=120)])
        rl1c = rl1c.intersection(o)
        hole1 = blob((108.54, 31.965), 1100, ((2, 0.25, 0.0), (3, 0.1, 30.0)), n=40)
        assert rl1c.geom_type == "Polygon" and rl1c.contains(hole1) and not hole1.intersects(dbs_all)
        rl1 = F(rl1c.difference(hole1))
        assert rl1.buffer(1e-6).contains(dbs_all)
        rl.append(({"id": "RL-01", "name": "大巴山生物多样性维护生态保护红线", "function": "biodiversity",
                    "district": "城口县"}, rl1))
        jfs_all = unary_union(list(self.jfs.values()))
        rl2_outer = blob((107.20, 29.07), 11500, ((2, 0.15, 150.0), (3, 0.07, 40.0), (5, 0.03, 200.0)), n=120, rot=35.0)
        hole2 = blob((107.17, 29.163), 800, ((2, 0.2, 20.0),), n=40)
        assert rl2_outer.contains(hole2) and not hole2.intersects(jfs_all) and rl2_outer.contains(jfs_all)
        rl2 = F(rl2_outer.difference(hole2))
        rl.append(({"id": "RL-02", "name": "金佛山生物多样性维护生态保护红线", "function": "生物多样性维护",
                    "district": "南川区"}, rl2))
        p3a = blob((109.62, 31.12), 4200, ((2, 0.25, 0.0), (3, 0.1, 45.0)), n=72, rot=60.0)
        p3b = blob((109.80, 30.96), 3300, ((2, 0.2, 90.0), (4, 0.08, 10.0)), n=72, rot=20.0)
        rl3 = F(MultiPolygon([p3a, p3b]))
        rl.append(({"id": "RL-03", "name": "三峡库区(奉节段)水土保持生态保护红线", "function": "水土保持",
                    "district": "奉节县"}, rl3))
        self.rl4 = F(blob((107.64, 29.50), 5200, ((2, 0.2, 120.0), (3, 0.08, 0.0), (5, 0.04, 70.0)), n=96))
        rl.append(({"id": "RL-04", "name": "武陵山水源涵养生态保护红线(涪陵段)", "function": "water_conservation",
                    "district": "涪陵区"}, self.rl4))
        rl5o = blob((106.37, 29.835), 4300, ((2, 0.35, 60.0), (3, 0.05, 0.0)), n=96, rot=25.0)
        hole5 = blob((106.385, 29.80), 700, ((2, 0.2, 0.0),), n=32)
        assert rl5o.contains(hole5)
        rl5 = F(rl5o.difference(hole5))
        rl.append(({"id": "RL-05", "name": "缙云山生物多样性维护生态保护红线", "function": "biodiversity",
                    "district": "北碚区"}, rl5))
        for p, _ in rl:
            p["source"] = ILLUSTRATIVE
        self.zones["redlines"] = rl
        self.rl = {p["id"]: g for p, g in rl}

        # Urban areas (town development boundaries) along the Wujiang, and Chengkou town.
        ua = [
            ({"id": "UA-WL", "name": "武隆城区城镇开发边界", "kind": "urban_area", "district": "武隆区"},
             F(blob((107.757, 29.327), 2300, ((2, 0.3, 100.0), (3, 0.08, 20.0)), n=72))),
            ({"id": "UA-PS", "name": "彭水城区城镇开发边界", "kind": "urban_area", "district": "彭水苗族土家族自治县"},
             F(blob((108.162, 29.292), 2100, ((2, 0.35, 0.0), (3, 0.06, 50.0)), n=72))),
            ({"id": "UA-CK", "name": "城口城区城镇开发边界", "kind": "urban_area", "district": "城口县"},
             F(blob((108.664, 31.946), 1800, ((2, 0.3, 130.0), (3, 0.05, 10.0)), n=72))),
        ]
        for p, _ in ua:
            p["source"] = ILLUSTRATIVE
        self.zones["urban_areas"] = ua
        self.ua = {p["id"]: g for p, g in ua}

        # Drawdown zone: the band between width/2 and width/2 + 300 m on both banks of the Yangtze along ~40 km
        # downstream of Zhongxian (a stand-in for the 145-175 m band).
        rv = self.by_name["长江"]
        _, q, _ = rv.centerline(108.035, 30.3067)
        fr = Frame(q[0], q[1])
        line = fr.to_m(rv.geom)
        s0 = line.project(fr.to_m(Point(q))) + 3000
        stretch = substring(line, s0, s0 + 40000)
        longer = substring(line, s0 - 2000, s0 + 42000)
        band = stretch.buffer(rv.half + 300, cap_style=2, join_style=1).difference(longer.buffer(rv.half, cap_style=1, join_style=1))
        band = fr.to_ll(band)
        band = F(MultiPolygon([p for p in polys_of(band) if p.area > 1e-6]))
        self.drawdown = band
        self.dd_frame = (fr, line, s0)
        self.zones["drawdown"] = [({"id": "DD-ZX", "name": "三峡水库消落区(忠县段)", "kind": "drawdown_145_175",
                                   "district": "忠县", "source": ILLUSTRATIVE}, band)]

        # Industrial parks, around points placed relative to the rivers.
        ck, _ = self.place("长江", (107.11, 29.815), 0.0, 2900)
        bt, _ = self.place("乌江", (107.479, 29.5678), 90.0, 2600)
        wz, _ = self.place("长江", (108.37, 30.78), 270.0, 4500)
        jj, _ = self.place("长江", (106.42, 29.30), 180.0, 3500)
        parks = [
            ({"id": "IP-CS", "name": "长寿经济技术开发区", "kind": "chemical_park", "district": "长寿区"},
             F(blob(ck, 2700, ((2, 0.28, 90.0), (3, 0.06, 30.0)), n=72, rot=10.0))),
            ({"id": "IP-BT", "name": "涪陵白涛化工园区", "kind": "chemical_park", "district": "涪陵区"},
             F(blob(bt, 2300, ((2, 0.2, 0.0), (3, 0.05, 60.0)), n=72, rot=0.0))),
            ({"id": "IP-WZ", "name": "万州经济技术开发区", "kind": "industrial_park", "district": "万州区"},
             F(blob(wz, 2600, ((2, 0.25, 40.0), (4, 0.05, 0.0)), n=72))),
            ({"id": "IP-JJ", "name": "江津珞璜工业园区", "kind": "industrial_park", "district": "江津区"},
             F(blob(jj, 2000, ((2, 0.2, 120.0), (3, 0.06, 0.0)), n=72))),
        ]
        for p, _ in parks:
            p["source"] = ILLUSTRATIVE
        self.zones["industrial_parks"] = parks
        self.parks = {p["id"]: g for p, g in parks}
        self.park_centers = {"IP-CS": ck, "IP-BT": bt, "IP-WZ": wz, "IP-JJ": jj}

        # No-breeding zones: derived from the water-source zones (plus 300 m) and the Jinfoshan core/buffer zones,
        # and Chengkou town with a margin.
        nb = []
        for key, nm, dist in (("WS-WL", "乌江武隆城区饮用水水源地禁养区", "武隆区"), ("WS-JJ", "长江江津区饮用水水源地禁养区", "江津区")):
            zs, fr, _, _, _ = self.ws[key]
            u = fr.to_m(unary_union(list(zs.values()))).buffer(300, join_style=1)
            nb.append(({"id": f"NB-{key[3:]}", "name": nm, "kind": "water_source", "district": dist}, F(fr.to_ll(u))))
        frj = Frame(107.19, 29.06)
        u = frj.to_m(unary_union([self.jfs["core"], self.jfs["buffer"]])).buffer(200, join_style=1)
        nb.append(({"id": "NB-JFS", "name": "金佛山自然保护区核心区缓冲区禁养区", "kind": "nature_reserve",
                    "district": "南川区"}, F(frj.to_ll(u))))
        self.nb_ck = F(blob((108.664, 31.946), 3000, ((2, 0.25, 130.0), (3, 0.07, 10.0), (5, 0.03, 0.0)), n=48))
        nb.append(({"id": "NB-CK", "name": "城口城区禁养区", "kind": "urban", "district": "城口县"}, self.nb_ck))
        for p, _ in nb:
            p["source"] = ILLUSTRATIVE
        self.zones["no_breeding"] = nb
        self.nb = {p["id"]: g for p, g in nb}

    # -- facilities ---------------------------------------------------------------------------------------------
    def zone_point(self, zone, center, az, frac_from_inner=0.5, margin=120.0):
        """A point inside `zone` (a ring around center) on the ray at azimuth az, halfway across the ring."""
        hits = []
        for d in np.arange(0, 25000, 10.0):
            x, y, _ = G.fwd(center[0], center[1], az, d)
            hits.append(zone.contains(Point(x, y)))
        idx = [i for i, h in enumerate(hits) if h]
        assert idx, "ray misses zone"
        # first contiguous run
        run = [idx[0]]
        for i in idx[1:]:
            if i == run[-1] + 1:
                run.append(i)
            else:
                break
        d = (run[0] + (run[-1] - run[0]) * frac_from_inner) * 10.0
        x, y, _ = G.fwd(center[0], center[1], az, d)
        p = (r7(x), r7(y))
        assert zone.contains(Point(p)) and zone.boundary.distance(Point(p)) * 9.0e4 > margin, (p, az)
        return p

    def outside_point(self, zone, center, az, gap):
        """A point `gap` metres (approx.) beyond the outer edge of `zone` on the ray from center at azimuth az."""
        last = None
        for d in np.arange(0, 30000, 5.0):
            x, y, _ = G.fwd(center[0], center[1], az, d)
            if zone.contains(Point(x, y)):
                last = d
        x, y, _ = G.fwd(center[0], center[1], az, last + gap)
        return (r7(x), r7(y))

    def build_facilities(self):
        A = self.add
        P = self.place
        # ---- Chengkou: Dabashan reserve (hydro-core / hydro-exp / reserve-sand) -----------------------------
        c = DBS_CENTER
        exp, buf, core = self.dbs["experimental"], self.dbs["buffer"], self.dbs["core"]
        hydro_exp = [("北屏一级电站", 200.0), ("岚天河电站", 245.0), ("河鱼溪电站", 160.0), ("厚坪电站", 100.0),
                     ("明中河电站", 280.0), ("高燕二级电站", 130.0)]
        for nm, az in hydro_exp:
            A(nm, "hydropower", "existing", self.zone_point(exp, c, az), "城口县",
              "hydro-exp violation: hydropower station in the Dabashan experimental zone", {"zone": "大巴山 experimental"})
        fp_c = self.zone_point(exp, c, 220.0)
        A("东安河电站", "水电站", "existing", rect(fp_c, 90, 40, 30.0), "城口县",
          "hydro-exp violation: footprint polygon (dam + powerhouse), category alias 水电站", {"zone": "大巴山 experimental"})
        A("木魁河电站", "hydropower", "existing", self.zone_point(core, c, 170.0, 0.55), "城口县",
          "hydro-core violation: the Chengkou plan's core-zone station", {"zone": "大巴山 core"})
        A("树油溪电站", "hydropower", "existing", self.zone_point(buf, c, 215.0), "城口县",
          "hydro-core violation: the Chengkou plan's buffer-zone station", {"zone": "大巴山 buffer"})
        A("东安乡临时采砂点", "sand_mining", "existing", self.zone_point(exp, c, 120.0), "城口县",
          "reserve-sand violation: temporary sand-mining site in the experimental zone", {"zone": "大巴山 experimental"})
        A("北屏河临时采砂点", "sand_mining", "existing", self.zone_point(buf, c, 250.0), "城口县",
          "reserve-sand violation: temporary sand-mining site in the buffer zone", {"zone": "大巴山 buffer"})
        A("修齐电站", "hydropower", "existing", self.outside_point(exp, c, 185.0, 250.0), "城口县",
          "pass: hydropower ~250 m outside the Dabashan experimental zone", {"zone": "none"})
        A("咸宜河采砂场", "sand_mining", "existing", self.outside_point(exp, c, 150.0, 200.0), "城口县",
          "pass: sand mining ~200 m outside the Dabashan reserve", {"zone": "none"})
        # exact boundary: a vertex of the core zone on the provincial border (not shared with the buffer zone)
        bpt = self.boundary_vertex()
        A("大巴山保护站生活污水排口", "sewage_outlet", "existing", bpt, "城口县",
          "outlet-reserve violation: point exactly on a vertex of the core zone's outer edge (boundary counts as inside)",
          {"zone": "大巴山 core (boundary)"})
        # ---- Jinfoshan reserve -----------------------------------------------------------------------------
        c2 = (107.19, 29.06)
        A("金佛山北坡电站", "hydropower", "existing", self.outside_point(self.jfs["experimental"], c2, 20.0, 300.0), "南川区",
          "pass: hydropower ~300 m outside the Jinfoshan experimental zone", {"zone": "none"})
        A("三泉镇龙岩河水电站(拟建)", "hydropower", "planned", self.outside_point(self.jfs["experimental"], c2, 300.0, 1500.0),
          "南川区", "redline-dev violation: planned hydropower inside red line RL-02, outside every reserve zone", {"zone": "RL-02"})
        A("金佛山景区污水排口", "sewage_outlet", "existing", self.zone_point(self.jfs["buffer"], c2, 100.0), "南川区",
          "outlet-reserve violation: sewage outlet in the Jinfoshan buffer zone", {"zone": "金佛山 buffer"})
        A("头渡镇污水处理站排口", "sewage_outlet", "existing", self.zone_point(self.jfs["experimental"], c2, 250.0), "南川区",
          "pass: sewage outlet in the Jinfoshan experimental zone (outlet-reserve covers core/buffer only)",
          {"zone": "金佛山 experimental"})
        # ---- Other hydropower -------------------------------------------------------------------------------
        A("彭水水电站", "hydropower", "existing", P("乌江", (108.19, 29.27), 0.0, 0.0, center_m=0.0)[0], "彭水县",
          "pass: hydropower on the Wujiang, no reserve", {})
        A("银盘水电站", "hydropower", "existing", P("乌江", (107.97, 29.36), 0.0, 0.0, center_m=0.0)[0], "武隆区",
          "pass: hydropower on the Wujiang, no reserve", {})
        # ---- chem-1km (Changshou, Yangtze) ---------------------------------------------------------------------
        A("长寿晏家化工新材料项目", "chemical_project", "planned", P("长江", (107.095, 29.815), 0.0, 990.0)[0], "长寿区",
          "chem-1km violation: 990 m from the Yangtze shoreline", {"river": "长江", "dist": 990.0})
        A("长寿氯碱配套项目", "chemical_project", "planned", P("长江", (107.125, 29.812), 0.0, 1010.0)[0], "长寿区",
          "chem-1km pass: 1,010 m from the Yangtze shoreline", {"river": "长江", "dist": 1010.0})
        A("长寿化工码头储罐项目", "chemical_project", "new", P("长江", (107.14, 29.81), 0.0, 0.0, center_m=100.0)[0],
          "长寿区", "chem-1km violation: 0 m (100 m from the centerline, inside the 800 m river width)",
          {"river": "长江", "dist": 0.0})
        A("长寿天然气化工厂", "chemical_project", "existing", P("长江", (107.155, 29.812), 0.0, 500.0)[0], "长寿区",
          "chem-1km pass by status: existing chemical project 500 m from the Yangtze", {"river": "长江", "dist": 500.0})
        A("长寿某农药厂(已关停)", "chemical_project", "closed", P("长江", (107.07, 29.82), 0.0, 300.0)[0], "长寿区",
          "chem-1km pass by status: closed chemical project 300 m from the Yangtze", {"river": "长江", "dist": 300.0})
        A("江津德感精细化工项目", "chemical_project", "planned", P("长江", (106.30, 29.30), 0.0, 1500.0)[0], "江津区",
          "chem-1km pass: 1,500 m from the Yangtze", {"river": "长江", "dist": 1500.0})
        A("北碚水土化工中间体项目", "化工项目", "拟建", P("嘉陵江", (106.445, 29.80), 90.0, 600.0)[0], "北碚区",
          "chem-1km violation via a tributary (Jialing) 600 m; category and status as Chinese aliases",
          {"river": "嘉陵江", "dist": 600.0})
        A("潼南涪江精细化工项目", "chemical_project", "expansion", P("涪江", (105.84, 30.19), 0.0, 800.0)[0], "潼南区",
          "chem-1km violation via another tributary (Fu, on no other list) 800 m", {"river": "涪江", "dist": 800.0})
        # ---- Wujiang / Baitao ------------------------------------------------------------------------------------
        A("白涛化工新材料项目", "chemical_project", "planned", P("乌江", (107.482, 29.585), 90.0, 700.0)[0], "涪陵区",
          "chem-1km + wujiang-1km + wujiang-5km violation: 700 m from the Wujiang", {"river": "乌江", "dist": 700.0})
        A("白涛有机硅项目", "chemical_project", "planned", P("乌江", (107.47, 29.55), 270.0, 4990.0)[0], "涪陵区",
          "wujiang-5km violation: 4,990 m from the Wujiang", {"river": "乌江", "dist": 4990.0})
        A("白涛聚氨酯项目", "chemical_project", "new", P("乌江", (107.46, 29.53), 270.0, 5010.0)[0], "涪陵区",
          "wujiang-5km pass: 5,010 m from the Wujiang", {"river": "乌江", "dist": 5010.0})
        bt_c, bt_az = P("乌江", (107.49, 29.60), 90.0, 1000.0)
        A("白涛化工园区扩区", "chemical_park", "expansion", blob(bt_c, 380, ((2, 0.2, 30.0),), n=16), "涪陵区",
          "chem-1km + wujiang-5km violation with a footprint polygon (chemical park expansion ~600 m)",
          {"river": "乌江"})
        A("白涛机械加工项目", "industrial_project", "planned", P("乌江", (107.478, 29.571), 90.0, 990.0)[0], "涪陵区",
          "wujiang-1km violation: industrial project 990 m from the Wujiang (inside park IP-BT)", {"river": "乌江", "dist": 990.0})
        A("白涛新型建材项目", "industrial_project", "planned", P("乌江", (107.477, 29.562), 90.0, 1010.0)[0], "涪陵区",
          "wujiang-1km pass: industrial project 1,010 m from the Wujiang (inside park IP-BT)", {"river": "乌江", "dist": 1010.0})
        # ---- Wujiang setbacks (buildings) -----------------------------------------------------------------------
        A("武隆滨江商住楼", "building", "planned", P("乌江", (107.752, 29.327), 0.0, 40.0)[0], "武隆区",
          "wujiang-setback-urban violation: 40 m, inside UA-WL", {"river": "乌江", "dist": 40.0})
        A("武隆滨江酒店", "building", "planned", P("乌江", (107.765, 29.330), 0.0, 60.0)[0], "武隆区",
          "wujiang-setback-urban pass: 60 m, inside UA-WL", {"river": "乌江", "dist": 60.0})
        A("武隆老城临江民居", "building", "existing", P("乌江", (107.745, 29.33), 180.0, 20.0)[0], "武隆区",
          "wujiang-setback pass by status: existing building 20 m, inside UA-WL", {"river": "乌江", "dist": 20.0})
        A("土坎镇沿江农房", "building", "new", P("乌江", (107.92, 29.35), 0.0, 90.0)[0], "武隆区",
          "wujiang-setback-rural violation: 90 m, outside urban areas", {"river": "乌江", "dist": 90.0})
        A("鹿角镇沿江民宿", "building", "planned", P("乌江", (108.03, 29.33), 0.0, 110.0)[0], "彭水县",
          "wujiang-setback-rural pass: 110 m, outside urban areas", {"river": "乌江", "dist": 110.0})
        p0, azp = P("乌江", (108.158, 29.292), 270.0, 45.0)
        x1, y1, _ = G.fwd(p0[0], p0[1], azp, 70.0)
        A("彭水滨江商业街", "building", "planned", LineString([p0, (x1, y1)]), "彭水县",
          "wujiang-setback-urban violation with a line subject: nearest end 45 m, inside UA-PS", {"river": "乌江", "dist": 45.0})
        A("彭水城区安置房", "building", "planned", P("乌江", (108.165, 29.28), 90.0, 250.0)[0], "彭水县",
          "wujiang-setback pass: 250 m, inside UA-PS", {"river": "乌江", "dist": 250.0})
        # ---- Tailings ponds --------------------------------------------------------------------------------------
        A("丰都铅锌矿尾矿库", "tailings_pond", "planned", P("长江", (107.70, 29.88), 180.0, 2990.0)[0], "丰都县",
          "tailings-3km violation: 2,990 m from the Yangtze", {"river": "长江", "dist": 2990.0})
        A("丰都锰矿尾矿库", "tailings_pond", "planned", P("长江", (107.75, 29.875), 180.0, 3010.0)[0], "丰都县",
          "tailings-3km pass: 3,010 m from the Yangtze", {"river": "长江", "dist": 3010.0})
        A("丰都高家镇尾矿库改建", "tailings_pond", "rebuild", P("长江", (107.80, 29.90), 180.0, 2000.0)[0], "丰都县",
          "tailings-3km violation: rebuild 2,000 m from the Yangtze", {"river": "长江", "dist": 2000.0})
        A("丰都老尾矿库", "tailings_pond", "existing", P("长江", (107.66, 29.89), 180.0, 1500.0)[0], "丰都县",
          "tailings-3km pass by status: existing 1,500 m from the Yangtze", {"river": "长江", "dist": 1500.0})
        A("北碚歇马尾矿库", "tailings_pond", "new", P("嘉陵江", (106.44, 29.86), 90.0, 990.0)[0], "北碚区",
          "tailings-1km violation: 990 m from the Jialing", {"river": "嘉陵江", "dist": 990.0})
        A("北碚澄江尾矿库扩建", "tailings_pond", "expansion", P("嘉陵江", (106.45, 29.88), 90.0, 1010.0)[0], "北碚区",
          "tailings-1km pass: 1,010 m from the Jialing", {"river": "嘉陵江", "dist": 1010.0})
        A("彭水郁山尾矿库", "尾矿库", "planned", P("乌江", (108.06, 29.31), 180.0, 500.0)[0], "彭水县",
          "tailings-1km violation: 500 m from the Wujiang (category alias 尾矿库)", {"river": "乌江", "dist": 500.0})
        # ---- Open-pit mines --------------------------------------------------------------------------------------
        A("云阳龙角废弃露天采石场", "open_pit_mine", "abandoned", P("长江", (108.66, 30.93), 0.0, 9999.5)[0], "云阳县",
          "mine-10km violation: 9,999.5 m from the Yangtze", {"river": "长江", "dist": 9999.5})
        A("云阳江口废弃露天煤矿", "open_pit_mine", "abandoned", P("长江", (108.76, 30.94), 0.0, 10000.5)[0], "云阳县",
          "mine-10km pass: 10,000.5 m from the Yangtze", {"river": "长江", "dist": 10000.5})
        A("彭水保家废弃露天矿", "open_pit_mine", "废弃", P("乌江", (108.10, 29.30), 0.0, 4000.0)[0], "彭水县",
          "mine-10km violation via the Wujiang (main tributary list) 4,000 m; status alias 废弃", {"river": "乌江", "dist": 4000.0})
        A("云阳在采露天灰岩矿", "open_pit_mine", "existing", P("长江", (108.62, 30.92), 180.0, 3000.0)[0], "云阳县",
          "mine-10km pass by status: working mine 3,000 m from the Yangtze", {"river": "长江", "dist": 3000.0})
        A("万州已关停露天矿", "open_pit_mine", "closed", P("长江", (108.30, 30.72), 270.0, 5000.0)[0], "万州区",
          "mine-10km pass by status: closed mine 5,000 m from the Yangtze", {"river": "长江", "dist": 5000.0})
        A("城口废弃露天锰矿", "open_pit_mine", "abandoned", (108.80, 31.85), "城口县",
          "mine-10km pass: abandoned mine far (> 100 km) from any listed river", {})
        # ---- Water sources: sewage outlets -----------------------------------------------------------------------
        zs, fr, line, s0, half = self.ws["WS-WL"]
        A("武隆江口镇污水排口", "sewage_outlet", "existing", self.corridor_point(fr, line, s0 - 500, half + 20, 1), "武隆区",
          "outlet-water violation: in grade-1 zone WS-WL-grade1", {"zone": "grade1"})
        A("武隆某砂石厂排口", "sewage_outlet", "existing", self.corridor_point(fr, line, s0 - 2000, half + 250, -1), "武隆区",
          "outlet-water violation: in grade-2 zone WS-WL-grade2", {"zone": "grade2"})
        A("武隆火炉镇排口", "sewage_outlet", "existing", self.corridor_point(fr, line, s0 - 7500, half + 100, 1), "武隆区",
          "outlet-water pass: 1.5 km upstream of the quasi zone", {"zone": "none"})
        zs, fr, line, s0, half = self.ws["WS-JJ"]
        A("江津几江污水处理厂排口", "sewage_outlet", "existing", self.corridor_point(fr, line, s0 - 5000, half + 700, 1), "江津区",
          "outlet-water violation: in the quasi zone WS-JJ-quasi (grade written as alias 准保护区)", {"zone": "quasi"})
        A("江津油溪镇排口", "sewage_outlet", "existing", self.corridor_point(fr, line, s0 - 7000, half + 300, -1), "江津区",
          "outlet-water pass: upstream of the quasi zone", {"zone": "none"})
        A("长寿晏家工业污水排口", "sewage_outlet", "existing", P("长江", (107.10, 29.815), 0.0, 30.0)[0], "长寿区",
          "pass: sewage outlet outside every water-source and reserve zone", {})
        # ---- Livestock ------------------------------------------------------------------------------------------
        zs, fr, line, s0, half = self.ws["WS-WL"]
        A("江口镇生猪养殖场", "livestock_farm", "existing", self.corridor_point(fr, line, s0 - 4000, half + 1100, -1), "武隆区",
          "livestock-nobreed violation: inside NB-WL", {"zone": "NB-WL"})
        A("城口县城郊养鸡场", "livestock_farm", "existing", (108.650, 31.955), "城口县",
          "livestock-nobreed violation: inside NB-CK", {"zone": "NB-CK"})
        vx, vy = list(polys_of(self.nb_ck)[0].exterior.coords)[12]
        A("城口县葛城街道养牛场", "畜禽养殖场", "existing", (vx, vy), "城口县",
          "livestock-nobreed violation: exactly on a vertex of NB-CK (boundary counts as inside; GeoJSON, no reprojection)",
          {"zone": "NB-CK (boundary)"})
        A("金佛山南坡养羊场", "livestock_farm", "existing", self.zone_point(self.jfs["buffer"], c2, 200.0, 0.3), "南川区",
          "livestock-nobreed violation: inside NB-JFS (the reserve's core/buffer plus 200 m)", {"zone": "NB-JFS"})
        A("城口县庙坝镇生猪养殖场", "livestock_farm", "existing", (108.73, 31.90), "城口县",
          "livestock-nobreed pass: outside every no-breeding zone", {"zone": "none"})
        A("武隆白马镇肉牛养殖场", "livestock_farm", "existing", (107.60, 29.38), "武隆区",
          "livestock-nobreed pass: outside every no-breeding zone", {"zone": "none"})
        # ---- Aquaculture (drawdown) -----------------------------------------------------------------------------
        fr, line, s0 = self.dd_frame
        half = self.by_name["长江"].half
        for nm, s, off, side, test in (
                ("忠县忠州街道网箱养鱼场", 8000, half + 150, 1, "aquaculture-drawdown violation: in the drawdown band (left bank)"),
                ("忠县新生街道水产养殖场", 25000, half + 120, -1, "aquaculture-drawdown violation: in the drawdown band (right bank)"),
                ("忠县石宝镇江面网箱", 30000, 150, 1, "aquaculture-drawdown pass: on the water, inside the river width (not in the band)"),
                ("忠县石宝镇养殖池塘", 33000, half + 1500, -1, "aquaculture-drawdown pass: 1.5 km inland, above the band")):
            A(nm, "aquaculture", "existing", self.corridor_point(fr, line, s0 + s, off, side), "忠县", test)
        # ---- Industrial projects (industry-in-park, wujiang-1km) -------------------------------------------------
        A("长寿经开区新材料产业园项目", "industrial_project", "planned", self.park_centers["IP-CS"], "长寿区",
          "industry-in-park pass: planned, inside IP-CS", {"zone": "IP-CS"})
        A("长寿双龙镇机械制造项目", "industrial_project", "planned",
          self.outside_point(self.parks["IP-CS"], self.park_centers["IP-CS"], 20.0, 2000.0), "长寿区",
          "industry-in-park violation: planned, ~1.8 km outside IP-CS", {"zone": "none"})
        A("万州经开区电子元件项目", "industrial_project", "new", self.park_centers["IP-WZ"], "万州区",
          "industry-in-park pass: new, inside IP-WZ", {"zone": "IP-WZ"})
        wa = self.outside_point(self.parks["IP-WZ"], self.park_centers["IP-WZ"], 200.0, 800.0)
        wx, wy, _ = G.fwd(wa[0], wa[1], 200.0, 400.0)
        wx2, wy2, _ = G.fwd(wx, wy, 260.0, 300.0)
        A("万州长岭镇物料输送廊道", "industrial_project", "planned", LineString([wa, (wx, wy), (wx2, wy2)]), "万州区",
          "industry-in-park violation with a line subject, ~700 m outside IP-WZ", {"zone": "none"})
        A("江津珞璜镇电池材料项目", "industrial_project", "new", self.park_centers["IP-JJ"], "江津区",
          "industry-in-park pass: new, inside IP-JJ", {"zone": "IP-JJ"})
        A("江津支坪镇塑料制品项目", "industrial_project", "new",
          self.outside_point(self.parks["IP-JJ"], self.park_centers["IP-JJ"], 240.0, 3000.0), "江津区",
          "industry-in-park violation: new, ~3 km outside IP-JJ", {"zone": "none"})
        A("永川区五金加工厂", "industrial_project", "existing", (105.93, 29.36), "永川区",
          "industry-in-park pass by status: existing, outside every park", {"zone": "none"})
        A("合川区铸造厂扩建", "industrial_project", "expansion", (106.20, 30.05), "合川区",
          "industry-in-park pass by status: expansion (rule covers planned/new), outside every park", {"zone": "none"})
        # ---- Red lines (redline-dev) ------------------------------------------------------------------------------
        rl4 = self.rl4
        ring = list(rl4.exterior.coords)
        bx, by = ring[len(ring) // 4]
        A("武陵山大裂谷旅游配套项目", "other", "planned", rect((bx, by), 500, 300, 20.0), "涪陵区",
          "redline-dev violation: planned footprint polygon straddling the edge of RL-04", {"zone": "RL-04 (partly)"})
        A("缙云山索道改造项目", "other", "rebuild", (106.37, 29.86), "北碚区",
          "redline-dev violation: rebuild inside RL-05", {"zone": "RL-05"})
        A("缙云山景区管理用房", "building", "existing", (106.36, 29.83), "北碚区",
          "redline-dev pass by status: existing building inside RL-05", {"zone": "RL-05"})
        A("澄江镇物流仓储项目", "other", "planned", (106.385, 29.80), "北碚区",
          "redline-dev pass: planned, inside the hole of RL-05", {"zone": "RL-05 hole"})
        lp = [(108.600, 31.962), (108.607, 31.967), (108.615, 31.969)]
        A("北屏乡旅游公路(拟建)", "other", "planned", LineString(lp), "城口县",
          "redline-dev violation: planned road (line subject) inside RL-01", {"zone": "RL-01"})
        A("奉节县白帝镇采石场(拟建)", "other", "planned", (109.60, 31.13), "奉节县",
          "redline-dev violation: planned quarry in the first part of the multipolygon RL-03", {"zone": "RL-03"})
        A("奉节县永乐镇光伏项目", "other", "new", (109.80, 30.96), "奉节县",
          "redline-dev violation: new project in the second part of RL-03", {"zone": "RL-03"})
        A("奉节县城郊物流园", "industrial_project", "planned", (109.50, 31.03), "奉节县",
          "industry-in-park violation: planned outside every park; redline-dev pass (outside RL-03)", {"zone": "none"})
        A("江津区几江街道公寓", "building", "planned", (106.26, 29.30), "江津区",
          "pass: planned building away from the Wujiang and red lines", {})

    def boundary_vertex(self):
        core, buf, exp = self.dbs["core"], self.dbs["buffer"], self.dbs["experimental"]
        others = set()
        for g in (buf, exp):
            for p in polys_of(g):
                for r in [p.exterior, *p.interiors]:
                    others.update(r.coords)
        outline_pts = set(round_coords(self.outline.exterior.coords))
        ring = list(polys_of(core)[0].exterior.coords)[:-1]
        cand = [i for i, q in enumerate(ring) if q not in others and q in outline_pts]
        assert len(cand) >= 3, "core does not reach the provincial border"
        mid = cand[len(cand) // 2]
        for i in sorted(cand, key=lambda i: abs(i - mid)):
            if gk_roundtrip_exact(*ring[i]):
                return ring[i]
        raise RuntimeError("no round-trip-exact vertex")


# ----------------------------------------------------------------------------------------------------------------
# Expected results (an independent implementation of the rule catalogue in the brief)
# ----------------------------------------------------------------------------------------------------------------
CAT_ALIAS = {"化工项目": "chemical_project", "化工园区": "chemical_park", "尾矿库": "tailings_pond", "露天矿山": "open_pit_mine",
             "水电站": "hydropower", "采砂场": "sand_mining", "入河排污口": "sewage_outlet", "畜禽养殖场": "livestock_farm",
             "水产养殖场": "aquaculture", "工业项目": "industrial_project", "建筑": "building", "其他": "other"}
ST_ALIAS = {"拟建": "planned", "新建": "new", "改建": "rebuild", "扩建": "expansion", "现有": "existing", "废弃": "abandoned",
            "已关停": "closed"}
ZONE_ALIAS = {"核心区": "core", "缓冲区": "buffer", "实验区": "experimental"}
PNE = {"planned", "new", "expansion"}

DIST_RULES = [
    ("chem-1km", {"chemical_project", "chemical_park"}, PNE, lambda r: r.mainstream or r.tributary, 1000.0),
    ("tailings-3km", {"tailings_pond"}, PNE | {"rebuild"}, lambda r: r.mainstream, 3000.0),
    ("tailings-1km", {"tailings_pond"}, PNE | {"rebuild"}, lambda r: r.important, 1000.0),
    ("mine-10km", {"open_pit_mine"}, {"abandoned"}, lambda r: r.mainstream or r.main_list, 10000.0),
    ("wujiang-1km", {"industrial_project", "chemical_project"}, PNE, lambda r: r.name == "乌江", 1000.0),
    ("wujiang-5km", {"chemical_project", "chemical_park"}, PNE, lambda r: r.name == "乌江", 5000.0),
    ("wujiang-setback-urban", {"building"}, {"planned", "new"}, lambda r: r.name == "乌江", 50.0),
    ("wujiang-setback-rural", {"building"}, {"planned", "new"}, lambda r: r.name == "乌江", 100.0),
]


def evaluate(b):
    reserves = [(p, g) for p, g in b.zones["reserves"]]
    viol = []  # (rule, facility id, detail)
    dist_rows = []
    for f in b.facilities:
        cat = CAT_ALIAS.get(f["category"], f["category"])
        st = ST_ALIAS.get(f["status"], f["status"])
        g = f["geom"]
        f["cat"], f["st"] = cat, st
        in_urban = any(g.intersects(z) for z in b.ua.values())
        f["results"] = []
        seen = {}
        for rid, cats, sts, sel, thr in DIST_RULES:
            if cat not in cats:
                continue
            if rid == "wujiang-setback-urban" and not in_urban:
                continue
            if rid == "wujiang-setback-rural" and in_urban:
                continue
            best = None
            for rv in b.rivers:
                if not sel(rv):
                    continue
                key = rv.rid
                if key not in seen:
                    seen[key] = river_distance(g, rv)
                d, dc = seen[key]
                if best is None or d < best[0]:
                    best = (d, dc, rv)
            d, dc, rv = best
            hit = st in sts and d <= thr
            f["results"].append((rid, rv.name, d, dc, hit))
            dist_rows.append((f["id"], rid, rv.name, d, dc))
            if hit:
                viol.append((rid, f["id"], f"{d:.2f} m from {rv.name}"))
        zhits = [(p, z) for p, z in reserves if g.intersects(z)]
        zones = [ZONE_ALIAS.get(p["zone"], p["zone"]) for p, _ in zhits]
        f["reserve_zones"] = [p["id"] for p, _ in zhits]
        if cat == "hydropower" and any(z in ("core", "buffer") for z in zones):
            viol.append(("hydro-core", f["id"], ",".join(f["reserve_zones"])))
        if cat == "hydropower" and "experimental" in zones:
            viol.append(("hydro-exp", f["id"], ",".join(f["reserve_zones"])))
        if cat == "sand_mining" and zones:
            viol.append(("reserve-sand", f["id"], ",".join(f["reserve_zones"])))
        if cat == "sewage_outlet":
            ws = [p["id"] for p, z in b.zones["water_sources"] if g.intersects(z)]
            if ws:
                viol.append(("outlet-water", f["id"], ",".join(ws)))
            if any(z in ("core", "buffer") for z in zones):
                viol.append(("outlet-reserve", f["id"], ",".join(f["reserve_zones"])))
        if cat == "livestock_farm":
            nb = [p["id"] for p, z in b.zones["no_breeding"] if g.intersects(z)]
            if nb:
                viol.append(("livestock-nobreed", f["id"], ",".join(nb)))
        if cat == "aquaculture":
            dd = [p["id"] for p, z in b.zones["drawdown"] if g.intersects(z)]
            if dd:
                viol.append(("aquaculture-drawdown", f["id"], ",".join(dd)))
        if st in PNE | {"rebuild"}:
            rl = [p["id"] for p, z in b.zones["redlines"] if g.intersects(z)]
            if rl:
                viol.append(("redline-dev", f["id"], ",".join(rl)))
        if cat == "industrial_project" and st in ("planned", "new"):
            if not any(g.intersects(z) for z in b.parks.values()):
                dmin, pid = min((polygon_distance(g, z), k) for k, z in b.parks.items())
                f["park_distance"] = (pid, dmin)
                viol.append(("industry-in-park", f["id"], f"{dmin:.2f} m from {pid}"))
    return viol, dist_rows


RULE_IDS = [r[0] for r in DIST_RULES] + ["hydro-core", "hydro-exp", "reserve-sand", "outlet-water", "outlet-reserve",
                                         "livestock-nobreed", "aquaculture-drawdown", "redline-dev", "industry-in-park"]


def check_tests(b, viol):
    """Each facility's test_case text names the rules it must violate ("A + B violation: ..."); it must violate
    exactly those (a "pass" case none). Plus the Chengkou counts."""
    problems = []
    got = {}
    for rid, fid, _ in viol:
        got.setdefault(fid, set()).add(rid)
    for f in b.facilities:
        head = f["test"].split(":")[0]
        want = set()
        if head.endswith(" violation") or " violation " in head:
            want = {w.strip() for w in head.split(" violation")[0].split("+")}
            assert want <= set(RULE_IDS), (f["id"], want)
        if got.get(f["id"], set()) != want:
            problems.append(f"{f['id']} {f['name']}: violates {sorted(got.get(f['id'], []))}, test says {sorted(want)}")
    byname = {f["name"]: f for f in b.facilities}
    hy = [f for f in b.facilities if f["cat"] == "hydropower" and f["reserve_zones"]]
    sd = [f for f in b.facilities if f["cat"] == "sand_mining" and f["reserve_zones"]]
    if not (len(hy) == 9 and all(z.startswith("RZ-DBS-") for f in hy for z in f["reserve_zones"])
            and sum(f["reserve_zones"] == ["RZ-DBS-experimental"] for f in hy) == 7
            and byname["木魁河电站"]["reserve_zones"] == ["RZ-DBS-core"]
            and byname["树油溪电站"]["reserve_zones"] == ["RZ-DBS-buffer"]
            and len(sd) == 2 and all(z.startswith("RZ-DBS-") for f in sd for z in f["reserve_zones"])):
        problems.append("the Chengkou case (9 hydropower 7+1+1, 2 sand-mining sites in Dabashan) does not hold")
    return problems


def check_intents(b):
    """The deliberate distances must come out within 0.5 m (in practice within 2 cm) of the intended values."""
    problems = []
    for f in b.facilities:
        it = f["intent"]
        if "dist" not in it:
            continue
        rows = f["results"]
        rv = b.by_name[it["river"]]
        d = river_distance(f["geom"], rv)[0]
        if abs(d - it["dist"]) > 0.05:
            problems.append(f"{f['id']} {f['name']}: {d:.3f} m from {rv.name}, intended {it['dist']}")
        for rid, rname, dd, _, _ in rows:  # the intended river must be the nearest on each rule's list
            if rname != rv.name and dd < d + 0.5 and (rv.name in ("乌江",) or rid in ("chem-1km", "tailings-3km", "tailings-1km", "mine-10km")):
                lst = [r for r in DIST_RULES if r[0] == rid][0][3]
                if lst(rv):
                    problems.append(f"{f['id']} {f['name']}: nearer river {rname} ({dd:.2f} m) on {rid}")
    return problems


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--raw", default=os.path.join(here, "..", "raw"))
    ap.add_argument("--out", default=os.path.join(here, ".."))
    a = ap.parse_args()
    b = Builder(a.raw)
    b.build_reserves()
    b.build_water_sources()
    b.build_simple_zones()
    b.build_facilities()
    viol, dist_rows = evaluate(b)
    probs = check_intents(b) + check_tests(b, viol)
    if probs:
        print("\n".join(probs), file=sys.stderr)
        sys.exit(2)
    out = a.out
    # rivers: geometry untouched
    feats = []
    for rv in b.rivers:
        p = rv.feat["properties"]
        props = {"id": "R%02d" % rv.rid, "name": rv.name, "name_en": p["name_en"], "width_m": rv.width,
                 "yangtze_mainstream": rv.mainstream, "yangtze_tributary": rv.tributary,
                 "important_tributary": rv.important, "main_tributary_list": rv.main_list,
                 "width_basis": rv.wnote, "list_basis": LIST_BASIS, "class": p["class"], "wdbii_level": p["level"],
                 "name_conf": p["name_conf"], "name_basis": p["name_basis"], "source": p["source"]}
        feats.append((props, rv.feat["geometry"]))
    write_geojson(os.path.join(out, "rivers.geojson"), "rivers", feats, raw_geometry=True)
    write_reserves_gpkg(os.path.join(out, "reserves.gpkg"), b.zones["reserves"])
    write_geojson(os.path.join(out, "water_sources.geojson"), "water_sources", b.zones["water_sources"], crs=CRS4490)
    for name in ("redlines", "no_breeding", "drawdown", "industrial_parks", "urban_areas"):
        write_geojson(os.path.join(out, f"{name}.geojson"), name, b.zones[name])
    fe = []
    for f in b.facilities:
        fe.append(({"id": f["id"], "name": f["name"], "category": f["category"], "status": f["status"],
                    "district": f["district"], "test_case": f["test"], "source": ILLUSTRATIVE}, f["geom"]))
    write_geojson(os.path.join(out, "facilities.geojson"), "facilities", fe)
    # expected results
    with open(os.path.join(out, "expected-distances.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["facility_id", "rule", "river_name", "shoreline_distance_m", "centerline_distance_m"])
        for fid, rid, rname, d, dc in dist_rows:
            w.writerow([fid, rid, rname, f"{d:.2f}", f"{dc:.2f}"])
    order = ["chem-1km", "tailings-3km", "tailings-1km", "mine-10km", "hydro-core", "hydro-exp", "reserve-sand",
             "outlet-water", "outlet-reserve", "livestock-nobreed", "aquaculture-drawdown", "redline-dev", "wujiang-1km",
             "wujiang-5km", "wujiang-setback-urban", "wujiang-setback-rural", "industry-in-park"]
    viol.sort(key=lambda v: (order.index(v[0]), v[1]))
    with open(os.path.join(out, "expected-violations.csv"), "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["rule", "facility_id", "facility_name", "detail"])
        names = {f["id"]: f["name"] for f in b.facilities}
        for rid, fid, det in viol:
            w.writerow([rid, fid, names[fid], det])
    # summary on stdout
    print(f"{len(b.facilities)} facilities")
    for rid in order:
        ids = [v[1] for v in viol if v[0] == rid]
        print(f"{rid}: {len(ids)} {' '.join(ids)}")


if __name__ == "__main__":
    main()
