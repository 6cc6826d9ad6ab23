"""Write the shipped example stack configs/stacks/lens_voids.tif (seeded, reproducible).

    .venv/bin/python scripts/make_example_stack.py

Lens-shaped voids between Na and NZSP after stripping, as FIB-SEM cross-sections show them
(Ortmann et al., Publication I): a 60 µm patch, 2 µm of electrolyte below the interface and
4 µm of metal above, seven spherical-cap voids of 5-12 µm base radius and 1.5-3 µm height at
non-overlapping random positions, voxels of 0.5 × 0.5 × 0.25 µm (a 120 × 120 × 24 stack),
labels 0 electrolyte, 1 void, 2 metal, written as a zlib-compressed multi-page TIFF.
"""

from __future__ import annotations

from pathlib import Path

import tifffile

from eisfem.geometry.image_stack.synthetic import lens_stack, random_voids

OUT = Path(__file__).resolve().parents[1] / "configs" / "stacks" / "lens_voids.tif"
SIDE, VOXEL, DEPTH, HEIGHT = 60.0, (0.5, 0.5, 0.25), 2.0, 4.0


def main() -> None:
    stack = lens_stack(SIDE, VOXEL, DEPTH, HEIGHT, random_voids(SIDE, 7, (5.0, 12.0), seed=3))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tifffile.imwrite(OUT, stack, compression="zlib")
    print(f"{OUT}: {stack.shape} (z, y, x), {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
