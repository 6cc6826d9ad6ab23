"""Solve the spectrum of a run and say how accurate it is; with ``accuracy.target``, refine the
mesh until the estimate is below the target at every frequency.

Each pass sweeps the spectrum, estimates its error by p-enrichment (``solvers/error_estimate``)
and, while the combined estimate exceeds the target somewhere, marks the cells that hold half of
the estimated error at the worst frequencies (``solvers/adaptivity``) and bisects them on the
distributed mesh (``geometry/refine``; the curved geometry is kept). It stops at the target,
after ``max_iterations`` passes, at ``max_dofs``, before a pass that would not fit in memory
(the last solved pass is kept), or when the sweep's own error alone exceeds the target (no
refinement lowers it): the summary says which, honestly.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from mpi4py import MPI

from eisfem.config import RunConfig
from eisfem.geometry.mesh import MeshBundle
from eisfem.geometry.refine import refine_bundle
from eisfem.simulation.console import RunConsole
from eisfem.simulation.model import build_system
from eisfem.simulation.size_guard import GIB, available_memory, next_pass_need, process_memory
from eisfem.solvers.adaptivity import dorfler_mark, refinement_indicators
from eisfem.solvers.error_estimate import SpatialEstimate, estimate_spatial_error
from eisfem.solvers.spectrum import SpectrumResult, solve_spectrum
from eisfem.solvers.system import ImpedanceSystem


@dataclass
class Solved:
    """The spectrum on the final mesh and the accuracy section of the summary."""

    bundle: MeshBundle
    system: ImpedanceSystem
    result: SpectrumResult
    accuracy: dict[str, Any]  # with "per_frequency" when the spatial error is estimated


def _sweep(
    cfg: RunConfig, bundle: MeshBundle, freqs: np.ndarray, console: RunConsole, label: str
) -> tuple[ImpedanceSystem, SpectrumResult]:
    with console.stage(f"assembly{label}"):
        system = build_system(cfg, bundle)
    console.info(f"  {system.dofs} dofs (P{cfg.solver.degree})")
    with console.stage(f"{cfg.solver.sweep} sweep of {freqs.size} frequencies{label}"):
        result = solve_spectrum(
            system,
            freqs,
            cfg.solver.sweep,
            cfg.solver.sweep_tolerance,
            on_snapshot=lambda s: console.info(f"  solve at {s.frequency_Hz:.4g} Hz"),
        )
    return system, result


def _estimate(cfg: RunConfig, result: SpectrumResult, console: RunConsole, label: str):
    with console.stage(f"error estimate (P{cfg.solver.degree + 1} on the same mesh){label}"):
        estimate = estimate_spatial_error(result, cfg.solver.sweep_tolerance)
    console.info(f"  estimated relative error of Z: up to {estimate.combined.max():.1e}")
    return estimate


def _stop(cfg: RunConfig, estimate: SpatialEstimate, dofs: int, iteration: int) -> str | None:
    """Why refinement ends after this pass (None: refine again)."""
    acc = cfg.accuracy
    if estimate.combined.max() <= acc.target:
        return "target reached"
    if estimate.sweep.max() >= acc.target:
        return "the sweep's own error exceeds the target: lower solver.sweep_tolerance"
    if iteration >= acc.max_iterations:
        return f"accuracy.max_iterations ({acc.max_iterations}) reached"
    if dofs >= acc.max_dofs:
        return f"accuracy.max_dofs ({acc.max_dofs}) reached"
    return None


def _memory_stop(comm: MPI.Comm, dofs: int, next_dofs: int) -> str | None:
    """Why the next pass must not start (None: it fits): on any node, the ranks' predicted extra
    memory (scaled from the peak each rank just reached, the P(p+1) estimate's) exceeds what the
    node has available. Stopping here keeps the last solved pass instead of being OOM-killed."""
    peak, rss = process_memory()
    node = comm.Split_type(MPI.COMM_TYPE_SHARED)
    need = node.allreduce(next_pass_need(peak, rss, dofs, next_dofs))
    available = available_memory()
    short = available is not None and need > available
    node.Free()
    if not comm.allreduce(short, op=MPI.LOR):
        return None
    return (
        f"memory: a pass with ~{next_dofs:.3g} dofs would need ~{need / GIB:.3g} GiB more on a "
        f"node; {0 if available is None else available / GIB:.3g} GiB available"
    )


def solve(
    cfg: RunConfig,
    bundle: MeshBundle,
    freqs: np.ndarray,
    console: RunConsole,
    on_pass: Callable[[dict[str, Any], SpectrumResult, SpatialEstimate], None] | None = None,
) -> Solved:
    """The spectrum of ``cfg`` on ``bundle`` (refined to ``accuracy.target`` when set);
    ``on_pass`` sees each pass's record, spectrum and estimate (a benchmark's error curve)."""
    acc = cfg.accuracy
    if not acc.estimate:
        system, result = _sweep(cfg, bundle, freqs, console, "")
        accuracy = {
            "method": "none (accuracy.estimate is false): the discretisation error is unknown",
            "sweep_error_estimate_max": float(result.error_estimate().max()),
        }
        return Solved(bundle, system, result, accuracy)
    iterations: list[dict[str, Any]] = []
    stop = None
    while True:
        t0 = time.perf_counter()
        label = f" (pass {len(iterations) + 1})" if acc.target is not None else ""
        system, result = _sweep(cfg, bundle, freqs, console, label)
        estimate = _estimate(cfg, result, console, label)
        if acc.target is None:
            break
        step: dict[str, Any] = {
            "iteration": len(iterations) + 1,
            "dofs": system.dofs,
            "cells": int(bundle.info["cells"]),
            "combined_error_estimate_max": float(estimate.combined.max()),
            "spatial_error_estimate_max": float(estimate.spatial.max()),
        }
        iterations.append(step)
        stop = _stop(cfg, estimate, system.dofs, len(iterations))
        if stop is None:
            with console.stage("refinement"):
                eta = refinement_indicators(result, estimate, acc.target)
                marked = dorfler_mark(eta, system.comm)
                step["marked_cells"] = system.comm.allreduce(marked.size)
                refined = refine_bundle(bundle, marked)
            console.info(f"  {step['marked_cells']} cells marked: {refined.info['cells']} cells")
            next_dofs = round(system.dofs * refined.info["cells"] / bundle.info["cells"])
            stop = _memory_stop(system.comm, system.dofs, next_dofs)
            if stop is None:
                bundle = refined
        step["seconds"] = time.perf_counter() - t0
        console.info(
            f"  pass {step['iteration']}: {step['dofs']} dofs, {step['cells']} cells, estimate "
            f"{step['combined_error_estimate_max']:.1e}, {step['seconds']:.1f} s"
        )
        if on_pass is not None:
            on_pass(step, result, estimate)
        if stop is not None:
            break
    accuracy = estimate.as_dict() | {"per_frequency": estimate.combined}
    if acc.target is not None:
        reached = stop == "target reached"
        console.info(
            f"  accuracy.target {acc.target:g}: {'reached' if reached else 'NOT reached'} after "
            f"{len(iterations)} passes ({stop})"
        )
        accuracy |= {
            "target": acc.target,
            "target_reached": reached,
            "adaptive_stop": stop,
            "iterations": iterations,
        }
    return Solved(bundle, system, result, accuracy)
