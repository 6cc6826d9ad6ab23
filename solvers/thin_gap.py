"""Thin gaps as surface admittances: a gap of height h ≪ its width between metal and
electrolyte is a parallel-plate element, Y = κ_gap(ω)/h(x, y) (docs/design.md §2.4).

This replaces meshing a 20 nm × 100 µm void by a Robin term on the flat electrolyte surface;
the resolved pore stays the reference it is checked against.
"""

from __future__ import annotations

from collections.abc import Callable

from dolfinx import fem

from eisfem.geometry import tags
from eisfem.geometry.mesh import MeshBundle
from eisfem.solvers.system import SurfaceTerm


def thin_gap_terms(bundle: MeshBundle, gap_medium: Callable[[float], complex]) -> list[SurfaceTerm]:
    """One surface term per thin-gap footprint of the bundle, weighted by 1/h(x, y)."""
    terms = []
    for group, electrode in tags.GAP_SURFACES.items():
        height = bundle.gap_height.get(group)
        if group not in bundle.groups or height is None:
            continue
        inverse = fem.Function(fem.functionspace(bundle.mesh, ("Lagrange", 1)))
        inverse.interpolate(lambda x, h=height: 1.0 / h(x))
        terms.append(SurfaceTerm(group, gap_medium, electrode, weight=inverse))
    return terms
