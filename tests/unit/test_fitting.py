"""Circuit fit and DRT against spectra synthesised from known circuits (closed forms)."""

from __future__ import annotations

import csv
import math
from types import SimpleNamespace

import numpy as np
import pytest

from eisfem.config import load_config
from eisfem.postprocess.drt import compute_drt, exact_per_peak
from eisfem.postprocess.fitting import FitError, assign_labels, fit_arcs
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.simulation import outputs as results
from eisfem.simulation.result import FitFailure
from tests.helpers import DEMO

F = np.logspace(7, -1, 81)  # 10 points per decade, as an analyser sweeps
R_S = 12.0
# (R Ω, τ s, n): three arcs a decade or more inside the window (bulk, gb, constriction-like)
ARCS = [(80.0, 1.6e-6, 0.97), (150.0, 1.6e-4, 0.9), (400.0, 1.6e-2, 0.85)]


def zarc_circuit(f: np.ndarray, r_s: float, arcs) -> np.ndarray:
    return r_s + sum(r / (1 + (2j * np.pi * f * tau) ** n) for r, tau, n in arcs)


def relative_errors(fit, r_s, arcs) -> list[float]:
    errs = [fit.series / r_s - 1]
    for arc, (r, tau, n) in zip(fit.arcs, arcs, strict=True):
        errs += [arc.resistance / r - 1, arc.tau / tau - 1, arc.n / n - 1]
    return errs


def test_fit_recovers_cpe_circuit_within_1_percent():
    fit = fit_arcs(F, zarc_circuit(F, R_S, ARCS), 3)
    assert fit.cdc == "R(RQ)(RQ)(RQ)"
    errs = relative_errors(fit, R_S, ARCS)
    assert max(map(abs, errs)) < 0.01, errs
    # Y of each CPE follows from τ, R, n: Y = τ^n / R
    for arc, (r, tau, n) in zip(fit.arcs, ARCS, strict=True):
        assert arc.y == pytest.approx(tau**n / r, rel=0.02)
    assert fit.relative_residuals.max() < 1e-4


def test_fit_with_measurement_noise_within_1_percent():
    """0.2 % complex noise (seeded): every element still within 1 % (typically 0.3-0.5 %)."""
    z = zarc_circuit(F, R_S, ARCS)
    rng = np.random.default_rng(0)
    z = z + 0.002 * np.abs(z) * (rng.standard_normal(F.size) + 1j * rng.standard_normal(F.size))
    fit = fit_arcs(F, z, 3)
    errs = relative_errors(fit, R_S, ARCS)
    assert max(map(abs, errs)) < 0.01, errs
    # the residual is the noise: ~0.2 % RMS per part, not a misfit of the model
    assert 0.001 < np.sqrt(np.mean(fit.relative_residuals**2)) < 0.005


def test_ideal_rc_arcs_give_their_capacitance():
    """For R‖C arcs (n = 1) the Hsu–Mansfeld effective C is the true C."""
    f = np.logspace(10, 2, 65)
    rc = [(3600.0, 1.3e-13), (2600.0, 7.7e-12)]  # bulk and constriction of the demo's size
    z = 0.5 + sum(r / (1 + 2j * np.pi * f * r * c) for r, c in rc)
    fit = fit_arcs(f, z, 2)
    for arc, (r, c) in zip(fit.arcs, rc, strict=True):
        assert arc.resistance == pytest.approx(r, rel=0.01)
        assert arc.capacitance == pytest.approx(c, rel=0.01)
        assert arc.apex_frequency == pytest.approx(1 / (2 * math.pi * r * c), rel=0.01)


def test_fit_summary_and_table(tmp_path):
    fit = fit_arcs(F, zarc_circuit(F, R_S, ARCS), 3)
    fit.label(["bulk", "gb", "cstr"])
    area = 1e-4  # 1 cm²
    s = fit.summary(area)
    assert s["R_gb_ohm_cm2"] == pytest.approx(150.0, rel=0.01)
    assert s["R_cstr_ohm"] == pytest.approx(400.0, rel=0.01)
    r, tau, _ = ARCS[2]
    assert s["C_cstr_F_per_cm2"] == pytest.approx(tau / r, rel=0.02)
    assert s["apex_frequency_bulk_Hz"] == pytest.approx(1 / (2 * math.pi * 1.6e-6), rel=0.01)
    assert s["residual_max_relative"] < 1e-4
    fit.write_csv(tmp_path / "fit.csv", area)
    rows = list(csv.DictReader((tmp_path / "fit.csv").open()))
    assert [row["label"] for row in rows] == ["series", "bulk", "gb", "cstr"]
    assert float(rows[3]["C_eff_F_per_cm2"]) == pytest.approx(s["C_cstr_F_per_cm2"], rel=1e-6)


def test_more_arcs_than_the_drt_shows_is_refused():
    z = zarc_circuit(F, R_S, ARCS[:1])
    with pytest.raises(FitError, match="cannot fit 3 arcs"):
        fit_arcs(F, z, 3)


