"""Mesh every example config, render a picture of each and write the catalogue table.

    .venv/bin/python scripts/geometry_catalogue.py [--out docs/geometry] [CONFIG.yaml ...]

For each config: meshing time (gmsh, rank 0, serial), cells, P1 and P2 DOFs, the achieved
contact fraction and feature counts, and a PNG rendered offscreen with PyVista (VTK's EGL
window on Mesa's llvmpipe works here without X; set PYVISTA_OFF_SCREEN=true): left, the
working-electrode interface seen from above, coloured by surface group; right, the mesh cut
in half through the cell, coloured by volume group. The table goes to OUT/README.md between
the markers below, so the hand-written text around it stays.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyvista as pv
from PIL import Image

import eisfem  # noqa: F401  (dolfinx_solver before dolfinx)
from eisfem.config import load_config
from eisfem.geometry import tags
from eisfem.simulation.model import build_mesh

ROOT = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- catalogue table: begin -->", "<!-- catalogue table: end -->"
COLOURS = {
    tags.WE_CONTACT: "#2b8cbe",
    tags.CE: "#2b8cbe",
    tags.WE_GAP: "#fdae61",
    tags.CE_GAP: "#fdae61",
    tags.PORE_FLOOR: "#d7191c",
    tags.CE_PORE_FLOOR: "#d7191c",
    tags.INSULATING: "#d9d9d9",
    tags.ELECTROLYTE: "#bdbdbd",
    tags.PORE: "#d7191c",
    tags.INTERPHASE: "#1a9641",
}
PLANE_GROUPS = (tags.WE_CONTACT, tags.WE_GAP, tags.PORE_FLOOR, tags.INSULATING)


def _grid(bundle, dim: int, entities: np.ndarray) -> pv.UnstructuredGrid:
    from dolfinx import plot  # after eisfem (dolfinx_solver first)

    topology, cell_types, x = plot.vtk_mesh(bundle.mesh, dim, entities.astype(np.int32))
    return pv.UnstructuredGrid(topology, cell_types, x)


def _by_group(bundle, meshtags, dim: int) -> dict[str, pv.UnstructuredGrid]:
    names = {tag: name for name, tag in bundle.groups.items()}
    out = {}
    for tag in np.unique(meshtags.values):
        if int(tag) in names:
            out[names[int(tag)]] = _grid(bundle, dim, meshtags.find(tag))
    return out


def render(bundle, png: Path, title: str) -> None:
    """Two panels: the WE interface from above (surface groups) and a half-cut (volumes)."""
    bundle.mesh.topology.create_connectivity(2, 3)
    surfaces = _by_group(bundle, bundle.facet_tags, 2)
    volumes = _by_group(bundle, bundle.cell_tags, 3)
    on_plane = [n for n in PLANE_GROUPS[:3] if n in surfaces]
    top = float(np.median(surfaces[on_plane[0]].cell_centers().points[:, 2]))
    view = pv.Plotter(off_screen=True, shape=(1, 2), window_size=(1400, 650), border=False)
    view.subplot(0, 0)
    view.add_text(f"{title}: WE interface from above", font_size=10)
    for name in PLANE_GROUPS:
        if name not in surfaces:
            continue
        surf = surfaces[name]
        z = surf.cell_centers().points[:, 2]
        keep = np.flatnonzero(np.abs(z - top) < 1e-6 * abs(top))
        if keep.size:
            view.add_mesh(
                surf.extract_cells(keep),
                color=COLOURS[name],
                show_edges=True,
                edge_color="#505050",
                line_width=0.15,
                label=name,
            )
    view.add_legend(bcolor="white", size=(0.2, 0.16), loc="upper right", face="rectangle")
    view.view_xy()
    view.subplot(0, 1)
    view.add_text("mesh cut at y = 0 (volumes)", font_size=10)
    for name, vol in volumes.items():
        half = vol.extract_cells(np.flatnonzero(vol.cell_centers().points[:, 1] <= 0))
        if half.n_cells:
            view.add_mesh(
                half,
                color=COLOURS.get(name, "white"),
                show_edges=True,
                edge_color="#303030",
                line_width=0.2,
                label=name,
            )
    view.add_legend(bcolor="white", size=(0.22, 0.12), loc="lower left", face="rectangle")
    view.view_vector((0.9, 1.6, 0.8))
    image = Image.fromarray(view.screenshot(return_img=True))
    view.close()
    image.quantize(64).save(png, optimize=True)  # a palette keeps the PNGs small


def catalogue_row(path: Path, out: Path, work: Path) -> dict[str, object]:
    cfg = load_config(path)
    msh = work / f"{path.stem}.msh"
    t0 = time.perf_counter()
    bundle = build_mesh(cfg, msh)
    total = time.perf_counter() - t0
    from dolfinx import fem

    info = bundle.info
    dofs = {
        k: fem.functionspace(bundle.mesh, ("Lagrange", k)).dofmap.index_map.size_global
        for k in (1, 2)
    }
    render(bundle, out / f"{path.stem}.png", path.stem)
    counts = ", ".join(f"{k} {v}" for k, v in info["feature_counts"].items()) or "-"
    return {
        "config": path.stem,
        "kind": f"{cfg.interface.kind} ({cfg.cell.shape}, {cfg.cell.layout})",
        "cells": info["cells"],
        "dofs_p1": dofs[1],
        "dofs_p2": dofs[2],
        "gmsh_s": info["meshing_seconds"],
        "total_s": total,
        "contact": info["contact_fraction"],
        "counts": counts,
        "min_sicn": info["quality_by_group"][tags.ELECTROLYTE]["min_sicn"],
    }


def table(rows: list[dict[str, object]]) -> str:
    head = (
        "| config | interface (cell, layout) | cells | DOFs P1 | DOFs P2 | meshing (s) | "
        "mesh + DOLFINx (s) | contact fraction | features | electrolyte min SICN |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|\n"
    )
    body = "".join(
        f"| [{r['config']}](../../configs/{r['config']}.yaml) | {r['kind']} | {r['cells']} | "
        f"{r['dofs_p1']} | {r['dofs_p2']} | {r['gmsh_s']:.1f} | {r['total_s']:.1f} | "
        f"{r['contact']:.3f} | {r['counts']} | {r['min_sicn']:.2f} |\n"
        for r in rows
    )
    return head + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "geometry")
    args = parser.parse_args(argv)
    os.environ.setdefault("PYVISTA_OFF_SCREEN", "true")
    configs = args.configs or sorted((ROOT / "configs").glob("*.yaml"))
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for path in configs:
            rows.append(catalogue_row(path, args.out, Path(work)))
            print(rows[-1], flush=True)
    text = table(rows)
    print(text)
    readme = args.out / "README.md"
    if readme.exists() and BEGIN in readme.read_text():
        before, rest = readme.read_text().split(BEGIN)
        after = rest.split(END)[1]
        readme.write_text(f"{before}{BEGIN}\n{text}{END}{after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
