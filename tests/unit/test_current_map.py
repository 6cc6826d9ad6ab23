"""Nodal smoothing and rim profile of the interface current map (no mesh: plain arrays)."""

import numpy as np

from eisfem.postprocess.current_map import nodal_parts, rim_profile


def _square_grid(n: int, x0: float = 0.0) -> np.ndarray:
    """Triangles (2n², 3, 3) of an n × n grid of unit squares starting at x = x0, z = 0."""
    tris = []
    for i in range(n):
        for j in range(n):
            a, b = (x0 + i, j, 0.0), (x0 + i + 1, j, 0.0)
            c, d = (x0 + i + 1, j + 1, 0.0), (x0 + i, j + 1, 0.0)
            tris += [(a, b, c), (a, c, d)]
    return np.array(tris, dtype=float)


def test_nodal_values_keep_the_jump_between_parts():
    """Two parts meeting along x = 2 with constant values 1 and 100: every nodal value of a
    part equals its own constant (nothing smeared across the rim), vertices are merged."""
    left, right = _square_grid(2), _square_grid(2, x0=2.0)
    vertices = np.concatenate([left, right])
    values = np.concatenate([np.ones(len(left)), np.full(len(right), 100.0)])
    groups = np.concatenate([np.zeros(len(left), int), np.ones(len(right), int)])
    parts = nodal_parts(vertices, values, groups)
    assert [p.group for p in parts] == [0, 1]
    for part, expected in zip(parts, (1.0, 100.0), strict=True):
        assert len(part.xy) == 9  # 3 × 3 grid vertices, shared corners merged
        assert np.allclose(part.values, expected)


def test_nodal_values_are_area_weighted_means_of_the_facets_around():
    """A vertex shared by facets with values 1 (area 1) and 3 (area 3) gets (1 + 9) / 4."""
    small = np.array([[[0, 0, 0], [1, 0, 0], [0, 2, 0]]], dtype=float)  # area 1
    big = np.array([[[0, 0, 0], [0, 2, 0], [-3, 0, 0]]], dtype=float)  # area 3
    parts = nodal_parts(np.concatenate([small, big]), np.array([1.0, 3.0]), np.zeros(2, int))
    origin = np.flatnonzero(np.all(parts[0].xy == 0, axis=1))[0]
    assert parts[0].values[origin] == 10.0 / 4.0


def test_rim_profile_recovers_an_edge_singularity():
    """Facets whose value is d^-1/2 (the primary distribution next to an ideal edge): the
    binned area-weighted means follow d^-1/2 to within the bin width (log bins of ratio r:
    the mean over a bin lies between the values at its ends, so within r^(1/2) of the value
    at its geometric centre), and the gap side stays separate."""
    rng = np.random.default_rng(0)
    d = 10 ** rng.uniform(-3, 0, 4000)
    area = rng.uniform(0.5, 1.5, d.size)
    on_contact = rng.random(d.size) < 0.5
    values = np.where(on_contact, d**-0.5, 0.01)
    profile = rim_profile(d, area, values, on_contact, bins=12)
    ratio = (d.max() / d.min()) ** (1 / 12)
    expected = profile.distance**-0.5
    assert np.all(np.abs(np.log(profile.contact / expected)) <= 0.5 * np.log(ratio) + 1e-12)
    assert np.allclose(profile.other, 0.01)


def test_rim_profile_without_a_rim_is_none():
    d = np.full(4, np.inf)
    assert rim_profile(d, np.ones(4), np.ones(4), np.ones(4, bool)) is None
