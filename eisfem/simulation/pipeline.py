"""The run pipeline: config → mesh bundle → impedance system → spectrum, fields, files.

Each stage is an ordinary function call, so the same run can be driven from Python without
the CLI; :func:`run` only strings them together and writes the run folder atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from mpi4py import MPI

from eisfem.config import RunConfig
from eisfem.core.faults import fault_point
from eisfem.postprocess.impedance import Spectrum, log_frequencies
from eisfem.postprocess.paraview import write_fields, write_tags
from eisfem.postprocess.relaxation_report import relaxation_summary
from eisfem.simulation import adaptive
from eisfem.simulation import outputs as results
from eisfem.simulation.console import RunConsole
from eisfem.simulation.focusing import focusing_summary
from eisfem.simulation.jit_cache import guard_jit_cache
from eisfem.simulation.model import build_mesh
from eisfem.simulation.result import (
    AccuracyRecord,
    DCRecord,
    FocusingRecord,
    GeometryRecord,
    LinearSolverRecord,
    RelaxationRecord,
    RunSummary,
    SweepRecord,
)
from eisfem.simulation.rundir import atomic_run_dir
from eisfem.simulation.summary import (
    AREA_NOTE,
    arc_records,
    checked,
    dc_resistance,
    impedance_point,
    versions,
    write_summary,
)
from eisfem.solvers.fields import FieldSpaces
from eisfem.solvers.interface_current import InterfaceFlux
from eisfem.solvers.spectrum import SpectrumResult
from eisfem.solvers.system import Solution


@dataclass(frozen=True)
class RunResult:
    folder: Path
    spectrum: Spectrum
    summary: RunSummary


def _field_solutions(
    cfg: RunConfig, result: SpectrumResult, spectrum: Spectrum, dc: Solution
) -> list[Solution]:
    """DC, each arc apex and the requested frequencies (deduplicated to 0.1 %)."""
    wanted = list(cfg.output.field_frequencies)
    if cfg.output.fields_at_apex:
        wanted += [arc.apex_frequency_Hz for arc in spectrum.arcs()]
    unique: list[float] = []
    for f in sorted(wanted):
        if not unique or f > unique[-1] * 1.001:
            unique.append(f)
    solutions = [dc] if cfg.output.fields_at_dc else []
    return solutions + [result.solution(f) for f in unique]


def run(
    cfg: RunConfig,
    out: Path,
    console: RunConsole | None = None,
    comm: MPI.Comm = MPI.COMM_WORLD,
    keep: Iterable[Path] = (),
) -> RunResult:
    """Run ``cfg`` and write its folder ``out`` (replacing an earlier eisfem run folder).

    ``keep`` are files ``out`` must not hold (the config file the run was read from).
    """
    console = console or RunConsole(quiet=True, comm=comm)
    with atomic_run_dir(out, comm, keep) as tmp:
        if comm.rank == 0:
            guard_jit_cache()  # rank 0 compiles first, the others load what it compiled
            (tmp / "config.resolved.yaml").write_text(
                yaml.safe_dump(cfg.resolved_dict(), sort_keys=False)
            )
        with console.stage("meshing"):
            bundle = build_mesh(cfg, tmp / "mesh.msh", comm)
        fault_point("after_mesh", comm.rank)
        console.info(
            f"  {bundle.info['cells']} cells, contact fraction "
            f"{bundle.info['contact_fraction']:.3f}, {bundle.info['pore_count']} pores"
        )
        freqs = log_frequencies(
            cfg.frequencies.max, cfg.frequencies.min, cfg.frequencies.points_per_decade
        )
        solved = adaptive.solve(cfg, bundle, freqs, console)
        bundle, system, result = solved.bundle, solved.system, solved.result
        accuracy = solved.accuracy
        spectrum = Spectrum(freqs, result.impedance, bundle.electrode_area)
        if "per_frequency" in accuracy:
            spectrum.error_estimate = accuracy.pop("per_frequency")
        dc = system.solve_dc()
        if not result.report.get("converged", True):
            console.info(
                "  [bold]warning[/bold]: the fast sweep stopped at "
                f"{len(result.report['snapshot_frequencies_Hz'])} solves with an estimated error "
                f"of {result.report['estimated_max_relative_error']:.1e} (see summary.json)"
            )
        relaxation = result.relaxation()
        with console.stage("fields"):
            solutions = _field_solutions(cfg, result, spectrum, dc)
            write_tags(bundle, tmp)
            spaces = FieldSpaces(system)
            write_fields(spaces, solutions, tmp)
            flux = InterfaceFlux(system)  # shared by the current maps and the focusing metrics
        relax = checked(
            RelaxationRecord, relaxation_summary(relaxation, bundle.electrode_area, dc.impedance)
        )
        with console.stage("fit and DRT"):
            analysis = results.analyse(cfg, spectrum) if comm.rank == 0 else None
            fit, drt = comm.bcast(analysis.records(spectrum, cfg, relax) if analysis else None)
        current_map = None
        if cfg.output.render:
            with console.stage("current maps"):
                ac = comm.bcast(results.map_frequency(analysis, spectrum) if analysis else None)
                maps = [("DC", 0.0)] + ([ac] if ac else [])
                current_map = results.render_fields(spaces, flux, solutions, maps, tmp)
        with console.stage("current focusing"):
            focusing = focusing_summary(cfg, spaces, flux, solutions, tmp)
        summary = RunSummary(
            name=cfg.name,
            electrode_area_m2=spectrum.area,
            electrode_area_note=AREA_NOTE,
            **dc_resistance(dc.impedance, spectrum.area),
            impedance_at_max_frequency=impedance_point(spectrum, 0),
            impedance_at_min_frequency=impedance_point(spectrum, -1),
            arcs=arc_records(spectrum),
            dofs=system.dofs,
            degree=cfg.solver.degree,
            mpi_ranks=comm.size,
            geometry=checked(GeometryRecord, bundle.info),
            field_frequencies_Hz=sorted(s.omega / (2 * np.pi) for s in solutions),
            timings_s=dict(console.timings),
            versions=versions(),
            fit=fit,
            drt=drt,
            current_map=current_map,
            temperature_K=cfg.temperature,
            focusing=checked(FocusingRecord, focusing["focusing"]),
            dc=checked(DCRecord, focusing["dc"]) if "dc" in focusing else None,
            accuracy=checked(AccuracyRecord, accuracy),
            sweep=checked(SweepRecord, result.report),
            linear_solver=checked(LinearSolverRecord, system.operator.summary()),
            relaxation=relax,
        )
        if comm.rank == 0:
            spectrum.write_csv(tmp / "impedance.csv")
            results.write_plots(cfg.name, spectrum, analysis, relax, tmp)
            write_summary(summary, tmp)
    return RunResult(out, spectrum, summary)
