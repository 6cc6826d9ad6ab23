"""The fit's numerics without FEM: intervals against closed forms, coverage, degeneracy, the
optimiser with failures, and resuming from the history.

Models here are closed-form "spectra" so that every expected number is known: a linear model
(ordinary least squares has exact Student-t intervals), and a two-arc circuit whose parameters
either are identifiable or enter only through their product.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from eisfem.inverse.fit import Misfits
from eisfem.inverse.fitfile import parse_fit
from eisfem.inverse.history import History
from eisfem.inverse.optimize import minimise
from eisfem.inverse.uncertainty import Coordinate, assess
from eisfem.simulation.console import RunConsole

F = np.logspace(8, 3, 16)
W = 2 * np.pi * F


def arcs(r_c: float, c_gap: float) -> np.ndarray:
    """Bulk arc plus a constriction arc R_c ‖ C (Ω·cm², F/cm²)."""
    rb, cb = 0.36, 1.3e-9
    return rb / (1 + 1j * W * rb * cb) + r_c / (1 + 1j * W * r_c * c_gap)


def residual_fn(model, z_meas):
    def residuals(points):
        out = []
        for p in points:
            d = (model(p) - z_meas) / np.abs(z_meas)
            out.append(np.concatenate([d.real, d.imag]))
        return out

    return residuals


def noisy(z: np.ndarray, rng: np.random.Generator, level: float = 0.005) -> np.ndarray:
    return z + level * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def test_linear_model_gives_the_exact_student_t_intervals():
    """For r linear in p the checked ranges are OLS's t intervals, to rounding."""
    rng = np.random.default_rng(3)
    a = rng.standard_normal((30, 2))
    truth = np.array([2.0, -1.0])
    y = a @ truth + 0.1 * rng.standard_normal(30)
    coords = [Coordinate("a", -10, 10, "linear"), Coordinate("b", -10, 10, "linear")]

    def residuals(points):
        return [a @ p - y for p in points]

    x, *_ = np.linalg.lstsq(a, y, rcond=None)
    r = a @ x - y
    params, report = assess(coords, x, a, r, residuals)
    s2 = r @ r / (30 - 2)
    half = stats.t.ppf(0.975, 28) * np.sqrt(s2 * np.diag(np.linalg.inv(a.T @ a)))
    for i in range(2):
        np.testing.assert_allclose(params[i]["ci95"], [x[i] - half[i], x[i] + half[i]], rtol=1e-6)
    assert report["degrees_of_freedom"] == 28
    assert report["degenerate_directions"] == []


def test_intervals_cover_the_truth_95_percent_of_the_time():
    """A nonlinear two-parameter fit (constriction R, gap C) with 0.5 % noise, 200 seeded trials:
    the binomial 99 % band of 200 draws at p = 0.95 is 0.91..0.985."""
    coords = [Coordinate("R", 0.05, 1.0, "log"), Coordinate("C", 1e-8, 1e-5, "log")]
    truth = np.array([0.28, 7.6e-8])
    z0 = arcs(*truth)
    rng = np.random.default_rng(2026)
    hits = np.zeros(2)
    trials = 200
    for _ in range(trials):
        res = residual_fn(lambda p: arcs(*p), noisy(z0, rng))
        opt = minimise(coords, np.array([0.5, 1e-7]), res, 2 * F.size, 100)
        params, _ = assess(coords, opt.values, opt.jacobian_fit, opt.residuals, res)
        hits += [p["ci95"][0] <= t <= p["ci95"][1] for p, t in zip(params, truth, strict=True)]
    coverage = hits / trials
    assert np.all((coverage >= 0.91) & (coverage <= 0.985)), coverage


def test_a_product_only_model_names_the_degenerate_direction():
    """R and C enter only as R·C·k: the data fix R^1·C^1 and not R/C; both intervals run to
    the bounds, and the undetermined combination is named."""
    coords = [Coordinate("R", 0.05, 1.0, "log"), Coordinate("C", 1e-8, 1e-5, "log")]

    def model(p):
        tau = p[0] * p[1]
        return arcs(0.28, tau / 0.28)

    z = noisy(model([0.28, 7.6e-8]), np.random.default_rng(1))
    res = residual_fn(model, z)
    opt = minimise(coords, np.array([0.5, 1e-7]), res, 2 * F.size, 100)
    params, report = assess(coords, opt.values, opt.jacobian_fit, opt.residuals, res)
    (named,) = report["degenerate_directions"]
    assert named["direction"] == "R^1.00 · C^-1.00"
    assert "R^1.00 · C^1.00" in named["meaning"]
    for p in params:
        assert p["ci95_reaches_bounds"]
        assert p["ci95"][1] / p["ci95"][0] > 10  # wide: the data say next to nothing
    assert abs(report["correlation"]["R"]["C"]) > 0.95


