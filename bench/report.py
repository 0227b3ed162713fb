#!/usr/bin/env python3
"""Summarises bench/run.sh's runs: prints the Rust-vs-C table, writes latest.md, latest.csv and
throughput.svg. Python 3 standard library only.

Input (--runs): CSV with round,test,transport,size,variant,count,value; test is thr (value in msg/s)
or lat (value in microseconds, one-way); variant is c_a, rust, c_b (same case, same round), async (the
Rust programs on AsyncSocket, set against rust: async vs blocking), or for
1 MiB throughput also rust_zc / c_zc (fresh-buffer zero-copy sends), rust_zs / c_zs (shared-payload
zero-copy sends) and rust_zt / c_zt (constant-payload zero-copy sends), each set against the C copying send of the round (c_a) and against C's own sender of
the same mode.

Ratios are oriented so that > 1 means "Rust better": Rust/C for throughput, C/Rust for latency, each
taken per round against the C run of that round (c_a). The noise floor is the same ratio between the
two identical C runs of a round (c_b against c_a). A case is flagged when its median ratio lies
outside the band its own C-vs-C ratios span (with at least 3 rounds).
"""

import argparse
import csv
import math
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

SIZE_NAMES = {1: "1 B", 64: "64 B", 1024: "1 KiB", 65536: "64 KiB", 1048576: "1 MiB"}
TRANSPORT_ORDER = {"tcp": 0, "ipc": 1, "inproc": 2}
TEST_ORDER = {"thr": 0, "lat": 1}


def size_name(size):
    if size in SIZE_NAMES:
        return SIZE_NAMES[size]
    if size % 1048576 == 0:
        return f"{size // 1048576} MiB"
    if size % 1024 == 0:
        return f"{size // 1024} KiB"
    return f"{size} B"


def fmt_rate(v):
    if v is None:
        return "n/a"
    for unit, div in (("M", 1e6), ("k", 1e3)):
        if v >= div:
            return f"{v / div:.3g}{unit}" if v / div < 100 else f"{v / div:.0f}{unit}"
    return f"{v:.0f}"


def fmt_lat(v):
    return "n/a" if v is None else f"{v:.2f} us"


def fmt_ratio(r):
    return "n/a" if r is None else f"{r:.3f}"


def fmt_band(lo, hi):
    return "n/a" if lo is None else f"{lo:.2f}..{hi:.2f}"


def geomean(values):
    values = [v for v in values if v is not None and v > 0]
    if not values:
        return None
    return math.exp(sum(math.log(v) for v in values) / len(values))


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# Zero-copy modes: (variant suffix, name used in tables and CSV).
ZERO_COPY_MODES = (("zc", "zero_copy"), ("zs", "shared_zero_copy"), ("zt", "static_zero_copy"))


def read_runs(path):
    runs = defaultdict(dict)  # (test, transport, size) -> {(round, variant): value}
    counts = {}  # (test, transport, size) -> count of the copying runs; (..., variant) for the others
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            key = (row["test"], row["transport"], int(row["size"]))
            value = None if row["value"] in ("", "NA") else float(row["value"])
            runs[key][(int(row["round"]), row["variant"])] = value
            counts[key + (row["variant"],)] = int(row["count"])
            if row["variant"] in ("c_a", "rust", "c_b"):
                counts[key] = int(row["count"])
    return runs, counts


def better_ratio(test, candidate, baseline):
    """> 1 when the candidate is better than the baseline."""
    if candidate is None or baseline is None or candidate <= 0 or baseline <= 0:
        return None
    return candidate / baseline if test == "thr" else baseline / candidate


