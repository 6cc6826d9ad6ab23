"""The exact curves and surfaces that refinement snaps new nodes to (geometry/analytic.py):
fitted from nodes on them, none for flat or foreign shapes, and projections that land on them."""

from __future__ import annotations

import numpy as np
import pytest

from eisfem.geometry.analytic import fit_entity, project

RNG = np.random.default_rng(7)
N = 60


def cylinder(r=25.0, z0=-50.0, z1=0.0, cx=3.0, cy=-2.0) -> np.ndarray:
    t, z = RNG.uniform(0, 2 * np.pi, N), RNG.uniform(z0, z1, N)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t), z], axis=1)


def spheroid(a=4.0, c=1.5, centre=(10.0, 5.0, -1.0)) -> np.ndarray:
    t, p = RNG.uniform(0, 2 * np.pi, N), RNG.uniform(0, np.pi / 2, N)  # a cap
    unit = np.stack([a * np.sin(p) * np.cos(t), a * np.sin(p) * np.sin(t), c * np.cos(p)], 1)
    return unit + np.asarray(centre)


def circle(r=10.0, z=0.0) -> np.ndarray:
    t = RNG.uniform(0, 2 * np.pi, N)
    return np.stack([r * np.cos(t), r * np.sin(t), np.full(N, z)], axis=1)


def distance_to(kind: str, x: np.ndarray) -> np.ndarray:
    if kind == "cylinder":
        return np.abs(np.hypot(x[:, 0] - 3.0, x[:, 1] + 2.0) - 25.0)
    if kind == "sphere":
        return np.abs(np.linalg.norm(x - [10.0, 5.0, -1.0], axis=1) - 4.0)
    if kind == "spheroid":
        u = (x - [10.0, 5.0, -1.0]) / [4.0, 4.0, 1.5]
        return np.abs(np.linalg.norm(u, axis=1) - 1) * 1.5  # ≤ the distance, to first order
    return np.hypot(np.hypot(x[:, 0], x[:, 1]) - 10.0, x[:, 2])  # the circle r = 10 at z = 0


@pytest.mark.parametrize(
    ("kind", "nodes", "dim", "equations"),
    [
        ("cylinder", cylinder(), 2, 1),
        ("spheroid", spheroid(), 2, 1),
        ("sphere", spheroid(c=4.0), 2, 1),
        ("circle", circle(), 1, 3),  # its plane (u_z = 0, u_z² = 0) and a cylinder
    ],
)
def test_curved_entities_are_fitted_and_points_projected_onto_them(kind, nodes, dim, equations):
    """Points 1e-3 off (a coarse quadratic surface's error) come back to within 1e-12."""
    entity = fit_entity(nodes, dim)
    assert entity is not None and len(entity.equations) == equations
    assert entity.contains(nodes[None]).all()
    off = nodes + RNG.normal(scale=1e-3, size=nodes.shape)
    assert not entity.contains(off[None]).any()
    snapped = project(off, [np.arange(len(off))], [entity])
    assert distance_to(kind, snapped).max() < 1e-12 * 50
    assert np.linalg.norm(snapped - off, axis=1).max() < 1e-2  # the nearest point: a short move


def test_a_rim_is_the_intersection_of_its_surface_and_its_curve():
    """A node listed on a void's cylinder wall and on its rim circle lands on the circle."""
    wall = fit_entity(cylinder(r=10.0, z0=-0.2, z1=0.0, cx=0.0, cy=0.0), 2)
    rim = fit_entity(circle(z=0.0), 1)
    assert len(wall.equations) == 1
    start = circle() + np.array([1e-3, -2e-3, 1e-3])
    snapped = project(start, [np.arange(N)] * 2, [wall, rim])
    assert distance_to("circle", snapped).max() < 1e-12 * 10


@pytest.mark.parametrize(
    ("nodes", "dim"),
    [
        (np.c_[RNG.uniform(0, 5, (N, 2)), np.full(N, 2.0)], 2),  # a plane
        (np.c_[np.linspace(0, 1, N), 2 * np.linspace(0, 1, N), np.zeros(N)], 1),  # a line
        (np.c_[(xy := RNG.uniform(-1, 1, (N, 2))), xy[:, 0] * xy[:, 1]], 2),  # a saddle
        (cylinder()[:8], 2),  # too few nodes to pin six coefficients down
    ],
    ids=["plane", "line", "saddle", "few-nodes"],
)
def test_flat_foreign_or_underdetermined_shapes_get_no_entity(nodes, dim):
    """Planes and lines need no snapping; a saddle is no quadric of revolution about z (a
    B-spline or a user's surface: kept quadratic, not forced onto a wrong shape)."""
    assert fit_entity(nodes, dim) is None
