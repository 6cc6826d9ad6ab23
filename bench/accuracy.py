"""True error of Z against wall time: uniform refinement (mesh.refine) vs accuracy.target.

Side by side in one run, on a disk contact in a pellet, the demo pore array and the contact
spots. The truth is the P3 sweep on the finest adaptive mesh (its own error is about 4/9 of
that mesh's P2 error: errors well below the final estimate are not resolved, and both paths are
measured against the same reference). Not the flux-tube closed form of the disk: for a contact
of 0.4 × the pellet radius it is itself ~1.3e-3 off (P3 on fine meshes converges ~1.3e-3 above
it; printed as "the reference against the flux-tube closed form"). Uniform refinement
re-meshes with gmsh at each mesh.refine and sweeps once (no estimate: the cheapest a user could
do, which favours it; with --uniform-estimate it also estimates its error, as a default run
does and as any run that quotes an error bar must); the adaptive time of a pass includes
everything up to it (meshing once, every sweep, estimate and refinement). The script prints,
per case, the time each path needs to bring the true error below --level (uniform: log
interpolation between the two bracketing mesh.refine values, as a user may pick any; adaptive:
the first pass below it, as a run cannot stop between passes) and their ratio; with
--uniform-estimate also the time at which each path's own estimate first falls below --level
(when a run can *say* it is that accurate: the adaptive passes that only predict do not count);
and writes the curves as JSON lines and a PNG.

    .venv/bin/python bench/accuracy.py --level 1e-3 --png docs/accuracy-bench.png
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
import yaml
from benchlib import ROOT, emit, environment, say

from eisfem.config import RunConfig, load_config, parse_config
from eisfem.postprocess.impedance import log_frequencies
from eisfem.simulation.adaptive import solve
from eisfem.simulation.console import RunConsole
from eisfem.simulation.model import build_mesh
from eisfem.solvers.materials import EPS0

sys.path.insert(0, str(ROOT))  # the closed form lives with the tests that check against it
from tests.helpers import flux_tube_disk_resistance

SIGMA = 0.55  # S/m: NZSP of the configs
UNIFORM = {False: "uniform", True: "uniform + estimate"}  # the curve of a uniform path
STYLE = {"uniform": "s--", "uniform + estimate": "^:", "adaptive": "o-"}
DISK = {"radius": 25e-6, "thickness": 50e-6, "contact": 10e-6}


def disk_config(extra: dict) -> RunConfig:
    return parse_config(
        {
            "name": "disk",
            "cell": {"shape": "cylinder", "radius": DISK["radius"], "thickness": DISK["thickness"]},
            "interface": {"kind": "disk", "radius": DISK["contact"]},
            "materials": {"electrolyte": {"conductivity": SIGMA, "permittivity": 30}},
            "frequencies": {"max": 1e11, "min": 1e5, "points_per_decade": 1},
        }
        | extra
    )


def disk_truth(freqs: np.ndarray) -> np.ndarray:
    R = flux_tube_disk_resistance(SIGMA, DISK["contact"], DISK["radius"], DISK["thickness"])
    return R / (1 + 2j * np.pi * freqs * 30 * EPS0 / SIGMA)


def case_config(name: str, overrides: list[str]) -> RunConfig:
    if name == "disk":
        extra: dict = {}
        for o in overrides:
            key, value = o.split("=")
            section, field = key.split(".")
            extra.setdefault(section, {})[field] = yaml.safe_load(value)
        return disk_config(extra)
    path = ROOT / "configs" / ("demo.yaml" if name == "pores" else "contact_spots.yaml")
    return load_config(path, ["frequencies.points_per_decade=1", *overrides])


def uniform(name: str, levels: list[float], estimate: bool) -> list[dict]:
    points = []
    for r in levels:
        cfg = case_config(name, [f"mesh.refine={r}", f"accuracy.estimate={str(estimate).lower()}"])
        freqs = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 1)
        t0 = time.perf_counter()
        solved = solve(cfg, build_mesh(cfg), freqs, RunConsole(quiet=True))
        seconds = time.perf_counter() - t0
        Z = solved.result.impedance.copy()
        quoted = solved.accuracy.get("combined_error_estimate_max")  # None without estimate
        points.append({"refine": r, "dofs": solved.system.dofs, "s": seconds, "Z": Z,
                       "estimate": quoted})  # fmt: skip
        say(f"  uniform refine {r:4.2f}: {solved.system.dofs:8d} dofs {seconds:7.1f} s")
        del solved
        gc.collect()
    return points


def adaptive(name: str, target: float, max_dofs: int) -> tuple[list[dict], np.ndarray]:
    cfg = case_config(name, [f"accuracy.target={target}", f"accuracy.max_dofs={max_dofs}"])
    freqs = log_frequencies(cfg.frequencies.max, cfg.frequencies.min, 1)
    points: list[dict] = []
    t0 = time.perf_counter()

    def record(step, result, estimate) -> None:
        points.append(
            {
                "pass": step["iteration"],
                "dofs": step["dofs"],
                "s": time.perf_counter() - t0,
                "Z": result.impedance.copy(),
                "estimate": step["combined_error_estimate_max"],
                "error_from": step["error_from"],
                "reference": None if estimate is None else estimate.enriched.impedance.copy(),
            }
        )
        say(
            f"  adaptive pass {step['iteration']}: {step['dofs']:8d} dofs {points[-1]['s']:7.1f} s,"
            f" {step['error_from']} {points[-1]['estimate']:.2e}"
        )

    solved = solve(cfg, build_mesh(cfg), freqs, RunConsole(quiet=True), on_pass=record)
    say(f"  adaptive stopped: {solved.accuracy['adaptive_stop']}")
    del solved
    gc.collect()
    return points, freqs


def time_to(points: list[dict], level: float, key: str = "error") -> float | None:
    """Wall time at which a uniform path's ``key`` (the true error, or its own estimate) first
    falls below ``level`` (log-log interpolation: a user may pick any mesh.refine in between,
    which favours this path)."""
    for a, b in itertools.pairwise(points):
        if b[key] <= level < a[key]:
            w = np.log(a[key] / level) / np.log(a[key] / b[key])
            return float(np.exp((1 - w) * np.log(a["s"]) + w * np.log(b["s"])))
    if points and points[0][key] <= level:
        return points[0]["s"]
    return None


def first_at(points: list[dict], level: float, key: str = "error") -> float | None:
    """Wall time of the first point whose ``key`` is below ``level``, no interpolation: an
    adaptive run cannot stop between two passes, and its time of a pass includes that pass's
    estimate. With ``key="estimate"``: when a run can *say* it is that accurate (a pass that
    only predicted its error does not count)."""
    for q in points:
        value = None if q.get("error_from") == "prediction" else q.get(key)
        if value is not None and value <= level:
            return q["s"]
    return None


def timings(r: dict) -> dict:
    """The times of one case's RESULT (``r``: its curves, level and uniform mode)."""
    un, ad, level = r["uniform"], r["adaptive"], r["level"]
    t = {"uniform_s": time_to(un, level), "adaptive_s": first_at(ad, level)}
    t["ratio"] = t["uniform_s"] / t["adaptive_s"] if t["uniform_s"] and t["adaptive_s"] else None
    if r["uniform_estimate"]:
        t |= {"uniform_quoted_s": time_to(un, level, "estimate"),
              "adaptive_quoted_s": first_at(ad, level, "estimate")}  # fmt: skip
        quoted = t["uniform_quoted_s"], t["adaptive_quoted_s"]
        t["quoted_ratio"] = quoted[0] / quoted[1] if all(quoted) else None
    return t


