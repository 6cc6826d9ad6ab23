"""Coverage of the fit's 95 % intervals: seeded noisy trials of a known morphology.

A contact spot on a 40 µm patch (radius 10.5 µm, gap 350 nm: the round-trip test's case) is
"measured" with eisfem's own model at 10 frequencies (100 MHz to 10 kHz) plus 0.5 % Gaussian
noise on Re and Im (relative to |Z|), and fitted again, once per seed. For each parameter the
bench counts how often the interval holds the hidden value, for the intervals eisfem reports
(Jacobian ranges checked along the singular directions, Student t) and, side by side from the
same fits, for plain Jacobian intervals with the normal quantile 1.96 and with Student's t.
With 20 trials the count itself is uncertain: the Clopper–Pearson 95 % range is printed too.

    .venv/bin/python bench/fit_coverage.py [--trials 20] [--workers 1] [--first-seed 0]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy import stats

import eisfem  # noqa: F401  (before DOLFINx)
from eisfem.inverse import evaluate
from eisfem.inverse.fit import estimate, pin_mesh
from eisfem.inverse.fitfile import parse_fit

HIDDEN = np.array([10.5e-6, 350e-9])
FIT = {
    "base": {
        "cell": {"shape": "patch", "side": "40 um", "thickness": "20 um"},
        "interface": {"kind": "spots", "placement": "single", "radius": "8 um", "height": "200 nm"},
        "materials": {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}},
        "solver": {"degree": 1},
    },
    "measured": {"path": "-"},
    "free": {
        "interface.radius": {"low": "4 um", "high": "14 um"},
        "interface.height": {"low": "50 nm", "high": "1 um", "scale": "log"},
    },
}
NOISE = 0.005


def plain_jacobian_hits(est, quantile: float) -> list[bool]:
    """Do the unchecked Jacobian intervals x̂ ± q·sqrt(C_ii) hold the hidden values?"""
    j, r = est.optimum.jacobian_fit, est.optimum.residuals
    s2 = r @ r / (r.size - j.shape[1])
    cov = s2 * np.linalg.pinv(j.T @ j)
    hits = []
    for i, c in enumerate(est.problem.coords):
        x, half = c.to_fit(est.values[i]), quantile * np.sqrt(cov[i, i])
        hits.append(c.from_fit(x - half) <= HIDDEN[i] <= c.from_fit(x + half))
    return hits


def clopper_pearson(k: int, n: int) -> tuple[float, float]:
    lo = stats.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    hi = stats.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    return float(lo), float(hi)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=20)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--first-seed", type=int, default=0, help="seeds first-seed, first-seed+1, ...")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="fit-coverage-"))
    problem = pin_mesh(parse_fit(FIT, tmp / "fit.yaml"))
    frequency = np.logspace(8, 4, 10)
    z0 = evaluate.simulate(problem.config(HIDDEN).resolved_dict(), frequency)["impedance"]
    names = problem.fields
    t_dof = stats.t.ppf(0.975, 2 * frequency.size - len(names))
    methods = {"reported (checked, t)": [], "Jacobian, 1.96": [], "Jacobian, t": []}
    t0 = time.perf_counter()
    evaluations = 0
    for seed in range(args.first_seed, args.first_seed + args.trials):
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal(z0.size) + 1j * rng.standard_normal(z0.size)
        folder = tmp / f"trial-{seed}"
        folder.mkdir()
        est = estimate(problem, frequency, z0 + NOISE * np.abs(z0) * noise, folder, args.workers)
        evaluations += est.evaluations["total"]
        reported = [
            est.parameters[n]["ci95"][0] <= h <= est.parameters[n]["ci95"][1]
            for n, h in zip(names, HIDDEN, strict=True)
        ]
        methods["reported (checked, t)"].append(reported)
        methods["Jacobian, 1.96"].append(plain_jacobian_hits(est, 1.959964))
        methods["Jacobian, t"].append(plain_jacobian_hits(est, t_dof))
        print(
            f"trial {seed}: "
            + ", ".join(
                f"{n} = {v:.4g} {est.parameters[n]['ci95']}"
                for n, v in zip(names, est.values, strict=True)
            )
            + f"; hits {reported}; {est.evaluations['total']} evaluations",
            flush=True,
        )
    seconds = time.perf_counter() - t0
    print(f"\n{args.trials} trials, 0.5 % noise, {evaluations} evaluations in {seconds:.0f} s")
    summary = {}
    for method, rows in methods.items():
        hits = np.array(rows).sum(axis=0)
        for name, k in zip(names, hits, strict=True):
            lo, hi = clopper_pearson(int(k), args.trials)
            summary[f"{method}: {name}"] = int(k)
            print(
                f"coverage of the 95 % intervals, {method:24s} {name:18s} "
                f"{k}/{args.trials} = {100 * k / args.trials:.0f} % "
                f"(Clopper-Pearson 95 %: {100 * lo:.0f}-{100 * hi:.0f} %)"
            )
    print(json.dumps({"trials": args.trials, "hits": summary, "seconds": seconds}))


if __name__ == "__main__":
    main()