def spread(values):
    """median, min, max of the values that are not None."""
    values = [v for v in values if v is not None]
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def zero_copy_row(row, data, rounds, counts, suffix, mode):
    """Rust's zero-copy sender of one mode against the C copying send and against C's sender of that mode."""
    test = row["test"]
    rust_v, c_v = f"rust_{suffix}", f"c_{suffix}"
    vs_copy = spread([better_ratio(test, data.get((r, rust_v)), data.get((r, "c_a"))) for r in rounds])
    vs_same = spread([better_ratio(test, data.get((r, rust_v)), data.get((r, c_v))) for r in rounds])
    c_gain = spread([better_ratio(test, data.get((r, c_v)), data.get((r, "c_a"))) for r in rounds])
    z = {
        "mode": mode,
        "test": test,
        "transport": row["transport"],
        "size": row["size"],
        "count": counts.get((test, row["transport"], row["size"], rust_v), row["count"]),
        "rust_zc": median([data.get((r, rust_v)) for r in rounds]),
        "c": row["c"],
        "c_zc": median([data.get((r, c_v)) for r in rounds]),
        "ratio": vs_copy[0],
        "ratio_min": vs_copy[1],
        "ratio_max": vs_copy[2],
        "ratio_vs_c_zc": vs_same[0],
        "ratio_vs_c_zc_min": vs_same[1],
        "ratio_vs_c_zc_max": vs_same[2],
        "c_gain": c_gain[0],
        "rounds": len([r for r in rounds if data.get((r, rust_v)) is not None]),
        "noise_min": row["noise_min"],
        "noise_max": row["noise_max"],
    }
    # Against the C copying send, read with the C-vs-C band of the copying case.
    z["verdict"] = verdict(z).replace("Rust", "Rust zero-copy")
    return z


def summarise(runs, counts):
    rows = []
    zc_rows = []
    for key in sorted(runs, key=lambda k: (TEST_ORDER.get(k[0], 9), TRANSPORT_ORDER.get(k[1], 9), k[2])):
        test, transport, size = key
        data = runs[key]
        rounds = sorted({r for r, _ in data})
        ratios = [better_ratio(test, data.get((r, "rust")), data.get((r, "c_a"))) for r in rounds]
        noise = [better_ratio(test, data.get((r, "c_b")), data.get((r, "c_a"))) for r in rounds]
        ratios_ok = [x for x in ratios if x is not None]
        noise_ok = [x for x in noise if x is not None]
        rust = median([data.get((r, "rust")) for r in rounds])
        c = median([data.get((r, v)) for r in rounds for v in ("c_a", "c_b")])
        row = {
            "test": test,
            "transport": transport,
            "size": size,
            "count": counts[key],
            "rounds": len(ratios_ok),
            "rust": rust,
            "c": c,
            "ratio": median(ratios_ok),
            "ratio_min": min(ratios_ok) if ratios_ok else None,
            "ratio_max": max(ratios_ok) if ratios_ok else None,
            "ratio_by_round": dict(zip(rounds, ratios)),
            "noise": median(noise_ok),
            "noise_min": min(noise_ok) if noise_ok else None,
            "noise_max": max(noise_ok) if noise_ok else None,
        }
        row["verdict"] = verdict(row)
        rows.append(row)
        for suffix, mode in ZERO_COPY_MODES:
            if any(v == f"rust_{suffix}" for _, v in data):
                zc_rows.append(zero_copy_row(row, data, rounds, counts, suffix, mode))
    return rows, zc_rows


def verdict(row):
    if row["ratio"] is None or row["noise_min"] is None:
        return "n/a"
    if row["rounds"] < 3:
        return "(needs 3+ rounds)"
    lo = min(row["noise_min"], 1.0)
    hi = max(row["noise_max"], 1.0)
    if row["ratio"] < lo:
        return "Rust slower"
    if row["ratio"] > hi:
        return "Rust faster"
    return "within noise"


def geo_summary(rows, select):
    chosen = [r for r in rows if select(r)]
    if not chosen:
        return None
    gm = geomean([r["ratio"] for r in chosen])
    rounds = sorted({k for r in chosen for k in r["ratio_by_round"]})
    per_round = [geomean([r["ratio_by_round"].get(k) for r in chosen]) for k in rounds]
    per_round = [x for x in per_round if x is not None]
    noise = geomean([r["noise"] for r in chosen])
    return {
        "cases": len(chosen),
        "ratio": gm,
        "round_min": min(per_round) if per_round else None,
        "round_max": max(per_round) if per_round else None,
        "noise": noise,
        "noise_min": min((r["noise_min"] for r in chosen if r["noise_min"] is not None), default=None),
        "noise_max": max((r["noise_max"] for r in chosen if r["noise_max"] is not None), default=None),
    }


def fmt_value(test, v):
    return fmt_rate(v) + " msg/s" if test == "thr" else fmt_lat(v)


