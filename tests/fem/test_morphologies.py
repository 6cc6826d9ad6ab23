"""Every interface morphology meshes with the tag contract and delivers what was asked.

Fractions are checked against the request (within 1 % absolute) using the CAD areas of the
built model and, independently, the facet areas of the DOLFINx mesh; counts exactly; volumes
against closed forms of the planned shapes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from eisfem.geometry import tags
from eisfem.geometry.footprint import cap_volume
from eisfem.geometry.morphologies import electrode_of, plan_interface, plan_morphology
from eisfem.geometry.plan import UM
from tests.helpers import bundle_of, cell_volume, facet_area, facet_centroid

UM2 = UM**2


COARSE = {"refine": 0.5}  # CAD measures do not depend on the mesh; keep the tests fast


def patch(side_um: float, thickness_um: float = 20, **extra):
    return {"shape": "patch", "side": side_um * UM, "thickness": thickness_um * UM, **extra}


def test_random_cylinder_pores_by_area_fraction():
    cfg, b = bundle_of(
        cell=patch(40),
        mesh=COARSE,
        interface={
            "kind": "pores",
            "placement": "random",
            "radius": "5 um",
            "distribution": "lognormal",
            "radius_sd": "2 um",
            "area_fraction": 0.2,
            "height": "200 nm",
            "seed": 2,
        },
    )
    plan = plan_interface(cfg.cell, cfg.interface)
    disks = plan.layers[0].disks
    assert tags.PORE in b.groups and tags.WE_METAL in b.groups and tags.PORE_FLOOR in b.groups
    assert b.info["pore_count"] == len(disks) == b.info["feature_counts"]["pores"]
    assert b.info["pore_area_fraction"] == pytest.approx(0.2, abs=0.01)
    assert b.info["contact_fraction"] == pytest.approx(0.8, abs=0.01)
    # polygonal rims on the mesh vs exact circles in CAD
    assert facet_area(b, tags.PORE_FLOOR) / (40 * UM) ** 2 == pytest.approx(0.2, abs=0.01)
    volume = math.pi * np.sum(disks[:, 2] ** 2) * 0.2 * UM**3
    assert b.info["pore_volume_m3"] == pytest.approx(volume, rel=1e-6)
    # the seed fixes the placement; another seed moves it
    again = plan_morphology(electrode_of(cfg.cell), cfg.interface)
    assert np.array_equal(again.layers[0].disks, disks)
    other = plan_morphology(electrode_of(cfg.cell), cfg.interface.model_copy(update={"seed": 3}))
    assert not np.array_equal(other.layers[0].disks[:, :2], disks[:, :2])


def test_hexagonal_lens_pores_on_a_pellet():
    R, s, r, h = 60.0, 30.0, 10.0, 1.0
    _cfg, b = bundle_of(
        cell={"shape": "cylinder", "radius": R * UM, "thickness": 30 * UM},
        mesh=COARSE,
        interface={
            "kind": "pores",
            "shape": "lens",
            "placement": "hexagonal",
            "spacing": s * UM,
            "radius": r * UM,
            "height": h * UM,
        },
    )
    nodes = [
        ((i + 0.5 * (j % 2)) * s, j * s * math.sqrt(3) / 2)
        for i in range(-3, 4)
        for j in range(-3, 4)
    ]
    expected = sum(math.hypot(x, y) + 1.1 * r <= R for x, y in nodes)  # default margin r/10
    assert b.info["pore_count"] == expected == 7
    assert b.info["pore_volume_m3"] == pytest.approx(
        expected * cap_volume("lens", r, h) * UM**3, rel=1e-6
    )
    assert b.info["pore_area_fraction"] == pytest.approx(expected * r**2 / R**2, rel=1e-6)
    assert cell_volume(b, tags.PORE) == pytest.approx(b.info["pore_volume_m3"], rel=0.03)


def test_ellipsoid_pore_resolved_and_as_thin_gap_map():
    r, h = 10.0, 0.5
    iface = {"kind": "pores", "shape": "ellipsoid", "placement": "single", "radius": r * UM}
    iface["height"] = h * UM
    _cfg, b = bundle_of(cell=patch(40), interface=iface)
    exact = 2 / 3 * math.pi * r**2 * h * UM**3
    assert b.info["pore_volume_m3"] == pytest.approx(exact, rel=1e-9)
    assert cell_volume(b, tags.PORE) == pytest.approx(exact, rel=0.03)

    _cfg, t = bundle_of(cell=patch(40), interface=iface | {"gap_model": "thin"})
    assert tags.WE_GAP in t.groups and tags.PORE not in t.groups
    height = t.gap_height[tags.WE_GAP]
    x = np.array([[0.0, 0.6 * r * UM, 2 * r * UM], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert height(x) == pytest.approx([h * UM, h * UM * math.sqrt(1 - 0.36), 1e-9])
    # ∫ h dA over the footprint triangles (centroid rule) against the spheroid's volume
    assert t.info["gap_volume_m3"] == pytest.approx(exact, rel=0.02)
    assert t.info["thin_gap_area_fraction"] == pytest.approx(math.pi * r**2 / 40**2, rel=1e-9)


def test_symmetric_cell_has_the_pores_on_both_interfaces():
    r, h, s = 8.0, 0.1, 20.0
    _cfg, b = bundle_of(
        cell=patch(40, layout="symmetric"),
        mesh=COARSE,
        interface={"kind": "pores", "radius": r * UM, "height": h * UM, "spacing": s * UM},
    )
    assert {tags.CE, tags.CE_METAL, tags.CE_PORE_FLOOR, tags.WE_METAL, tags.PORE_FLOOR} <= set(
        b.groups
    )
    fraction = 4 * math.pi * r**2 / 40**2
    for side in (b.info, b.info["ce"]):
        assert side["pore_area_fraction"] == pytest.approx(fraction, rel=1e-9)
        assert side["pore_volume_m3"] == pytest.approx(4 * math.pi * r**2 * h * UM**3, rel=1e-9)
    assert facet_area(b, tags.CE_PORE_FLOOR) == pytest.approx(fraction * 40**2 * UM2, rel=5e-3)
    z = b.mesh.geometry.x[:, 2]
    assert z.min() == pytest.approx(-h * UM) and z.max() == pytest.approx((20 + h) * UM)


@pytest.mark.parametrize("gap_model", ["resolved", "thin"])
def test_contact_spots_random_count(gap_model):
    r, h = 4.0, 0.1
    _cfg, b = bundle_of(
        cell=patch(60),
        mesh=COARSE,
        interface={
            "kind": "spots",
            "placement": "random",
            "count": 5,
            "radius": r * UM,
            "height": h * UM,
            "gap_model": gap_model,
        },
    )
    contact = 5 * math.pi * r**2 / 60**2
    assert b.info["feature_counts"]["spots"] == 5
    assert b.info["contact_fraction"] == pytest.approx(contact, rel=1e-9)
    assert facet_area(b, tags.WE_CONTACT) / (60 * UM) ** 2 == pytest.approx(contact, abs=0.01)
    gap_area = (60**2 - 5 * math.pi * r**2) * UM2
    assert b.info["gap_volume_m3"] == pytest.approx(gap_area * h * UM, rel=1e-6)
    if gap_model == "thin":
        assert tags.WE_GAP in b.groups and tags.PORE not in b.groups
        assert facet_area(b, tags.WE_GAP) == pytest.approx(gap_area, rel=5e-3)
    else:
        assert {tags.PORE, tags.WE_METAL, tags.PORE_FLOOR} <= set(b.groups)


def test_rough_surface_by_contact_fraction_thin():
    cfg, b = bundle_of(
        cell=patch(30),
        interface={
            "kind": "rough",
            "ra": "0.2 um",
            "correlation_length": "5 um",
            "contact_fraction": 0.25,
            "seed": 1,
        },
    )
    plan = plan_interface(cfg.cell, cfg.interface)
    assert {tags.WE_CONTACT, tags.WE_GAP} <= set(b.groups) and tags.PORE not in b.groups
    assert b.info["contact_fraction"] == pytest.approx(0.25, abs=0.01)
    assert facet_area(b, tags.WE_CONTACT) / (30 * UM) ** 2 == pytest.approx(0.25, abs=0.01)
    assert b.info["feature_counts"] == plan.counts and plan.counts["contact_islands"] >= 1
    assert plan.report["ra_m"] == pytest.approx(0.2e-6, rel=1e-9)
    # the gap height is level - H: zero at the contact edges (floored), up to the deepest valley
    pts = np.random.default_rng(0).uniform(-15e-6, 15e-6, (3, 2000))
    h = b.gap_height[tags.WE_GAP](pts)
    assert h.min() == pytest.approx(1e-9)
    assert h.max() < plan.report["peak_to_valley_m"]
    assert 0 < b.info["gap_volume_m3"] < h.max() * (30 * UM) ** 2


def test_rough_surface_by_indentation_resolved():
    cfg, b = bundle_of(
        cell=patch(30),
        interface={
            "kind": "rough",
            "ra": "0.2 um",
            "correlation_length": "5 um",
            "indentation": "0.25 um",
            "gap_model": "resolved",
            "seed": 1,
        },
    )
    plan = plan_interface(cfg.cell, cfg.interface)
    layer = plan.layers[0]
    assert {tags.PORE, tags.PORE_FLOOR, tags.WE_METAL} <= set(b.groups)
    assert plan.report["indentation_m"] == pytest.approx(0.25e-6, rel=1e-9)
    assert b.info["contact_fraction"] == pytest.approx(
        plan.report["contact_fraction_planned"], abs=0.01
    )
    volume = sum(p.area * d for p, d in zip(layer.polygons, layer.heights, strict=True)) * UM**3
    assert b.info["pore_volume_m3"] == pytest.approx(volume, rel=1e-6)


def test_collector_stripes_with_nuclei():
    side, w, p, rn, density = 40.0, 10.0, 20.0, 1.5, 0.004  # nuclei per µm²
    cfg, b = bundle_of(
        cell=patch(side),
        mesh=COARSE,
        interface={
            "kind": "collector",
            "pattern": "stripes",
            "stripe_width": w * UM,
            "stripe_period": p * UM,
            "height": "100 nm",
            "nuclei_radius": rn * UM,
            "nuclei_density": f"{density} um^-2",
            "seed": 1,
        },
    )
    plan = plan_interface(cfg.cell, cfg.interface)
    n = round(density * side**2)
    assert b.info["feature_counts"] == {"gap_regions": 2, "nuclei": n}
    nuclei = plan.layers[1].disks
    assert len(nuclei) == n
    gaps = shapely.union_all(plan.layers[0].polygons)
    assert gaps.area == pytest.approx(side**2 * w / p)
    discs = shapely.union_all([shapely.Point(x, y).buffer(r, quad_segs=256) for x, y, r in nuclei])
    expected = 1 - gaps.difference(discs).area / side**2
    assert b.info["contact_fraction"] == pytest.approx(expected, abs=1e-4)
    assert b.info["contact_fraction"] > 1 - w / p  # the nuclei add contact
    assert {tags.PORE, tags.WE_METAL, tags.PORE_FLOOR} <= set(b.groups)


def test_collector_patches_fraction_and_seed():
    cfg, b = bundle_of(
        cell=patch(40),
        interface={
            "kind": "collector",
            "pattern": "patches",
            "gap_fraction": 0.35,
            "correlation_length": "8 um",
            "height": "100 nm",
            "gap_model": "thin",
            "seed": 9,
        },
    )
    assert b.info["thin_gap_area_fraction"] == pytest.approx(0.35, abs=0.01)
    assert facet_area(b, tags.WE_GAP) / (40 * UM) ** 2 == pytest.approx(0.35, abs=0.01)
    e = electrode_of(cfg.cell)
    first = plan_morphology(e, cfg.interface).layers[0].polygons
    again = plan_morphology(e, cfg.interface).layers[0].polygons
    other = plan_morphology(e, cfg.interface.model_copy(update={"seed": 10})).layers[0].polygons
    assert shapely.union_all(first).equals(shapely.union_all(again))
    assert not shapely.union_all(first).equals(shapely.union_all(other))


def _mask(n: int = 20) -> np.ndarray:
    yy, xx = np.mgrid[:n, :n]
    contact = np.ones((n, n), bool)
    contact[(xx - 6) ** 2 + (yy - 7) ** 2 < 16] = False
    contact[12:17, 10:18] = False
    contact[17, 9] = False  # touches the block only at a corner
    return contact


def test_image_mask_png_on_a_patch(tmp_path):
    from PIL import Image

    mask = _mask()
    Image.fromarray(mask.astype(np.uint8) * 255).save(tmp_path / "map.png")
    _cfg, b = bundle_of(
        cell=patch(40),
        interface={"kind": "image", "path": str(tmp_path / "map.png"), "pixel_size": "2 um"}
        | {"height": "100 nm"},
    )
    assert b.info["contact_fraction"] == pytest.approx(mask.mean(), rel=1e-9)
    assert facet_area(b, tags.WE_GAP) / (40 * UM) ** 2 == pytest.approx(1 - mask.mean(), abs=1e-9)


def test_image_mask_npy_on_a_pellet_resolved(tmp_path):
    np.save(tmp_path / "map.npy", _mask())
    _cfg, b = bundle_of(
        cell={"shape": "cylinder", "radius": 18 * UM, "thickness": 20 * UM},
        interface={
            "kind": "image",
            "path": str(tmp_path / "map.npy"),
            "pixel_size": "2 um",
            "height": "100 nm",
            "gap_model": "resolved",
        },
    )
    assert {tags.PORE, tags.PORE_FLOOR, tags.WE_METAL, tags.WE_CONTACT} <= set(b.groups)
    gaps = shapely.union_all(plan_interface(_cfg.cell, _cfg.interface).layers[0].polygons)
    disk = shapely.Point(0, 0).buffer(18, quad_segs=512)
    assert b.info["pore_area_fraction"] == pytest.approx(
        gaps.intersection(disk).area / disk.area, abs=1e-4
    )


def test_small_offset_electrode_on_a_pellet():
    R, re, off = 100.0, 40.0, 50.0
    _cfg, b = bundle_of(
        mesh=COARSE,
        cell={
            "shape": "cylinder",
            "radius": R * UM,
            "thickness": 40 * UM,
            "electrode_radius": re * UM,
            "electrode_offset": off * UM,
        },
        interface={"kind": "full"},
    )
    assert b.electrode_area == pytest.approx(math.pi * (re * UM) ** 2, rel=1e-12)
    assert b.info["contact_fraction"] == pytest.approx(1.0, rel=1e-9)
    assert facet_area(b, tags.WE_CONTACT) == pytest.approx(math.pi * (re * UM) ** 2, rel=5e-3)
    assert facet_centroid(b, tags.WE_CONTACT)[:2] == pytest.approx([off * UM, 0], abs=0.1 * UM)
    assert facet_area(b, tags.CE) == pytest.approx(math.pi * (R * UM) ** 2, rel=5e-3)


def test_100_nm_gaps_under_a_200_um_electrode():
    """Real aspect ratios: a 100 nm gap spanning a 200 µm patch (a 2000:1 void, structured
    layers) and a 100 nm-high dome 40 µm wide (an unstructured cap)."""
    side, r, h = 200.0, 15.0, 0.1
    _cfg, b = bundle_of(
        cell=patch(side, 50),
        interface={"kind": "spots", "placement": "single", "radius": r * UM, "height": h * UM},
    )
    gap = (side**2 - math.pi * r**2) * h * UM**3
    assert b.info["pore_volume_m3"] == pytest.approx(gap, rel=1e-9)
    assert cell_volume(b, tags.PORE) == pytest.approx(gap, rel=5e-3)
    assert b.info["quality_by_group"][tags.ELECTROLYTE]["min_sicn"] > 0.1

    _cfg, c = bundle_of(
        cell=patch(120, 40),
        interface={"kind": "pores", "shape": "ellipsoid", "placement": "single"}
        | {"radius": 20 * UM, "height": h * UM},
    )
    exact = 2 / 3 * math.pi * 20**2 * h * UM**3
    assert c.info["pore_volume_m3"] == pytest.approx(exact, rel=1e-9)
    assert cell_volume(c, tags.PORE) == pytest.approx(exact, rel=0.05)
    assert c.info["quality_min_sicn"] > 0