def test_labels_follow_known_relaxation_times():
    taus, rs = [5e-10, 2e-8, 3e-6], [3600.0, 2600.0, 40.0]
    # bulk τ = ε0εr/σ within half a decade of the first arc; the largest other arc constricts
    assert assign_labels(taus, rs, {"bulk": 4.8e-10}, constriction=True) == [
        "bulk",
        "cstr",
        "arc3",
    ]
    assert assign_labels(taus, rs, {"bulk": 4.8e-10}, constriction=False) == [
        "bulk",
        "arc2",
        "arc3",
    ]
    # a known τ far from every arc names none
    assert assign_labels(taus, rs, {"bulk": 1e-12}, constriction=True) == [
        "cstr",
        "arc2",
        "arc3",
    ]


def test_drt_peaks_match_exact_relaxations():
    """Two ideal RC relaxations: the DRT peak areas are their resistances."""
    tau, r = np.array([1e-6, 1e-3]), np.array([100.0, 300.0])
    z = 10 + sum(rk / (1 + 2j * np.pi * F * tk) for rk, tk in zip(r, tau, strict=True))
    drt = compute_drt(F, z)
    assert drt.r_inf == pytest.approx(z[0].real)
    assert drt.weights.sum() == pytest.approx(z[-1].real - z[0].real, rel=1e-3)
    rows = exact_per_peak(drt.peaks(), tau, r)
    assert len(rows) == 2
    for row, tk, rk in zip(rows, tau, r, strict=True):
        assert row["exact_resistance_ohm"] == rk
        assert row["resistance_ohm"] == pytest.approx(rk, rel=0.01)
        # peaks sit on the data's τ grid (1/(2πf), 10 per decade): within half a step
        assert abs(math.log10(row["tau_s"] / tk)) < 0.05


# --- the run's analysis: labels from the config, and the exact-DRT overlay -------------------


def synthetic_spectrum(f: np.ndarray, r_s: float, rc: list[tuple[float, float]]) -> Spectrum:
    z = r_s + sum(r / (1 + 2j * np.pi * f * tau) for r, tau in rc)
    return Spectrum(f, z, 1e-8)


def test_bulk_above_the_window_is_the_series_resistance():
    """Demo material (bulk τ = ε0εr/σ ≈ 0.48 ns) swept only up to 10 MHz: one arc, the
    constriction; the series resistance is reported as R_bulk."""
    cfg = load_config(DEMO, ["frequencies.max='10 MHz'"])
    spectrum = synthetic_spectrum(log_frequencies(1e7, 1e3, 8), 3640.0, [(2600.0, 2e-8)])
    analysis = results.analyse(cfg, spectrum)
    fit, _ = analysis.records(spectrum, cfg, None)
    assert [a.label for a in fit.arcs] == ["cstr"]
    assert fit.by_label["R_cstr_ohm"] == pytest.approx(2600.0, rel=0.01)
    assert fit.by_label["R_bulk_ohm"] == pytest.approx(3640.0, rel=0.01)
    assert fit.by_label["R_bulk_from"].startswith("series resistance")


def test_drt_plot_overlays_the_exact_relaxations(tmp_path):
    """With the model's relaxation (as the sweep gives it) the DRT is drawn and compared."""
    tau, r = [4.8e-10, 2e-8], [3640.0, 2600.0]
    spectrum = synthetic_spectrum(
        log_frequencies(1e10, 1e3, 8), 0.0, list(zip(r, tau, strict=True))
    )
    cfg = load_config(DEMO)
    analysis = results.analyse(cfg, spectrum)
    relaxation = SimpleNamespace(tau_s=tau, resistance_ohm=r)
    _, drt = analysis.records(spectrum, cfg, relaxation)
    results.write_plots("synthetic", spectrum, analysis, relaxation, tmp_path)
    rows = drt.exact_comparison
    assert [row.exact_resistance_ohm for row in rows] == r
    for row, tk, rk in zip(rows, tau, r, strict=True):
        assert row.resistance_ohm == pytest.approx(rk, rel=0.02)
        assert row.exact_tau_s == pytest.approx(tk)
    with_exact = (tmp_path / "drt.png").stat().st_size
    assert with_exact > 20_000
    # without it: the same plot without the stems, and no comparison
    _, plain = analysis.records(spectrum, cfg, None)
    results.write_plots("synthetic", spectrum, analysis, None, tmp_path)
    assert plain.exact_comparison is None
    assert (tmp_path / "drt.png").stat().st_size != with_exact


def test_a_spectrum_without_arcs_is_reported_not_fitted():
    """A pure resistor (εr = 0): no DRT peak, and the fit records why there is none."""
    cfg = load_config(DEMO)
    f = log_frequencies(1e7, 1.0, 3)
    spectrum = Spectrum(f, np.full(f.size, 250.0 + 0j), 1e-8)
    analysis = results.analyse(cfg, spectrum)
    assert analysis.drt.peaks() == []
    fit, drt = analysis.records(spectrum, cfg, None)
    assert fit == FitFailure(error="the spectrum shows no arc to fit")
    assert drt.peaks == []
    assert results.map_frequency(analysis, spectrum) is None