def markdown_tables(rows, zc_rows, geo):
    out = []
    out.append(
        "| test | transport | size | count | Rust | C | Rust vs C (median, min..max) | C vs C noise (median, min..max) | verdict |"
    )
    out.append("|---|---|---|--:|--:|--:|--:|--:|---|")
    for r in rows:
        name = "throughput" if r["test"] == "thr" else "latency"
        out.append(
            f"| {name} | {r['transport']} | {size_name(r['size'])} | {r['count']} "
            f"| {fmt_value(r['test'], r['rust'])} | {fmt_value(r['test'], r['c'])} "
            f"| {fmt_ratio(r['ratio'])} ({fmt_band(r['ratio_min'], r['ratio_max'])}) "
            f"| {fmt_ratio(r['noise'])} ({fmt_band(r['noise_min'], r['noise_max'])}) | {r['verdict']} |"
        )
    out.append("")
    out.append("Ratios: > 1 means Rust is better (Rust/C for throughput, C/Rust for latency).")
    out.append("")
    out.append("| geometric mean over | cases | Rust vs C | per-round min..max | C vs C noise | noise min..max |")
    out.append("|---|--:|--:|--:|--:|--:|")
    for label, g in geo:
        if g is None:
            continue
        out.append(
            f"| {label} | {g['cases']} | {fmt_ratio(g['ratio'])} | {fmt_band(g['round_min'], g['round_max'])} "
            f"| {fmt_ratio(g['noise'])} | {fmt_band(g['noise_min'], g['noise_max'])} |"
        )
    titles = {
        "zero_copy": (
            "Fresh zero-copy (`--zero-copy`): a new zero-filled buffer per message, handed over without copying "
            "(Rust `send(Vec<u8>)`, C calloc + `zmq_msg_init_data`), against the C copying send (`zmq_send`)",
            "fresh",
        ),
        "shared_zero_copy": (
            "Shared zero-copy (`--zero-copy-shared`): Rust shared zero-copy vs C copying send, and vs C shared "
            "zero-copy (one payload handed to libzmq once, then a reference to that message per send: Rust "
            "`Message::from_owned(Arc<[u8]>)` once and `share()` per message, C `zmq_msg_init_data` once and "
            "`zmq_msg_copy` per message)",
            "shared",
        ),
        "static_zero_copy": (
            "Static zero-copy (`--zero-copy-static`): one constant payload (Rust `Message::from_static`, C "
            "`zmq_msg_init_data` without a free function: the same libzmq calls)",
            "static",
        ),
    }
    for mode, (title, short) in titles.items():
        chosen = [z for z in zc_rows if z["mode"] == mode]
        if not chosen:
            continue
        out.append("")
        out.append(f"{title}:")
        out.append("")
        out.append(
            f"| transport | size | count | Rust {short} zc | C copying send | Rust {short} zc / C copy "
            f"(median, min..max) | verdict vs C copy | C {short} zc | C {short} zc / C copy "
            f"| Rust {short} zc / C {short} zc (median, min..max) |"
        )
        out.append("|---|---|--:|--:|--:|--:|---|--:|--:|--:|")
        for z in chosen:
            out.append(
                f"| {z['transport']} | {size_name(z['size'])} | {z['count']} "
                f"| {fmt_value('thr', z['rust_zc'])} | {fmt_value('thr', z['c'])} "
                f"| {fmt_ratio(z['ratio'])} ({fmt_band(z['ratio_min'], z['ratio_max'])}) | {z['verdict']} "
                f"| {fmt_value('thr', z['c_zc'])} | {fmt_ratio(z['c_gain'])} "
                f"| {fmt_ratio(z['ratio_vs_c_zc'])} ({fmt_band(z['ratio_vs_c_zc_min'], z['ratio_vs_c_zc_max'])}) |"
            )
    return out


