#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A rule catalogue done the way a GeoPandas user would write it: read_file, to_crs a metric CRS, buffer + sjoin.

    geopandas_rules.py CATALOGUE.toml LAYERS.toml OUT.json [--crs EPSG:4545]

Writes {rule_id: [violating subject ids]} to OUT.json. bench/run times the whole process (reads included).
"""
import json
import pathlib
import re
import sys
import tomllib

import geopandas as gpd


def pandas_expr(where):
    """OGR SQL attribute filter -> pandas .query() expression (outside quoted strings only)."""
    out = []
    for i, part in enumerate(re.split(r"('(?:[^']|'')*')", where)):
        if i % 2 == 0:
            part = re.sub(r"\bIN\b", "in", part, flags=re.I)
            part = re.sub(r"\bAND\b", "and", part, flags=re.I)
            part = re.sub(r"\bOR\b", "or", part, flags=re.I)
            part = re.sub(r"\bNOT\b", "not", part, flags=re.I)
            part = part.replace("<>", "!=")
            part = re.sub(r"(?<![<>!=])=(?!=)", "==", part)
        out.append(part)
    return "".join(out)


def main():
    catalogue_file, layers_file, out_file = sys.argv[1:4]
    crs = sys.argv[5] if len(sys.argv) > 5 and sys.argv[4] == "--crs" else "EPSG:4545"
    catalogue = tomllib.loads(pathlib.Path(catalogue_file).read_text())
    layer_set = tomllib.loads(pathlib.Path(layers_file).read_text())
    base = pathlib.Path(layers_file).parent
    rules = catalogue["rule"]
    used = {r[k] for r in rules for k in ("subject", "object", "subject_inside", "subject_outside") if r.get(k)}
    data = {}
    for name in sorted(used):
        b = layer_set["layers"][name]
        data[name] = gpd.read_file(base / b["source"], layer=b.get("layer")).to_crs(crs)

    def select(df, where):
        return df.query(pandas_expr(where)) if where else df

    def intersecting(subjects, zones):
        hits = gpd.sjoin(subjects[["geometry"]], zones[["geometry"]], how="inner", predicate="intersects")
        return subjects.index.isin(hits.index.unique())

    result = {}
    for r in rules:
        subjects = select(data[r["subject"]], r.get("subject_where"))
        if r.get("subject_inside"):
            subjects = subjects[intersecting(subjects, data[r["subject_inside"]])]
        if r.get("subject_outside"):
            subjects = subjects[~intersecting(subjects, data[r["subject_outside"]])]
        objects = select(data[r["object"]], r.get("object_where"))
        if r["predicate"] == "within_distance":
            # Shoreline: a centerline's distance less half its width, so buffer by D + width/2.
            half = objects["width_m"].fillna(0) / 2 if "width_m" in objects else 0
            zones = gpd.GeoDataFrame(geometry=objects.geometry.buffer(float(r["distance_m"]) + half), crs=crs)
            hit = intersecting(subjects, zones)
        elif r["predicate"] == "inside":
            hit = intersecting(subjects, objects)
        else:  # outside
            hit = ~intersecting(subjects, objects)
        result[r["id"]] = sorted(subjects.loc[hit, "id"].astype(str))
    pathlib.Path(out_file).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
