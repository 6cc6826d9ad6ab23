"""Nyquist, Bode and DRT plots (area-specific, −Im Z up, decades marked).

A plot shows one spectrum with its decades and arc apexes marked, plus optional overlays
(a fitted circuit, a measured spectrum) drawn on the same area-specific axes.

Each function returns a :class:`matplotlib.figure.Figure` made without pyplot: no global
figure list to leak into, no backend to select (so importing eisfem in a Jupyter session leaves
its inline backend alone), and the same figure serves a run folder (:func:`save`) and a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from eisfem.postprocess.drt import DRT
from eisfem.postprocess.impedance import M2_TO_CM2, Spectrum


@dataclass
class Overlay:
    """A curve drawn over a spectrum: area-specific Z (Ω·cm²) at ``frequency``."""

    label: str
    frequency: np.ndarray
    z: np.ndarray
    style: str = "--"  # matplotlib format, e.g. "--" for a model, "o" for measured points


def _decade_points(frequency: np.ndarray) -> list[int]:
    """Indices of the grid points closest to each whole decade inside the range."""
    logf = np.log10(frequency)
    out = []
    for d in range(int(np.ceil(logf.min())), int(np.floor(logf.max())) + 1):
        i = int(np.argmin(np.abs(logf - d)))
        if abs(logf[i] - d) < 0.05:
            out.append(i)
    return out


def _frequency_label(f: float) -> str:
    for unit, scale in (("GHz", 1e9), ("MHz", 1e6), ("kHz", 1e3), ("Hz", 1.0), ("mHz", 1e-3)):
        if f >= scale:
            return f"{f / scale:g} {unit}"
    return f"{f:.1e} Hz"


def _mark_decades(ax, frequency: np.ndarray, z: np.ndarray, color: str, span: float) -> None:
    """Squares at whole decades, labelled unless closer than 4 % of ``span`` to the last label."""
    last = None
    for i in _decade_points(frequency):
        ax.plot(z.real[i], -z.imag[i], "s", color=color, ms=5)
        if last is not None and abs(z[i] - z[last]) < 0.04 * span:
            continue  # decades crowded at the end of an arc keep their marker, not a label
        last = i
        ax.annotate(
            _frequency_label(frequency[i]),
            (z.real[i], -z.imag[i]),
            textcoords="offset points",
            xytext=(4, 6),
            fontsize=7,
            color=color,
        )


def save(fig: Figure, path: Path) -> None:
    fig.savefig(path, dpi=130)


def nyquist(
    spectrum: Spectrum,
    title: str = "",
    overlays: Sequence[Overlay] = (),
    label: str = "simulated",
) -> Figure:
    z = spectrum.area_specific
    every = np.concatenate([z, *(o.z for o in overlays)])
    span = max(np.ptp(every.real), np.ptp(every.imag), 1e-300)
    fig = Figure(figsize=(6.4, 4.8), layout="constrained")
    ax = fig.subplots()
    ax.plot(z.real, -z.imag, "o-", ms=3, lw=1, label=label)
    _mark_decades(ax, spectrum.frequency, z, "C3", span)
    for k, o in enumerate(overlays):
        color = f"C{k + 4}"
        ax.plot(o.z.real, -o.z.imag, o.style, ms=3, lw=1, color=color, label=o.label)
        if "o" in o.style:  # measured points: mark their decades too
            _mark_decades(ax, o.frequency, o.z, color, span)
    for arc in spectrum.arcs():
        i = int(np.argmin(np.abs(np.log10(spectrum.frequency / arc.apex_frequency_Hz))))
        ax.plot(z.real[i], -z.imag[i], "^", color="C2", ms=7)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Re Z (Ω·cm²)")
    ax.set_ylabel("−Im Z (Ω·cm²)")
    ax.set_title(title or "Nyquist", fontsize=10)
    ax.text(
        0.01,
        0.99,
        "squares: decades, triangles: arc apexes",
        transform=ax.transAxes,
        fontsize=7,
        va="top",
        color="0.4",
    )
    if overlays:
        ax.legend(fontsize=8, loc="lower right")
    ax.grid(alpha=0.3)
    return fig


def bode(
    spectrum: Spectrum,
    title: str = "",
    overlays: Sequence[Overlay] = (),
    label: str = "simulated",
) -> Figure:
    z = spectrum.area_specific
    f = spectrum.frequency
    fig = Figure(figsize=(6.4, 5.2), layout="constrained")
    a1, a2 = fig.subplots(2, 1, sharex=True)
    curves = [Overlay(label, f, z, "o-"), *overlays]
    for k, c in enumerate(curves):
        color = "C0" if k == 0 else f"C{k + 3}"
        a1.loglog(c.frequency, np.abs(c.z), c.style, ms=3, lw=1, color=color, label=c.label)
        a2.semilogx(c.frequency, -np.degrees(np.angle(c.z)), c.style, ms=3, lw=1, color=color)
    a1.set_ylabel("|Z| (Ω·cm²)")
    a2.set_ylabel("−phase (°)")
    a2.set_xlabel("frequency (Hz)")
    for arc in spectrum.arcs():
        for ax in (a1, a2):
            ax.axvline(arc.apex_frequency_Hz, color="C2", lw=0.8, ls="--")
    for ax in (a1, a2):
        ax.grid(alpha=0.3, which="both")
    if overlays:
        a1.legend(fontsize=8)
    a1.set_title(title or "Bode (dashed: arc apex frequencies)", fontsize=10)
    return fig


def _tau_to_frequency(x: np.ndarray) -> np.ndarray:
    """f = 1/(2πτ) and back (its own inverse); 0 maps to infinity without a warning."""
    with np.errstate(divide="ignore"):
        return 1 / (2 * np.pi * np.asarray(x, dtype=float))


def drt(
    curves: Sequence[tuple[str, DRT, float]],
    title: str = "",
    exact: tuple[np.ndarray, np.ndarray, float] | None = None,
) -> Figure:
    """γ(τ) of each (label, DRT, area in m²) in Ω·cm², with the model's exact relaxations.

    ``exact`` = (τ_k, R_k in Ω, area in m²) is drawn as stems on a second axis (R_k in Ω·cm²):
    a discrete relaxation has no density, so its height is its resistance, and a DRT peak
    matches it when the peak's area (listed in summary.json) equals R_k.
    """
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.subplots()
    for k, (label, d, area) in enumerate(curves):
        ax.semilogx(d.tau, d.gamma * area * M2_TO_CM2, "-", lw=1.4, color=f"C{k}", label=label)
    ax.set_xlabel("τ (s)")
    ax.set_ylabel("γ (Ω·cm² per unit ln τ)")
    ax.set_ylim(bottom=0)
    handles, labels = ax.get_legend_handles_labels()
    if exact is not None:
        tau, r, area = exact
        twin = ax.twinx()
        markers = twin.stem(
            np.asarray(tau),
            np.asarray(r) * area * M2_TO_CM2,
            linefmt="C3-",
            markerfmt="C3o",
            basefmt=" ",
        )
        twin.set_ylabel("exact R_k (Ω·cm²)", color="C3")
        twin.set_ylim(bottom=0)
        handles.append(markers)
        labels.append("model's exact relaxations")
    top = ax.secondary_xaxis("top", functions=(_tau_to_frequency, _tau_to_frequency))
    top.set_xlabel("f = 1/(2πτ) (Hz)", fontsize=8)
    ax.legend(handles, labels, fontsize=8, loc="upper left")
    ax.grid(alpha=0.3, which="both")
    ax.set_title(title or "Distribution of relaxation times", fontsize=10)
    return fig