def write_csv(path, rows, zc_rows):
    fields = [
        "test",
        "transport",
        "size",
        "variant",
        "count",
        "rounds",
        "rust",
        "c",
        "ratio",
        "ratio_min",
        "ratio_max",
        "noise",
        "noise_min",
        "noise_max",
        "verdict",
        "unit",
    ]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(fields)

        def num(v, digits=4):
            return "" if v is None else f"{v:.{digits}f}"

        for r in rows:
            unit = "msg/s" if r["test"] == "thr" else "us"
            w.writerow(
                [r["test"], r["transport"], r["size"], "copy", r["count"], r["rounds"], num(r["rust"], 3), num(r["c"], 3)]
                + [num(r[k]) for k in ("ratio", "ratio_min", "ratio_max", "noise", "noise_min", "noise_max")]
                + [r["verdict"], unit]
            )
        for z in zc_rows:
            # Two rows per mode: Rust's zero-copy sender against the C copying send (with that case's C-vs-C
            # noise and the verdict), then against C's sender of the same mode (in the "c" column).
            mode = z["mode"]
            w.writerow(
                [z["test"], z["transport"], z["size"], f"rust_{mode}_vs_c_copy", z["count"], z["rounds"]]
                + [num(z["rust_zc"], 3), num(z["c"], 3), num(z["ratio"]), num(z["ratio_min"]), num(z["ratio_max"])]
                + ["", num(z["noise_min"]), num(z["noise_max"]), z["verdict"], "msg/s"]
            )
            w.writerow(
                [z["test"], z["transport"], z["size"], f"rust_{mode}_vs_c_{mode}", z["count"], z["rounds"]]
                + [num(z["rust_zc"], 3), num(z["c_zc"], 3), num(z["ratio_vs_c_zc"]), num(z["ratio_vs_c_zc_min"])]
                + [num(z["ratio_vs_c_zc_max"]), "", "", "", "", "msg/s"]
            )


# ------------------------------------------------------------------------------------------- chart
COLORS = {"tcp": "#1f77b4", "ipc": "#2ca02c", "inproc": "#d62728"}


def svg_chart(path, rows, zc_rows, subtitle):
    thr = [r for r in rows if r["test"] == "thr" and r["rust"] and r["c"]]
    if not thr:
        return
    width, height = 800, 480
    left, right, top, bottom = 80, 180, 50, 60
    pw, ph = width - left - right, height - top - bottom
    sizes = sorted({r["size"] for r in thr})
    values = [r[k] for r in thr for k in ("rust", "c")] + [z["rust_zc"] for z in zc_rows if z["rust_zc"]]
    values += [z["c_zc"] for z in zc_rows if z["c_zc"]]
    xmin, xmax = math.log10(max(min(sizes), 1)), math.log10(max(sizes))
    if xmax == xmin:
        xmax = xmin + 1
    ymin = math.floor(math.log10(min(values)))
    ymax = max(math.log10(max(values)) + 0.15, ymin + 1)

    pad = 50 if zc_rows else 10  # room right of the largest size for the zero-copy markers

    def x(size):
        return left + 10 + (math.log10(max(size, 1)) - xmin) / (xmax - xmin) * (pw - 10 - pad)

    def y(v):
        return top + (ymax - math.log10(v)) / (ymax - ymin) * ph

    e = []
    e.append(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">'
    )
    e.append(f'<rect width="{width}" height="{height}" fill="white"/>')
    e.append(
        f'<text x="{left + pw / 2}" y="22" text-anchor="middle" font-size="15">'
        "zmq throughput: Rust crate vs C (same libzmq)</text>"
    )
    e.append(f'<text x="{left + pw / 2}" y="38" text-anchor="middle" fill="#555">{escape(subtitle)}</text>')
    for p in range(ymin, math.floor(ymax) + 1):
        yy = y(10**p)
        e.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{left + pw}" y2="{yy:.1f}" stroke="#ddd"/>')
        e.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{fmt_rate(10**p)}</text>')
    for s in sizes:
        xx = x(s)
        e.append(f'<line x1="{xx:.1f}" y1="{top}" x2="{xx:.1f}" y2="{top + ph}" stroke="#eee"/>')
        e.append(f'<text x="{xx:.1f}" y="{top + ph + 18}" text-anchor="middle">{size_name(s)}</text>')
    e.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#333"/>')
    e.append(f'<text x="{left + pw / 2}" y="{height - 15}" text-anchor="middle">message size (log scale)</text>')
    e.append(
        f'<text x="18" y="{top + ph / 2}" text-anchor="middle" transform="rotate(-90 18 {top + ph / 2})">'
        "messages per second (log scale, median of rounds)</text>"
    )
    legend_y = top + 10
    for transport in sorted({r["transport"] for r in thr}, key=lambda t: TRANSPORT_ORDER.get(t, 9)):
        color = COLORS.get(transport, "#555")
        pts = sorted((r for r in thr if r["transport"] == transport), key=lambda r: r["size"])
        for impl, dash, marker in (("rust", "", "circle"), ("c", ' stroke-dasharray="6 4"', "square")):
            coords = " ".join(f"{x(r['size']):.1f},{y(r[impl]):.1f}" for r in pts)
            e.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"{dash}/>')
            for r in pts:
                e.append(point(marker, x(r["size"]), y(r[impl]), color))
            lx = left + pw + 15
            e.append(
                f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 28}" y2="{legend_y}" stroke="{color}" stroke-width="2"{dash}/>'
            )
            e.append(point(marker, lx + 14, legend_y, color))
            label = f"{transport} {'Rust' if impl == 'rust' else 'C'}"
            e.append(f'<text x="{lx + 36}" y="{legend_y + 4}">{label}</text>')
            legend_y += 20
    # Zero-copy senders right of their size: filled diamond / triangle = Rust fresh / shared, hollow = C.
    markers = {
        "zero_copy": ("diamond", "fresh zc"),
        "shared_zero_copy": ("triangle", "shared zc"),
        "static_zero_copy": ("down", "static zc"),
    }
    for mode, (marker, label) in markers.items():
        chosen = [z for z in zc_rows if z["mode"] == mode]
        for z in chosen:
            color = COLORS.get(z["transport"], "#555")
            if z["c_zc"]:
                e.append(point(marker, x(z["size"]) + 30, y(z["c_zc"]), color, hollow=True))
            if z["rust_zc"]:
                e.append(point(marker, x(z["size"]) + 16, y(z["rust_zc"]), color))
        if chosen:
            lx = left + pw + 15
            e.append(point(marker, lx + 8, legend_y, "#555"))
            e.append(point(marker, lx + 22, legend_y, "#555", hollow=True))
            e.append(f'<text x="{lx + 36}" y="{legend_y + 4}">{label} (Rust, C)</text>')
            legend_y += 20
    e.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(e) + "\n")


