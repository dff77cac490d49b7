#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The measuring half of bench/run (which installs, builds, generates the data and owns the PostGIS cluster).

For each size: ecozone `check` per catalogue, the floor probe, PostGIS (four variants), GeoPandas; then the
cross-check of violating ids per rule against PostGIS geography (the truth reference), and the Markdown report.
Exit status 1 when any tool disagrees with the truth outside the band around a threshold.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib

import psycopg2

METRIC_SRID = 4545  # CGCS2000 / 3-degree Gauss-Kruger CM 108E: covers 105.3-110.2E within 0.09 % scale error
SUBDIVIDE = 64  # max vertices per piece for ST_Subdivide
BAND = 0.005  # planar and geodesic answers may differ within ±0.5 % of a distance threshold
AREA_BAND_M = 1.0  # ... and within a metre of a zone's boundary (straight edges in lon/lat vs in the GK plane)
LAYERS = ["redlines", "reserves", "rivers", "water_sources", "no_breeding", "drawdown", "industrial_parks",
          "urban_areas", "facilities"]
VARIANTS = {  # name: (distance tables, area tables, description)
    "metric": ("m", "m", f"EPSG:{METRIC_SRID} geometry, ST_DWithin"),
    "metric+subdivide": ("ms", "ms", f"EPSG:{METRIC_SRID} geometry, ST_Subdivide({SUBDIVIDE})"),
    "geography": ("g", "ll", "geography ST_DWithin (inside/outside on EPSG:4326 geometry)"),
    "geography+subdivide": ("gs", "lls", f"geography, ST_Subdivide({SUBDIVIDE}) (inside/outside on 4326)"),
}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def timed(cmd, timeout, **kw):
    """Runs cmd under /usr/bin/time -v: (wall seconds, peak RSS MiB, return code, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.perf_counter()
        # In a session of its own, so that a timeout kills the whole tree: killing /usr/bin/time alone left the
        # timed program running (GeoPandas on the river rules at 1M), on the cores the next measurements used.
        p = subprocess.Popen(["/usr/bin/time", "-v", "-o", tf.name] + [str(c) for c in cmd],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return None, None, "timeout", ""
        wall = time.perf_counter() - t0
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", tf.read())
        rss = int(m.group(1)) / 1024 if m else None
        if p.returncode not in (0, 1):
            log(f"  {cmd[0]} exited {p.returncode}: {err[-2000:]}")
        return wall, rss, p.returncode, out


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def repeat(fn, runs, long_s):
    """Calls fn() up to `runs` times (once if the first call takes longer than long_s): (median, results)."""
    results = [fn()]
    if results[0][0] is not None and results[0][0] < long_s:
        results += [fn() for _ in range(runs - 1)]
    return median([r[0] for r in results]), results


def qualify(where, alias, columns):
    """Prefixes the column names of an OGR SQL filter with a table alias (outside quoted strings)."""
    if not where:
        return "TRUE"
    parts = re.split(r"('(?:[^']|'')*')", where)
    for i in range(0, len(parts), 2):
        parts[i] = re.sub(r"\b([A-Za-z_][A-Za-z_0-9]*)\b",
                          lambda m: f"{alias}.{m.group(1)}" if m.group(1) in columns else m.group(1), parts[i])
    return "(" + "".join(parts) + ")"


def load_catalogue(path):
    return tomllib.loads(pathlib.Path(path).read_text())["rule"]


def layers_of(rules):
    return sorted({r[k] for r in rules for k in ("subject", "object", "subject_inside", "subject_outside") if r.get(k)})


# ---------------------------------------------------------------------------------------------------------------
# ecozone and the floor


def run_ecozone(args, layers_toml, catalogue, work, threads=None):
    out = work / "ecozone.gpkg"
    cmd = [args.ecozone, "check", "--layers", layers_toml, "--rules", catalogue, "-o", out, "-q"]
    if threads:
        cmd += ["--threads", str(threads)]
    med, results = repeat(lambda: timed(cmd, args.timeout), args.runs, args.long_s)
    ok = all(r[2] in (0, 1) for r in results)
    ids = {}
    if ok:
        con = sqlite3.connect(out)
        table = con.execute("SELECT table_name FROM gpkg_contents WHERE data_type = 'features'").fetchone()[0]
        for rule_id, subject_id in con.execute(f'SELECT rule_id, subject_id FROM "{table}"'):
            ids.setdefault(rule_id, set()).add(str(subject_id))
        con.close()
    return {"wall": med if ok else None, "rss": max((r[1] or 0) for r in results), "ids": ids,
            "status": "ok" if ok else str(results[-1][2]), "runs": len(results)}


def run_floor(args, data, work):
    ids_file = work / "floor.ids"
    cmd = [args.floor, "--facilities", data / "facilities.gpkg", "--rivers", data / "rivers.gpkg",
           "--distance", "1000", "--ids", ids_file]
    rows = []

    def once():
        r = timed(cmd, args.timeout)
        m = re.search(r"^FLOOR (.*)$", r[3] or "", re.M)
        rows.append(dict(kv.split("=") for kv in m.group(1).split()) if m else {})
        return r

    med, results = repeat(once, args.runs, args.long_s)
    return {"wall": med, "rss": max((r[1] or 0) for r in results),
            "read_s": median([float(r["read_s"]) for r in rows if r]),
            "probe_s": median([float(r["probe_s"]) for r in rows if r]),
            "build_s": median([float(r["build_s"]) for r in rows if r]),
            "ids": set(ids_file.read_text().split()) if ids_file.exists() else set()}


# ---------------------------------------------------------------------------------------------------------------
# PostGIS


class PostGIS:
    def __init__(self, args, data):
        self.args, self.data = args, data
        self.dsn = f"host=127.0.0.1 port={args.pg_port} dbname=bench user=bench"
        self.con = psycopg2.connect(self.dsn)
        self.con.autocommit = True
        self.cur = self.con.cursor()
        self.cur.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        self.cur.execute(f"SET statement_timeout = {int(args.timeout * 1000)}")
        self.cost = {}  # (layer, table suffix) -> seconds to make that table (load + index + analyze)
        self.truths = {}  # truth query -> its rows: the same rule in two catalogues is solved once
        self.columns = {}

    def sql(self, q):
        t0 = time.perf_counter()
        self.cur.execute(q)
        return time.perf_counter() - t0

    def table(self, layer, suffix):
        if suffix in ("ms", "lls") and layer == "facilities":  # points are not subdivided
            suffix = suffix[:-1] if suffix == "ms" else "ll"
        if suffix == "gs" and layer == "facilities":
            suffix = "g"
        return layer if suffix == "ll" else f"{layer}_{suffix}"

    def load(self, layers):
        """ogr2ogr each layer into EPSG:4326 tables, then derive the variant tables; every step timed."""
        for layer in layers:
            t0 = time.perf_counter()
            subprocess.run(["ogr2ogr", "-f", "PostgreSQL", f"PG:{self.dsn}", self.data / f"{layer}.gpkg", layer,
                            "-nln", layer, "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=NONE",
                            "-lco", "FID=fid", "-overwrite", "-nlt", "PROMOTE_TO_MULTI" if layer != "facilities"
                            else "POINT"], check=True, capture_output=True)
            t = time.perf_counter() - t0
            t += self.sql(f"CREATE INDEX ON {layer} USING gist (geom); ANALYZE {layer}")
            self.cost[(layer, "ll")] = t
            self.cur.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                             "AND column_name NOT IN ('geom', 'fid')", (layer,))
            cols = [c for (c,) in self.cur.fetchall()]
            self.columns[layer] = set(cols)
            attrs = ", ".join(cols)

            def derive(suffix, select, source_suffix=None):
                name = f"{layer}_{suffix}"
                t = self.sql(f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} AS SELECT {attrs}, {select} AS geom "
                             f"FROM {self.table(layer, source_suffix or 'll')}; "
                             f"CREATE INDEX ON {name} USING gist (geom); ANALYZE {name}")
                self.cost[(layer, suffix)] = t + (self.cost[(layer, source_suffix)] if source_suffix else 0)

            derive("m", f"ST_Transform(geom, {METRIC_SRID})")
            derive("g", "geom::geography")
            if layer != "facilities":
                derive("lls", f"ST_Subdivide(geom, {SUBDIVIDE})")
                derive("ms", f"ST_Subdivide(geom, {SUBDIVIDE})", "m")
                derive("gs", "geom::geography", "lls")
            log(f"  loaded {layer}: " + ", ".join(f"{s} {c:.2f}s" for (l, s), c in self.cost.items() if l == layer))
        self.cur.execute("SELECT coalesce(max(width_m), 0) / 2 FROM rivers")
        self.max_half_width = float(self.cur.fetchone()[0])

    def load_cost(self, rules, variant):
        """Seconds to load and index what `rules` use, for `variant` (the 4326 tables plus the variant's own)."""
        dist, area = VARIANTS[variant][:2]
        needed = set()
        for r in rules:
            subj_kind = dist if r["predicate"] == "within_distance" else area
            needed.add((r["subject"], self.table(r["subject"], subj_kind)))
            needed.add((r["object"], self.table(r["object"], subj_kind)))
            for q in ("subject_inside", "subject_outside"):
                if r.get(q):
                    needed.add((r[q], self.table(r[q], area)))
                    needed.add((r["subject"], self.table(r["subject"], area)))
        total = sum(self.cost[(layer, "ll")] for layer in {l for l, _ in needed})
        for layer, table in needed:
            suffix = "ll" if table == layer else table[len(layer) + 1:]
            if suffix != "ll":
                total += self.cost[(layer, suffix)]
        return total

    def rule_sql(self, r, variant, truth=False):
        dist, area = VARIANTS[variant][:2]
        subj = r["subject"]
        is_dist = r["predicate"] == "within_distance"
        ftab = self.table(subj, dist if is_dist else area)
        fgeom_area = "f.geom::geometry" if (is_dist and dist.startswith("g")) else "f.geom"
        conds = [qualify(r.get("subject_where"), "f", self.columns[subj])]
        for q, neg in (("subject_inside", ""), ("subject_outside", "NOT ")):
            if r.get(q):
                conds.append(f"{neg}EXISTS (SELECT 1 FROM {self.table(r[q], area)} u "
                             f"WHERE ST_Intersects(u.geom, {fgeom_area}))")
        obj = r["object"]
        ow = qualify(r.get("object_where"), "o", self.columns[obj])
        if is_dist:
            otab = self.table(obj, dist)
            d = float(r["distance_m"])
            half = "coalesce(o.width_m, 0) / 2.0" if "width_m" in self.columns[obj] else "0"
            if truth:  # per facility: within the band's outer edge, within D, within the band's inner edge
                # Semi-joins that stop at the first piece in reach, not the minimum distance over every piece: at 1M
                # facilities and 10 km, a min() per facility (or a join grouped by facility) did not finish in an
                # hour. The band's inner and D's tests only run for facilities that passed the outer one.
                def near(radius):
                    return (f"EXISTS (SELECT 1 FROM {otab} o WHERE {ow} AND "
                            f"ST_DWithin(f.geom, o.geom, {radius + self.max_half_width}) AND "
                            f"ST_DWithin(f.geom, o.geom, {radius} + {half}))")
                conds.append(near(d * (1 + BAND)))
                return (f"SELECT f.id, {near(d)}, {near(d * (1 - BAND))} FROM {ftab} f WHERE " + " AND ".join(conds))
            # The constant radius lets the index work; the exact shoreline test follows it.
            conds.append(f"EXISTS (SELECT 1 FROM {otab} o WHERE {ow} AND "
                         f"ST_DWithin(f.geom, o.geom, {d + self.max_half_width}) AND "
                         f"ST_DWithin(f.geom, o.geom, {d} + {half}))")
        else:
            neg = "NOT " if r["predicate"] == "outside" else ""
            conds.append(f"{neg}EXISTS (SELECT 1 FROM {self.table(obj, area)} o WHERE {ow} AND "
                         f"ST_Intersects(o.geom, f.geom))")
        return f"SELECT f.id FROM {ftab} f WHERE " + " AND ".join(conds)

    def run_rules(self, rules, variant):
        """Times each rule's query (median of runs): (seconds for the catalogue or None on timeout, ids per rule)."""
        total, ids = 0.0, {}
        for r in rules:
            q = self.rule_sql(r, variant)

            def once():
                t0 = time.perf_counter()
                try:
                    self.cur.execute(q)
                except psycopg2.errors.QueryCanceled:
                    return (None, None)
                rows = self.cur.fetchall()
                return (time.perf_counter() - t0, {str(x) for (x,) in rows})

            med, results = repeat(once, self.args.runs, self.args.long_s)
            if med is None:
                log(f"  {variant} {r['id']}: timed out after {self.args.timeout} s")
                return None, ids
            total += med
            ids[r["id"]] = results[0][1]
        return total, ids

    def truth(self, r):
        """Geodesic truth for a distance rule: (ids within D, ids within the band around D)."""
        # The truth is needed whatever it costs: --timeout limits the timed queries, not the cross-check.
        q = self.rule_sql(r, "geography+subdivide", truth=True)
        if q not in self.truths:
            self.cur.execute("SET statement_timeout = 0")
            try:
                self.cur.execute(q)
                self.truths[q] = self.cur.fetchall()  # before the next statement replaces the result
            finally:
                self.cur.execute(f"SET statement_timeout = {int(self.args.timeout * 1000)}")
        rows = self.truths[q]
        inside = {str(fid) for fid, within, _ in rows if within}
        band = {str(fid) for fid, _, within_inner in rows if not within_inner}  # within D(1 + BAND), not D(1 - BAND)
        return inside, band

    def near_boundary(self, r, ids):
        """Of `ids`, those within AREA_BAND_M of the boundary of the rule's zones or its qualifier zones."""
        if not ids:
            return set()
        zones = [(r["object"], qualify(r.get("object_where"), "o", self.columns[r["object"]]))]
        zones += [(r[q], "TRUE") for q in ("subject_inside", "subject_outside") if r.get(q)]
        near = set()
        for layer, ow in zones:
            self.cur.execute(
                f"SELECT f.id FROM facilities f WHERE f.id = ANY(%s) AND EXISTS (SELECT 1 FROM {layer}_lls o "
                f"WHERE {ow} AND ST_DWithin(f.geom::geography, ST_Boundary(o.geom)::geography, {AREA_BAND_M}))",
                (sorted(ids),))
            near |= {str(x) for (x,) in self.cur.fetchall()}
        return near


# ---------------------------------------------------------------------------------------------------------------
# GeoPandas


def run_geopandas(args, layers_toml, catalogue, work):
    out = work / "geopandas.json"
    cmd = ["/usr/bin/python3", pathlib.Path(__file__).parent / "geopandas_rules.py", catalogue, layers_toml, out]
    med, results = repeat(lambda: timed(cmd, args.timeout), args.runs, args.long_s)
    ok = all(r[2] == 0 for r in results)
    ids = {k: set(v) for k, v in json.loads(out.read_text()).items()} if ok else {}
    return {"wall": med if ok else None, "rss": max((r[1] or 0) for r in results), "ids": ids,
            "status": "ok" if ok else str(results[-1][2])}


# ---------------------------------------------------------------------------------------------------------------


def fmt(x, unit="s"):
    if x is None:
        return "—"
    if unit == "s":
        return f"{x:.2f} s" if x < 100 else f"{x:.0f} s"
    if unit == "MiB":
        return f"{x:.0f} MiB"
    if unit == "x":
        return f"{x:.1f}×"
    return str(x)


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()[1].split()[1]
    return (f"{cpu}, {os.cpu_count()} cores (`nproc`: {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()}), "
            f"{mem} RAM (`free -h`), {platform.system()} {platform.release()}; "
            f"run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", required=True)
    ap.add_argument("--data", required=True, type=pathlib.Path)
    ap.add_argument("--work", required=True, type=pathlib.Path)
    ap.add_argument("--ecozone", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--repo", required=True, type=pathlib.Path)
    ap.add_argument("--pg-port", type=int)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--long-s", type=float, default=120, help="a measurement longer than this is not repeated")
    ap.add_argument("--skip", default="")
    ap.add_argument("--report", type=pathlib.Path)
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    catalogues = [("chongqing (all 17 rules)", args.repo / "queries/chongqing.toml")] + [
        (n, args.repo / f"bench/queries/{n}.toml") for n in ("river-1km", "river-10km", "core-buffer", "outside-parks")]

    report, failures, headline = [], 0, None
    for size in args.sizes.split(","):
        data, work = args.data / size, args.work / size
        work.mkdir(parents=True, exist_ok=True)
        layers_toml = data / "layers.toml"
        log(f"== {size}")
        res = {}
        for name, cat in catalogues:
            rules = load_catalogue(cat)
            res[name] = r = {"rules": rules}
            log(f"  ecozone {name}")
            r["ecozone"] = run_ecozone(args, layers_toml, cat, work)
            if "geopandas" not in skip:
                log(f"  geopandas {name}")
                r["geopandas"] = run_geopandas(args, layers_toml, cat, work)
        log("  ecozone river-1km --threads 1")
        one_thread = run_ecozone(args, layers_toml, args.repo / "bench/queries/river-1km.toml", work, threads=1)
        floor = run_floor(args, data, work) if "floor" not in skip else None
        pg = None
        if "postgis" not in skip and args.pg_port:
            pg = PostGIS(args, data)
            log("  postgis load")
            t0 = time.perf_counter()
            pg.load(LAYERS)
            log(f"  postgis loaded in {time.perf_counter() - t0:.1f} s")
            for name, cat in catalogues:
                r = res[name]
                r["pg"] = {}
                for v in VARIANTS:
                    log(f"  postgis {v} {name}")
                    q, ids = pg.run_rules(r["rules"], v)
                    r["pg"][v] = {"query": q, "load": pg.load_cost(r["rules"], v), "ids": ids}

        # ---- correctness: per rule, each tool against PostGIS geography (outside the band) ----
        check_rows = []
        if pg:
            for name, cat in catalogues:
                r = res[name]
                for rule in r["rules"]:
                    rid = rule["id"]
                    if rule["predicate"] == "within_distance":
                        truth, band = pg.truth(rule)
                    else:
                        truth = r["pg"]["geography"]["ids"].get(rid) or r["pg"]["geography+subdivide"]["ids"].get(rid)
                        band = None
                    if truth is None:
                        continue
                    row = [name.split()[0], rid, len(truth)]
                    for tool, ids in (("ecozone", r["ecozone"]["ids"].get(rid, set())),
                                      ("postgis metric+subdivide", r["pg"]["metric+subdivide"]["ids"].get(rid)),
                                      ("geopandas", r.get("geopandas", {}).get("ids", {}).get(rid))):
                        if ids is None:
                            row.append("—")
                            continue
                        diff = ids ^ truth
                        inband = diff & band if band is not None else pg.near_boundary(rule, diff)
                        bad = diff - inband
                        if bad:
                            failures += 1
                            log(f"  MISMATCH {size} {rid} {tool}: {len(bad)} outside the band, e.g. {sorted(bad)[:5]}")
                        row.append(f"{len(bad)} (+{len(inband)} in band)" if inband else str(len(bad)))
                    check_rows.append(row)
            if floor:
                rule = load_catalogue(args.repo / "bench/queries/river-1km.toml")[0]
                truth, band = pg.truth(rule)
                bad = (floor["ids"] ^ truth) - band
                check_rows.append(["floor probe", "river-1km", len(truth), "", "", "",
                                   f"{len(bad)} (+{len((floor['ids'] ^ truth) & band)} in band)"])
            pg.con.close()

        # ---- the table ----
        lines = [f"### {size} facilities", "",
                 "| catalogue | violating facilities (sum over rules) | ecozone end to end | ecozone peak RSS | PostGIS end to end, best geodesic "
                 "(load + index + query) | PostGIS fastest query only | GeoPandas end to end | PostGIS e2e / ecozone "
                 "| PostGIS fastest query / ecozone |",
                 "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for name, cat in catalogues:
            r = res[name]
            e = r["ecozone"]["wall"]
            nviol = sum(len(v) for v in r["ecozone"]["ids"].values())
            e2e = fastest = None
            if "pg" in r:
                geo = [(v, x["load"] + x["query"]) for v, x in r["pg"].items()
                       if v.startswith("geography") and x["query"] is not None]
                qs = [(v, x["query"]) for v, x in r["pg"].items() if x["query"] is not None]
                e2e = min(geo, key=lambda t: t[1]) if geo else None
                fastest = min(qs, key=lambda t: t[1]) if qs else None
            gp = r.get("geopandas", {})
            gp_text = (f"{fmt(gp['wall'])} ({fmt(gp['rss'], 'MiB')})" if gp.get("wall") else
                       (gp.get("status", "—") if gp else "—"))
            lines.append(
                f"| {name} | {nviol} | {fmt(e)} | {fmt(r['ecozone']['rss'], 'MiB')} | "
                f"{fmt(e2e[1]) + ' (' + e2e[0] + ')' if e2e else '—'} | "
                f"{fmt(fastest[1]) + ' (' + fastest[0] + ')' if fastest else '—'} | {gp_text} | "
                f"{fmt(e2e[1] / e, 'x') if e2e and e else '—'} | {fmt(fastest[1] / e, 'x') if fastest and e else '—'} |")
            if name.startswith("chongqing") and e2e and e:
                ratio = e2e[1] / e
                headline = (f"end-to-end: {ratio:.1f}× faster than PostGIS" if ratio >= 1 else
                            f"end-to-end: {1 / ratio:.1f}× slower than PostGIS") + \
                    f" ({size} facilities, whole catalogue, best geodesic PostGIS variant: {e2e[0]})"
        lines.append("")
        if floor:
            e1 = res["river-1km"]["ecozone"]["wall"]
            lines += ["Floor (river-1km: GDAL read + packed R-tree of river segments + one planar probe per facility, "
                      "one thread):", "",
                      "| | wall | peak RSS | ecozone / floor |", "|---|---:|---:|---:|",
                      f"| GDAL read of the facilities alone | {fmt(floor['read_s'])} | | |",
                      f"| floor probe, whole process | {fmt(floor['wall'])} | {fmt(floor['rss'], 'MiB')} | |",
                      f"| ecozone river-1km, default threads | {fmt(e1)} | {fmt(res['river-1km']['ecozone']['rss'], 'MiB')} "
                      f"| {fmt(e1 / floor['wall'], 'x') if e1 else '—'} |",
                      f"| ecozone river-1km, --threads 1 | {fmt(one_thread['wall'])} | {fmt(one_thread['rss'], 'MiB')} "
                      f"| {fmt(one_thread['wall'] / floor['wall'], 'x') if one_thread['wall'] else '—'} |", ""]
        if pg:
            lines += ["PostGIS per variant (load + index of the layers the catalogue uses / query; median):", "",
                      "| catalogue | " + " | ".join(VARIANTS) + " |", "|---|" + "---:|" * len(VARIANTS)]
            for name, cat in catalogues:
                cells = []
                for v in VARIANTS:
                    x = res[name]["pg"][v]
                    cells.append(f"{fmt(x['load'])} / {fmt(x['query']) if x['query'] is not None else 'timeout'}")
                lines.append(f"| {name} | " + " | ".join(cells) + " |")
            lines.append("")
        if check_rows:
            lines += ["Cross-check: facilities whose verdict differs from PostGIS geography (the truth), outside the "
                      f"±{BAND * 100:.1f} % band at distance thresholds (±{AREA_BAND_M:g} m at zone boundaries); "
                      "in-band differences in brackets:", "",
                      "| catalogue | rule | truth count | ecozone | PostGIS metric+subdivide | GeoPandas |",
                      "|---|---|---:|---:|---:|---:|"]
            for row in check_rows:
                if row[0] == "floor probe":
                    lines.append(f"| floor probe (planar) | {row[1]} | {row[2]} | {row[6]} | | |")
                else:
                    lines.append("| " + " | ".join(str(c) for c in row) + " |")
            lines.append("")
        report.append("\n".join(lines))
        print("\n".join(lines), flush=True)

    body = [f"Machine: {machine()}.", ""]
    if headline:
        body += [headline, ""]
    body += report
    body.append(f"Correctness cross-check: {'FAILED, ' + str(failures) + ' rule/tool pairs disagree outside the band' if failures else 'passed'}.")
    text = "\n".join(body)
    if args.report:
        doc = args.report.read_text() if args.report.exists() else "<!-- bench:begin -->\n<!-- bench:end -->\n"
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin in doc and end in doc:
            doc = doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + doc[doc.index(end):]
        else:
            doc += f"\n{begin}\n{text}\n{end}\n"
        args.report.write_text(doc)
        log(f"report written to {args.report}")
    if headline:
        print(headline)
    if failures:
        print(f"FAIL: {failures} rule/tool pairs disagree with PostGIS geography outside the band", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
