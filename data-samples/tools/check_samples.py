#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Read the sample layers back through GDAL (as the engine does: every layer to lon/lat) and check them.

Usage: /usr/bin/python3 data-samples/tools/check_samples.py [DIR]   (default DIR: data-samples)

Checks: every polygon valid, rings closed, exteriors counter-clockwise and holes clockwise; zones of one reserve and
the water-source grades of one source do not overlap; the facility/zone memberships behind the zone rules in
expected-violations.csv come out the same after reprojection (reserves are EPSG:4545, water sources EPSG:4490),
including the exact-boundary case.
"""
import csv
import json
import os
import sys

from osgeo import ogr, osr
from shapely.geometry import shape
from shapely.geometry.polygon import LinearRing

ogr.UseExceptions()
osr.UseExceptions()


def read(path, layer=None):
    ds = ogr.Open(path)
    lyr = ds.GetLayerByName(layer) if layer else ds.GetLayer(0)
    src = lyr.GetSpatialRef()
    dst = osr.SpatialReference()
    dst.ImportFromEPSG(4326)
    dst.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    src.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    ct = osr.CoordinateTransformation(src, dst)
    out = []
    for f in lyr:
        g = f.GetGeometryRef().Clone()
        g.Transform(ct)
        props = {lyr.GetLayerDefn().GetFieldDefn(i).GetName(): f.GetField(i) for i in range(f.GetFieldCount())}
        out.append((props, shape(json.loads(g.ExportToJson()))))
    return out, src.GetAuthorityCode(None)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    layers = {}
    files = {"redlines": "redlines.geojson", "reserves": "reserves.gpkg", "rivers": "rivers.geojson",
             "water_sources": "water_sources.geojson", "no_breeding": "no_breeding.geojson",
             "drawdown": "drawdown.geojson", "industrial_parks": "industrial_parks.geojson",
             "urban_areas": "urban_areas.geojson", "facilities": "facilities.geojson"}
    bad = []
    for name, fn in files.items():
        layers[name], code = read(os.path.join(d, fn))
        print(f"{name:17s} EPSG:{code}  {len(layers[name])} features")
        for p, g in layers[name]:
            for poly in (g.geoms if g.geom_type == "MultiPolygon" else [g] if g.geom_type == "Polygon" else []):
                if not poly.is_valid:
                    bad.append(f"{name} {p.get('id')}: invalid")
                if not LinearRing(poly.exterior.coords).is_ccw:
                    bad.append(f"{name} {p.get('id')}: exterior not CCW")
                if any(LinearRing(h.coords).is_ccw for h in poly.interiors):
                    bad.append(f"{name} {p.get('id')}: hole not CW")
    for key, group in (("reserves", "reserve"), ("water_sources", "name")):
        feats = layers[key]
        for i in range(len(feats)):
            for j in range(i + 1, len(feats)):
                a, b = feats[i], feats[j]
                same = a[0]["reserve"] == b[0]["reserve"] if key == "reserves" else a[0]["id"][:5] == b[0]["id"][:5]
                if same and a[1].intersection(b[1]).area > 0:
                    bad.append(f"{key}: {a[0]['id']} overlaps {b[0]['id']}")
    # zone memberships against expected-violations.csv
    exp = {}
    with open(os.path.join(d, "expected-violations.csv"), encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            exp.setdefault(r["rule"], set()).add(r["facility_id"])
    alias = {"核心区": "core", "缓冲区": "buffer", "实验区": "experimental"}
    cat_alias = {"水电站": "hydropower", "采砂场": "sand_mining", "入河排污口": "sewage_outlet", "畜禽养殖场": "livestock_farm"}
    got = {k: set() for k in ("hydro-core", "hydro-exp", "reserve-sand", "outlet-water", "outlet-reserve",
                              "livestock-nobreed", "aquaculture-drawdown")}
    for p, g in layers["facilities"]:
        cat = cat_alias.get(p["category"], p["category"])
        zones = [alias.get(z["zone"], z["zone"]) for z, zg in layers["reserves"] if g.intersects(zg)]
        if cat == "hydropower" and {"core", "buffer"} & set(zones):
            got["hydro-core"].add(p["id"])
        if cat == "hydropower" and "experimental" in zones:
            got["hydro-exp"].add(p["id"])
        if cat == "sand_mining" and zones:
            got["reserve-sand"].add(p["id"])
        if cat == "sewage_outlet" and any(g.intersects(zg) for _, zg in layers["water_sources"]):
            got["outlet-water"].add(p["id"])
        if cat == "sewage_outlet" and {"core", "buffer"} & set(zones):
            got["outlet-reserve"].add(p["id"])
        if cat == "livestock_farm" and any(g.intersects(zg) for _, zg in layers["no_breeding"]):
            got["livestock-nobreed"].add(p["id"])
        if cat == "aquaculture" and any(g.intersects(zg) for _, zg in layers["drawdown"]):
            got["aquaculture-drawdown"].add(p["id"])
    for k, v in got.items():
        status = "ok" if v == exp.get(k, set()) else "MISMATCH"
        print(f"{k:21s} {status}: {' '.join(sorted(v))}")
        if status != "ok":
            bad.append(f"{k}: read back {sorted(v)}, expected {sorted(exp.get(k, set()))}")
    if bad:
        print("\n".join(bad))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