def point(marker, px, py, color, hollow=False):
    if marker == "circle":
        return f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4" fill="{color}"/>'
    if marker == "square":
        return f'<rect x="{px - 4:.1f}" y="{py - 4:.1f}" width="8" height="8" fill="white" stroke="{color}" stroke-width="2"/>'
    if marker == "triangle":
        corners = [(px, py - 7), (px + 6, py + 5), (px - 6, py + 5)]
    elif marker == "down":
        corners = [(px, py + 7), (px + 6, py - 5), (px - 6, py - 5)]
    else:
        corners = [(px, py - 6), (px + 6, py), (px, py + 6), (px - 6, py)]
    coords = " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in corners)
    if hollow:
        return f'<polygon points="{coords}" fill="white" stroke="{color}" stroke-width="2"/>'
    return f'<polygon points="{coords}" fill="{color}" stroke="black"/>'



def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# -------------------------------------------------------------------------------------------- main
def command_output(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_description():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} CPUs ({cpu or platform.machine()})"


def async_rows(runs):
    """The async Rust programs against the blocking Rust ones (and C), per case, from per-round ratios."""
    out = []
    for key in sorted(runs, key=lambda k: (TEST_ORDER.get(k[0], 9), TRANSPORT_ORDER.get(k[1], 9), k[2])):
        test, transport, size = key
        data = runs[key]
        rounds = sorted({r for r, _ in data})
        if not any(v == "async" for _, v in data):
            continue
        vs_blocking = spread([better_ratio(test, data.get((r, "async")), data.get((r, "rust"))) for r in rounds])
        vs_c = spread([better_ratio(test, data.get((r, "async")), data.get((r, "c_a"))) for r in rounds])
        noise = spread([better_ratio(test, data.get((r, "c_b")), data.get((r, "c_a"))) for r in rounds])
        out.append(
            {
                "test": test,
                "transport": transport,
                "size": size,
                "async": median([data.get((r, "async")) for r in rounds]),
                "blocking": median([data.get((r, "rust")) for r in rounds]),
                "c": median([data.get((r, v)) for r in rounds for v in ("c_a", "c_b")]),
                "vs_blocking": vs_blocking[0],
                "vs_blocking_min": vs_blocking[1],
                "vs_blocking_max": vs_blocking[2],
                "vs_c": vs_c[0],
                "noise_min": noise[1],
                "noise_max": noise[2],
            }
        )
    return out


