"""The exact curves and surfaces of a meshed model, so that refinement puts new nodes on them.

Every curved wall, rim and cap of eisfem's geometries is a quadric of revolution about a
vertical axis or a plane section of one: the pellet wall and the rims of gaps and filaments are
vertical cylinders, pore caps are spheres and spheroids revolved about z, contact rims are
circles in a plane. All of them are zero sets of combinations of six functions,

    q(u) = c · (u_x² + u_y², u_z², u_x, u_y, u_z, 1),   u = (x − centre) / scale,

so the nodes of one gmsh entity (gmsh puts the nodes of the second-order mesh on the CAD
entity) give its equations as the null space of the matrix of those functions at the nodes:
one equation for a surface, two or three for a curve (a circle lies on its plane and on a
cylinder). An entity whose nodes satisfy no such equation (a B-spline, a user's mesh of
something else, a node taken off its surface when a curved element was straightened) gets
none and keeps the quadratic surface of the coarse mesh. Planar surfaces and straight curves are
left out: a quadratic map already keeps new nodes on them exactly.

Why fit rather than have each builder describe its surfaces: gmsh knows every entity of every
geometry source (parametric builders, image stacks, a user's CAD), while hand-written
descriptions would have to be kept in step with the CAD, morphology by morphology.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

ON = 1e-9  # |q| at a node on the entity (unit equations, coordinates scaled to ~1)
FLAT = 1e-18  # variance ratio below which nodes lie on a plane (surface) or a line (curve)
MIN_NODES = 12  # fewer nodes do not pin the six coefficients down with a margin
NEWTON_STEPS = 4  # quadratic convergence from a start O(h³) off the entity


@dataclass(frozen=True)
class AnalyticEntity:
    """A curve or surface as the common zero set of ``equations`` (rows of coefficients of
    the six functions), in coordinates centred at ``center`` and divided by ``scale``."""

    center: np.ndarray  # (3,)
    scale: float
    equations: np.ndarray  # (k, 6), unit rows
    lower: np.ndarray  # (3,) bounding box of the nodes that defined it
    upper: np.ndarray

    def scaled(self, unit: float) -> AnalyticEntity:
        """The same entity with coordinates multiplied by ``unit`` (µm to metres)."""
        return dataclasses.replace(
            self,
            center=self.center * unit,
            scale=self.scale * unit,
            lower=self.lower * unit,
            upper=self.upper * unit,
        )

    def values(self, x: np.ndarray) -> np.ndarray:
        """q of every equation at points ``x`` (..., 3), times ``scale``: a length that is the
        distance to the entity to first order where the equation's gradient is ~1."""
        return _basis(self._u(x)) @ self.equations.T * self.scale

    def gradients(self, x: np.ndarray) -> np.ndarray:
        """∇q of every equation at ``x`` (..., 3) times ``scale``: shape (..., k, 3)."""
        return np.einsum("kb,...bd->...kd", self.equations, _basis_gradient(self._u(x)))

    def contains(self, x: np.ndarray) -> np.ndarray:
        """Whether all points of each row of ``x`` (n, p, 3) lie on the entity."""
        margin = ON * self.scale
        inside = np.all((x >= self.lower - margin) & (x <= self.upper + margin), axis=(1, 2))
        on = np.zeros(len(x), dtype=bool)
        if inside.any():
            on[inside] = np.all(np.abs(self.values(x[inside])) <= margin, axis=(1, 2))
        return on

    def _u(self, x: np.ndarray) -> np.ndarray:
        return (x - self.center) / self.scale


def _basis(u: np.ndarray) -> np.ndarray:
    x, y, z = u[..., 0], u[..., 1], u[..., 2]
    return np.stack([x * x + y * y, z * z, x, y, z, np.ones_like(x)], axis=-1)


def _basis_gradient(u: np.ndarray) -> np.ndarray:
    """d basis / du: shape (..., 6, 3)."""
    g = np.zeros((*u.shape[:-1], 6, 3))
    g[..., 0, :2] = 2 * u[..., :2]
    g[..., 1, 2] = 2 * u[..., 2]
    g[..., 2, 0] = g[..., 3, 1] = g[..., 4, 2] = 1.0
    return g


def fit_entity(nodes: np.ndarray, dim: int) -> AnalyticEntity | None:
    """The analytic entity through ``nodes`` (n, 3) of a curve (dim 1) or surface (dim 2), or
    None when it needs no snapping (flat) or fits no quadric of revolution about z."""
    if len(nodes) < MIN_NODES:
        return None
    center = nodes.mean(axis=0)
    spread = np.linalg.eigvalsh(np.cov((nodes - center).T))  # ascending
    if spread[2] <= 0 or spread[2 - dim] <= FLAT * spread[2]:  # a line, or a plane
        return None
    scale = float(np.abs(nodes - center).max())
    matrix = _basis((nodes - center) / scale)
    _s, _v, vt = np.linalg.svd(matrix)
    equations = np.array([v for v in vt if np.abs(matrix @ v).max() <= ON])
    if not len(equations):
        return None
    return AnalyticEntity(center, scale, equations, nodes.min(axis=0), nodes.max(axis=0))


def project(x: np.ndarray, members: list[np.ndarray], entities: list[AnalyticEntity]) -> np.ndarray:
    """Points ``x`` (n, 3) moved to the nearest point (Gauss–Newton, minimum-norm steps) on
    the intersection of the entities each lies on: ``members[i]`` indexes the points on
    ``entities[i]``."""
    x = x.copy()
    rows = np.zeros(len(x), dtype=int)  # equations of each point
    for entity, on in zip(entities, members, strict=True):
        rows[on] += len(entity.equations)
    for _ in range(NEWTON_STEPS):
        f = np.zeros((len(x), rows.max(initial=0)))
        jac = np.zeros((*f.shape, 3))
        at = np.zeros(len(x), dtype=int)  # next free equation row of each point
        for entity, on in zip(entities, members, strict=True):
            slots = at[on, None] + np.arange(len(entity.equations))
            f[on[:, None], slots] = entity.values(x[on])
            jac[on[:, None], slots] = entity.gradients(x[on])
            at[on] += len(entity.equations)
        x -= (np.linalg.pinv(jac, rcond=1e-10) @ f[..., None])[..., 0]
    return x