def say_timings(r: dict) -> None:
    t = timings(r)
    level = r["level"]
    ratio = f", adaptive is {t['ratio']:.2f}x faster" if t["ratio"] else " (one path misses it)"
    say(f"  time to a true {level:g}: uniform {t['uniform_s']}, adaptive {t['adaptive_s']}{ratio}")
    if "uniform_quoted_s" in t:
        ratio = f", adaptive is {t['quoted_ratio']:.2f}x faster" if t["quoted_ratio"] else ""
        say(f"  time to a quoted {level:g} (own estimate below it): uniform "
            f"{t['uniform_quoted_s']}, adaptive {t['adaptive_quoted_s']}{ratio}")  # fmt: skip


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--level", type=float, default=1e-3, help="true error to reach")
    p.add_argument("--cases", nargs="+", default=["disk", "pores", "spots"])
    p.add_argument("--refine", nargs="+", type=float, default=[1.0, 1.5, 2.0, 2.5])
    p.add_argument("--target", type=float, default=None, help="default: level / 2")
    p.add_argument("--max-dofs", type=int, default=120000, help="accuracy.max_dofs")
    p.add_argument(
        "--uniform-estimate",
        action="store_true",
        help="uniform runs also estimate their error (as a default run does, and as a run must "
        "to quote an error bar); default: sweep only, the cheapest a user could do",
    )
    p.add_argument("--png", default=None)
    p.add_argument(
        "--replot", nargs="+", help="only print the times and plot the RESULT lines of logs"
    )
    a = p.parse_args()
    if a.replot:
        results = [
            json.loads(line[len("RESULT ") :])
            for log in a.replot
            for line in Path(log).read_text().splitlines()
            if line.startswith("RESULT ")
        ]
        panels: dict[str, dict] = {}
        for r in results:  # runs with and without --uniform-estimate share a panel
            say(f"{r['case']} ({UNIFORM[bool(r['uniform_estimate'])]}):")
            say_timings(r)
            panel = panels.setdefault(r["case"], {"adaptive": r["adaptive"]})
            panel[UNIFORM[bool(r.get("uniform_estimate"))]] = r["uniform"]
        if a.png:
            plot(panels, results[0]["level"], a.png)
        return
    say(f"environment: {environment()}")
    curves = {}
    for name in a.cases:
        say(f"{name}:")
        ad, freqs = adaptive(name, a.target or a.level / 2, a.max_dofs)
        un = uniform(name, a.refine, a.uniform_estimate)
        truth = ad[-1]["reference"]
        closed = float(np.max(np.abs(truth / disk_truth(freqs) - 1))) if name == "disk" else None
        for pt in ad + un:
            pt["error"] = float(np.max(np.abs(pt.pop("Z") / truth - 1)))
            pt.pop("reference", None)
        for label, pts in ((UNIFORM[a.uniform_estimate], un), ("adaptive", ad)):
            say(
                f"  {label:8s} "
                + ", ".join(f"{q['dofs']}: {q['error']:.2e} in {q['s']:.0f} s" for q in pts)
            )
        result = {"case": name, "level": a.level, "uniform_estimate": a.uniform_estimate,
                  "uniform": un, "adaptive": ad, "closed_form": closed}  # fmt: skip
        say_timings(result)
        curves[name] = {UNIFORM[a.uniform_estimate]: un, "adaptive": ad}
        if closed is not None:
            say(f"  the reference against the flux-tube closed form: {closed:.2e}")
        emit(result | timings(result))
    if a.png:
        plot(curves, a.level, a.png)


def plot(curves: dict, level: float, path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(curves), figsize=(4.2 * len(curves), 3.6), squeeze=False)
    for ax, (name, c) in zip(axes[0], curves.items(), strict=True):
        for label, pts in c.items():
            ax.loglog([q["s"] for q in pts], [q["error"] for q in pts], STYLE[label], label=label)
        guessed = [q for q in c["adaptive"] if q.get("error_from") == "prediction"]
        ax.loglog([q["s"] for q in guessed], [q["error"] for q in guessed], "o", mfc="white",
                  color="C0", label="adaptive, error only predicted")  # fmt: skip
        ax.axhline(level, color="grey", lw=0.8)
        ax.set_title(name)
        ax.set_xlabel("wall time (s)")
        ax.grid(True, which="both", lw=0.3)
    axes[0][0].set_ylabel("max true relative error of Z")
    axes[0][0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