def test_failed_evaluations_are_penalised_and_the_fit_goes_on():
    """Evaluations fail where the first trust-region step lands (0.50 < R < 0.53, as a
    geometry gmsh cannot mesh would): the optimiser steps shorter and still gets there."""
    coords = [Coordinate("R", 0.05, 1.0, "log"), Coordinate("C", 1e-8, 1e-5, "log")]
    truth = np.array([0.28, 7.6e-8])
    inner = residual_fn(lambda p: arcs(*p), arcs(*truth))
    failed = []

    def residuals(points):
        out = inner(points)
        for i, p in enumerate(points):
            if 0.50 < p[0] < 0.53:
                failed.append(p)
                out[i] = None
        return out

    opt = minimise(coords, np.array([0.9, 1e-7]), residuals, 2 * F.size, 200)
    assert failed, "the band must catch an evaluation for this test to mean anything"
    np.testing.assert_allclose(opt.values, truth, rtol=1e-4)


def write_fit(tmp_path: Path) -> Path:
    fit = tmp_path / "fit.yaml"
    fit.write_text(
        """
base:
  cell: {shape: patch, side: 40 um, thickness: 20 um}
  interface: {kind: disk, radius: 10 um}
  materials: {electrolyte: {conductivity: 5.5 mS/cm, permittivity: 30}}
measured: {path: unused.csv}
free:
  materials.electrolyte.conductivity: {low: 1 mS/cm, high: 50 mS/cm, scale: log}
  materials.electrolyte.permittivity: {low: 5, high: 200, scale: log}
"""
    )
    return fit


class FakeEvaluator:
    """Closed-form spectra of a resolved config (a slab: R ‖ C of σ, ε), counting evaluations;
    ``stop_after`` raises KeyboardInterrupt as a user's Ctrl-C would."""

    def __init__(self, stop_after: int | None = None):
        self.calls = 0
        self.stop_after = stop_after

    def run(self, configs):
        out = []
        for c in configs:
            if self.stop_after is not None and self.calls >= self.stop_after:
                raise KeyboardInterrupt
            self.calls += 1
            e = c["materials"]["electrolyte"]
            r = 20e-6 / e["conductivity"] * 1e4  # Ω·cm²
            cap = 8.854e-12 * e["permittivity"] / 20e-6 * 1e-4
            out.append({"impedance": r / (1 + 1j * W * r * cap), "dofs": 1, "seconds": 0.0})
        return out


def fit_with(evaluator, problem, folder: Path, z: np.ndarray):
    history = History(folder, problem.fields, F)
    misfits = Misfits(problem, history, evaluator, z, RunConsole(quiet=True))
    opt = minimise(problem.coords, problem.start, misfits, 2 * F.size, 100)
    return opt, misfits


def test_an_interrupted_fit_resumes_from_its_history(tmp_path: Path):
    problem = parse_fit_file(tmp_path)
    truth = {"materials": {"electrolyte": {"conductivity": 0.2, "permittivity": 60.0}}}
    (z,) = (r["impedance"] for r in FakeEvaluator().run([truth]))
    full, _ = fit_with(FakeEvaluator(), problem, tmp_path / "a", z)
    (tmp_path / "b").mkdir()
    with pytest.raises(KeyboardInterrupt):
        fit_with(FakeEvaluator(stop_after=7), problem, tmp_path / "b", z)
    rows = (tmp_path / "b" / "fit_history.csv").read_text().splitlines()
    assert len(rows) == 1 + 7
    again = FakeEvaluator()
    resumed, misfits = fit_with(again, problem, tmp_path / "b", z)
    assert misfits.reused == 7  # the first 7 came from the history ...
    np.testing.assert_array_equal(resumed.values, full.values)  # ... bit for bit
    assert again.calls == len(misfits.used) - 7
    np.testing.assert_allclose(resumed.values, [0.2, 60.0], rtol=1e-6)


def parse_fit_file(tmp_path: Path):
    fit = write_fit(tmp_path)
    (tmp_path / "a").mkdir()
    from eisfem.config import read_yaml

    return parse_fit(read_yaml(fit), fit)
