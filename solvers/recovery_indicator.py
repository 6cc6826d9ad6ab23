"""Cheap error indicators between two p-enrichment estimates: gradient recovery per medium.

The p-enrichment estimate (``error_estimate.py``) is what eisfem quotes, but its degree p + 1
sweep costs several times the degree p one, and paying it on every adaptive pass made
refinement hardly faster than re-meshing. Between two such estimates the refinement only needs
to know *where* the error is and roughly *how much* is left; a recovery indicator (Zienkiewicz
& Zhu, Int. J. Numer. Meth. Eng. 24 (1987) 337) gives both from the degree p solution alone:

    η_K² = |κ_K| ‖∇φ − G‖²_K,   G = the vertex average of ∇φ over the cells of K's medium,

G being the lumped L² projection of ∇φ onto continuous P1 in each medium separately (the normal
component of ∇φ jumps where κ does, so one average across media would flag every material
interface). η² is the energy of the error up to a constant, and the current's error is that
energy (at DC exactly a(e, e), ``error_estimate``), so Σ η² · |Z| follows the relative error of Z
with a constant that depends on the mesh family but hardly on the pass: the adaptive loop uses
its *ratio* to the value on the mesh of the last p-enrichment estimate to predict the estimate,
never as a quoted number. Why not the explicit residual estimator: its flux jumps are interior
facet integrals, which need shared-facet ghosting that eisfem's distributed meshes do not have;
recovery needs only cell integrals and one reverse scatter.
"""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem, la

from eisfem.solvers.system import ImpedanceSystem, Solution


def _summed(form: ufl.Form) -> np.ndarray:
    """The assembled vector of ``form`` with every rank's contributions added, ghosts too."""
    vector = fem.assemble_vector(fem.form(form))
    vector.scatter_reverse(la.InsertMode.add)
    vector.scatter_forward()
    return vector.array


def _recovered_gradient(phi: fem.Function, dx: ufl.Measure) -> ufl.core.expr.Expr:
    """G: the lumped L² projection of ∇φ onto continuous P1 over the cells of ``dx``."""
    mesh = phi.function_space.mesh
    P1 = fem.functionspace(mesh, ("Lagrange", 1))
    q = ufl.TestFunction(P1)
    mass = _summed(ufl.inner(1.0, q) * dx)
    inside = np.abs(mass) > 0
    components = []
    for i in range(mesh.geometry.dim):
        g = fem.Function(P1)
        g.x.array[inside] = _summed(ufl.inner(phi.dx(i), q) * dx)[inside] / mass[inside]
        components.append(g)
    return ufl.as_vector(components)


def recovery_indicators(system: ImpedanceSystem, solution: Solution) -> np.ndarray:
    """η_K² of the owned cells for the degree p ``solution`` at its ω."""
    bundle = system.bundle
    mesh = bundle.mesh
    phi = system.function(solution.phi)
    W = fem.functionspace(mesh, ("DG", 0))
    w = ufl.TestFunction(W)
    dx = ufl.Measure("dx", domain=mesh, subdomain_data=bundle.cell_tags)
    form = None
    for term in system.volume_terms:
        if (tag := bundle.tag(term.group)) is None:
            continue
        error = ufl.grad(phi) - _recovered_gradient(phi, dx(tag))
        kappa = abs(complex(term.admittivity(solution.omega)))
        cell = ufl.inner(kappa * ufl.real(ufl.inner(error, error)), w) * dx(tag)
        form = cell if form is None else form + cell
    if form is None:
        raise ValueError("no volume of the mesh has a medium")
    owned = mesh.topology.index_map(mesh.topology.dim).size_local
    return np.abs(_summed(form)[W.dofmap.list[:owned, 0]])
