"""Gmsh builders of cells and interface features, meshing and the physical-group contract."""
