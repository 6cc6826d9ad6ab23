"""Placement, random fields and masks in 2D (no meshing): counts, fractions, seeds, statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from eisfem.geometry.images import load_mask, pixel_polygons
from eisfem.geometry.placement import (
    Electrode,
    PlacementError,
    draw_radii,
    hexagonal_lattice,
    place_random,
    radii_for_area,
)
from eisfem.geometry.roughness import gaussian_field

DISK = Electrode("disk", 3.0, -2.0, 100.0, covers_cell=False)
SQUARE = Electrode("square", 0.0, 0.0, 50.0, covers_cell=True)


@pytest.mark.parametrize("electrode", [DISK, SQUARE])
def test_random_disks_do_not_overlap_and_stay_inside(electrode):
    rng = np.random.default_rng(1)
    radii = draw_radii(rng, 40, 4.0, 1.5, "normal")
    xy, r = place_random(rng, electrode, radii, clearance=0.5)
    assert len(r) == 40 and sorted(r) == sorted(radii)
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    gap = d - r[:, None] - r[None, :]
    np.fill_diagonal(gap, np.inf)
    assert gap.min() >= 0.5 - 1e-12
    assert np.all(electrode.fits(xy[:, 0], xy[:, 1], r, 0.5))


def test_random_placement_is_reproducible_with_the_seed():
    def draw(seed):
        rng = np.random.default_rng(seed)
        return place_random(rng, DISK, draw_radii(rng, 30, 5.0, 2.0, "lognormal"), 0.2)[0]

    assert np.array_equal(draw(3), draw(3))
    assert not np.allclose(draw(3), draw(4))


def test_area_request_is_met_exactly_by_scaling():
    rng = np.random.default_rng(0)
    target = 0.3 * DISK.area
    radii, scale = radii_for_area(rng, target, 5.0, 2.0, "lognormal")
    assert math.pi * np.sum(radii**2) == pytest.approx(target, rel=1e-12)
    # the count is the one that comes closest before scaling: scale is near 1
    assert abs(scale - 1) < 0.5 / math.sqrt(len(radii)) + 0.05


@pytest.mark.parametrize("distribution", ["normal", "lognormal"])
def test_radius_distributions_have_the_requested_moments(distribution):
    r = draw_radii(np.random.default_rng(5), 40_000, 10.0, 3.0, distribution)
    # standard errors: 3/200 = 0.015 for the mean; truncation at [2.5, 40] removes < 0.3 %
    assert r.mean() == pytest.approx(10.0, abs=0.1)
    assert r.std() == pytest.approx(3.0, rel=0.04)
    assert r.min() >= 2.5 and r.max() <= 40


def test_impossible_requests_fail_instead_of_looping():
    rng = np.random.default_rng(0)
    with pytest.raises(PlacementError) as err:
        place_random(rng, SQUARE, np.full(60, 7.0), 0.1)  # 94 % coverage: beyond jamming
    assert 0 < err.value.placed < 60


def test_hexagonal_lattice_matches_brute_force_count():
    s, r, margin = 20.0, 6.0, 1.0
    pts = hexagonal_lattice(DISK, s, r, margin)
    brute = 0
    for j in range(-10, 11):
        for i in range(-10, 11):
            x = (i + 0.5 * (j % 2)) * s + DISK.cx
            y = j * s * math.sqrt(3) / 2 + DISK.cy
            brute += math.hypot(x - DISK.cx, y - DISK.cy) + r + margin <= DISK.half
    assert len(pts) == brute
    nearest = np.sort(np.hypot(*(pts[:, None] - pts[None]).transpose(2, 0, 1)), axis=1)[:, 1]
    assert nearest.min() == pytest.approx(s)


def test_gaussian_field_has_the_requested_correlation_length():
    ell = 4.0
    e = Electrode("square", 0.0, 0.0, 128.0, covers_cell=True)  # 64 ℓ wide, step ℓ/8
    g = gaussian_field(11, e, ell, ell / 8)
    z = g.z
    assert z.mean() == pytest.approx(0, abs=1e-12) and z.std() == pytest.approx(1, rel=1e-12)

    def corr(lag: int) -> float:
        return float(np.mean(z[:, :-lag] * z[:, lag:]) + np.mean(z[:-lag] * z[lag:])) / 2

    # exp(-r²/ℓ²) at r = ℓ/2 and ℓ; ~4000 independent patches: standard error ≈ 0.016
    assert corr(4) == pytest.approx(math.exp(-0.25), abs=0.05)
    assert corr(8) == pytest.approx(math.exp(-1.0), abs=0.05)


def test_pixel_polygons_are_exact_and_valid():
    mask = np.zeros((6, 7), bool)
    mask[1:3, 1:4] = True
    mask[3, 4] = True  # touches the block only at a corner
    mask[4:6, 0:2] = True
    polys = pixel_polygons(mask, x0=10.0, y_top=0.0, pixel=0.5)
    assert all(p.is_valid for p in polys)
    assert sum(p.area for p in polys) == pytest.approx(mask.sum() * 0.25)
    assert shapely.union_all(polys).bounds == (10.0, -3.0, 12.5, -0.5)


def test_mask_loader_refuses_grey_and_colour(tmp_path):
    from PIL import Image

    grey = np.zeros((4, 4), np.uint8)
    grey[0, 0], grey[1, 1] = 128, 255
    Image.fromarray(grey).save(tmp_path / "grey.png")
    with pytest.raises(ValueError, match="binary"):
        load_mask(tmp_path / "grey.png")
    rgb = np.zeros((4, 4, 3), np.uint8)
    rgb[0, 0] = (255, 0, 0)
    Image.fromarray(rgb).save(tmp_path / "rgb.png")
    with pytest.raises(ValueError, match="colours"):
        load_mask(tmp_path / "rgb.png")
    np.save(tmp_path / "ok.npy", grey > 200)
    assert load_mask(tmp_path / "ok.npy").sum() == 1
