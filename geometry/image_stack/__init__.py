"""Segmented 3D image stacks (electrolyte / void / metal) meshed into conforming tetrahedra."""
