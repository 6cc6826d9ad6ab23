"""Helpers shared by the test tiers: small configs, the demo's paths, meshing a raw config and
measuring tagged areas and volumes on the DOLFINx mesh."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import dolfinx
import numpy as np
import ufl
from mpi4py import MPI

from eisfem.config import parse_config
from eisfem.geometry import tags
from eisfem.simulation.model import build_mesh

INTERIOR = (tags.PORE_FLOOR, tags.CE_PORE_FLOOR)
ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "configs"
DEMO = CONFIGS / "demo.yaml"


def nzsp(**extra: Any) -> dict[str, Any]:
    """An electrolyte material section (NZSP-like numbers)."""
    return {"electrolyte": {"conductivity": "5.5 mS/cm", "permittivity": 30}, **extra}


def bundle_of(**sections):
    """Parse a config made of ``sections`` (NZSP-like materials added) and mesh it."""
    cfg = parse_config({"materials": nzsp()} | sections)
    return cfg, build_mesh(cfg)


def _integrate(bundle, measure, tag) -> float:
    mesh = bundle.mesh
    form = dolfinx.fem.form(dolfinx.fem.Constant(mesh, 1.0 + 0j) * measure(tag))
    return mesh.comm.allreduce(dolfinx.fem.assemble_scalar(form).real, MPI.SUM)


def facet_area(bundle, name: str) -> float:
    """Area of a facet group measured on the DOLFINx mesh (m²)."""
    kind = "dS" if name in INTERIOR else "ds"
    measure = ufl.Measure(kind, domain=bundle.mesh, subdomain_data=bundle.facet_tags)
    return _integrate(bundle, measure, bundle.groups[name])


def cell_volume(bundle, name: str) -> float:
    """Volume of a cell group measured on the DOLFINx mesh (m³)."""
    measure = ufl.Measure("dx", domain=bundle.mesh, subdomain_data=bundle.cell_tags)
    return _integrate(bundle, measure, bundle.groups[name])


def facet_centroid(bundle, name: str) -> np.ndarray:
    """Area-weighted centroid of an exterior facet group (m)."""
    mesh = bundle.mesh
    ds = ufl.Measure("ds", domain=mesh, subdomain_data=bundle.facet_tags)
    x = ufl.SpatialCoordinate(mesh)
    tag = bundle.groups[name]
    area = _integrate(bundle, ds, tag)
    out = []
    for i in range(3):
        form = dolfinx.fem.form(x[i] * ds(tag))
        out.append(mesh.comm.allreduce(dolfinx.fem.assemble_scalar(form).real, MPI.SUM) / area)
    return np.array(out)


def flux_tube_disk_resistance(sigma: float, a: float, R: float, L: float) -> float:
    """Equipotential disk of radius a centred on the end of a cylinder (radius R, length L ≥ 2R)
    whose far end is the counter electrode: Newman's 1/(4σa) times the flux-tube constriction
    factor ψ(a/R) (Gibson's series for the isopotential contact), plus the tube's 1D resistance.
    The higher modes decay as exp(−3.83 L/R), below 1e-3 for L = 2R.
    """
    e = a / R
    psi = 1 - 1.40925 * e + 0.29591 * e**3 + 0.05254 * e**5 + 0.02105 * e**7 + 0.01107 * e**9
    return psi / (4 * sigma * a) + L / (sigma * math.pi * R**2)