def async_markdown(rows):
    if not rows:
        return []
    lines = [
        "## Async (`AsyncSocket`, tokio current-thread runtime) vs blocking Rust vs C",
        "",
        "Ratio > 1 means async better: async/blocking for throughput, blocking/async for latency, median of the "
        "per-round ratios (min..max over rounds); the C-vs-C band is the noise of the same rounds.",
        "",
        "| test | transport | size | async | blocking Rust | C | async vs blocking | async vs C | C vs C |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['test']} | {r['transport']} | {size_name(r['size'])} | {fmt_value(r['test'], r['async'])} "
            f"| {fmt_value(r['test'], r['blocking'])} | {fmt_value(r['test'], r['c'])} "
            f"| {fmt_ratio(r['vs_blocking'])} ({fmt_band(r['vs_blocking_min'], r['vs_blocking_max'])}) "
            f"| {fmt_ratio(r['vs_c'])} | {fmt_band(r['noise_min'], r['noise_max'])} |"
        )
    return lines


def write_async_csv(path, rows):
    keys = ["test", "transport", "size", "async", "blocking", "c", "vs_blocking", "vs_blocking_min",
            "vs_blocking_max", "vs_c", "noise_min", "noise_max"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(keys)
        for r in rows:
            w.writerow([r[k] if not isinstance(r[k], float) else f"{r[k]:.4g}" for k in keys])


def async_svg(path, rows, subtitle):
    """Bars of async-vs-blocking per case (1.0 = as fast as the blocking calls)."""
    if not rows:
        return
    bar, gap, left, top, height = 18, 6, 170, 50, 260
    width = left + len(rows) * (bar + gap) + 40
    top_ratio = max([1.2] + [r["vs_blocking"] or 0 for r in rows])

    def y(v):
        return top + height - height * v / top_ratio

    e = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{top + height + 120}" '
        'font-family="sans-serif" font-size="11">',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="10" y="20" font-size="14">AsyncSocket vs blocking Rust (ratio, &gt; 1 = async better)</text>',
        f'<text x="10" y="36" fill="#555">{escape(subtitle)}</text>',
    ]
    for v in (0.5, 0.9, 1.0):
        if v <= top_ratio:
            e.append(f'<line x1="{left - 5}" x2="{width - 20}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#bbb" '
                     f'stroke-dasharray="{"" if v == 1.0 else "3,3"}"/>')
            e.append(f'<text x="{left - 10}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
    for i, r in enumerate(rows):
        x = left + i * (bar + gap)
        v = r["vs_blocking"] or 0
        color = "#3b7dd8" if r["test"] == "thr" else "#d8843b"
        e.append(f'<rect x="{x}" y="{y(v):.1f}" width="{bar}" height="{top + height - y(v):.1f}" fill="{color}"/>')
        label = f"{r['test']} {r['transport']} {size_name(r['size'])}"
        e.append(f'<text transform="translate({x + bar - 4},{top + height + 8}) rotate(60)">{escape(label)}</text>')
    e.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(e) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--meta", action="append", default=[], help="key=value shown in the report")
    args = ap.parse_args()
    meta = dict(m.split("=", 1) for m in args.meta)

    runs, counts = read_runs(args.runs)
    rows, zc_rows = summarise(runs, counts)
    geo = [
        ("throughput", geo_summary(rows, lambda r: r["test"] == "thr")),
        ("latency", geo_summary(rows, lambda r: r["test"] == "lat")),
        ("all", geo_summary(rows, lambda r: True)),
    ]
    for transport in sorted({r["transport"] for r in rows}, key=lambda t: TRANSPORT_ORDER.get(t, 9)):
        geo.append((f"{transport} only", geo_summary(rows, lambda r, t=transport: r["transport"] == t)))
    tables = markdown_tables(rows, zc_rows, geo)

    rustc = command_output(["rustc", "--version"])
    header = [
        "# zmq crate vs C: perf results",
        "",
        f"- date: {command_output(['date', '-u', '+%Y-%m-%d %H:%M UTC'])}",
        f"- machine: {machine_description()}",
        f"- libzmq: {meta.get('libzmq', '?')} (the same library for Rust and C); {rustc}",
        f"- mode: {meta.get('mode', '?')}, {meta.get('rounds', '?')} rounds, ~{meta.get('target_secs', '?')} s "
        f"measured per run, {meta.get('elapsed_s', '?')} s in all",
        f"- load average (1/5/15 min) before: {meta.get('load_before', '?')}, after: {meta.get('load_after', '?')}",
        "",
        "Each round runs every case as C, Rust, C (the order rotates per round); ratios are per round against "
        "the first C run, the noise is the second C run against the first. Throughput is measured by the receiver "
        "(local_thr / inproc_thr main thread), latency is half the mean round trip measured by the requester "
        "(remote_lat / inproc_lat main thread). Senders copy once (Rust `send(&[u8])`, C `zmq_send`) from one "
        "reused buffer filled with a non-zero pattern; receivers reuse one message and never read the payload; "
        "echoes send the received message back without copying.",
        "",
        "Zero-copy sends (1 MiB throughput), three modes, each against the C copying send and against C's own "
        "sender of the same mode:",
        "",
        "- *fresh* (`--zero-copy`): every message is a newly allocated, zero-filled buffer whose ownership goes "
        "to libzmq (Rust `send(vec![0u8; n])`, C calloc + `zmq_msg_init_data` with a free function). The copy is "
        "gone, but the allocator has to produce 1 MiB of zeroed memory per message (a memset of reused memory, "
        "or pages given back to the kernel and faulted in again), which costs about what the copy from a hot "
        "buffer did; over inproc nothing reads the payload, so it measures allocation and hand-over only. It "
        "models handing over a buffer that was made for this one message (without the cost of filling it).",
        "- *shared* (`--zero-copy-shared`): one immutable payload (non-zero pattern) is made once and every "
        "message refers to it: Rust hands an `Arc<[u8]>` to libzmq once (`Message::from_owned`) and sends "
        "`share()` of that message each time, C calls `zmq_msg_init_data` once and `zmq_msg_copy` per message "
        "(the calls `share()` makes): per message an atomic increment and decrement of libzmq's reference count, "
        "no allocation. Over tcp/ipc the user-space copy is gone and the kernel reads the same hot "
        "1 MiB into the socket; over inproc no payload moves at all, so the rate is the per-message cost of "
        "libzmq and of the binding, not a bandwidth. It models sending the same immutable data many times "
        "(a cached reply, a broadcast file chunk); shared rows have their own message count.",
        "- *static* (`--zero-copy-static`): as shared, with data that lives as long as the process: Rust "
        "`Message::from_static`, C `zmq_msg_init_data` without a free function (libzmq's constant data: no "
        "allocation and no reference count, libzmq's floor). Static rows use the shared rows' count.",
        "",
    ]
    arows = async_rows(runs)
    atables = async_markdown(arows)
    if atables:
        tables = tables + [""] + atables + ["", "![async vs blocking](async.svg)"]
    md = "\n".join(header + tables) + "\n\n![throughput](throughput.svg)\n"
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "latest.md"), "w") as f:
        f.write(md)
    write_csv(os.path.join(args.out_dir, "latest.csv"), rows, zc_rows)
    subtitle = (
        f"{meta.get('mode', '')} run, {meta.get('rounds', '?')} rounds; solid = Rust, dashed = C; "
        f"load avg before {meta.get('load_before', '?')}, after {meta.get('load_after', '?')}"
    )
    svg_chart(os.path.join(args.out_dir, "throughput.svg"), rows, zc_rows, subtitle)
    if arows:
        write_async_csv(os.path.join(args.out_dir, "latest-async.csv"), arows)
        async_svg(os.path.join(args.out_dir, "async.svg"), arows, subtitle.replace("solid = Rust, dashed = C; ", ""))
    print("\n".join(header[2:7] + [""] + tables))
    print(f"\nwrote {args.out_dir}/latest.md, latest.csv, latest-runs.csv, throughput.svg", file=sys.stderr)


if __name__ == "__main__":
    main()
