"""Run by ParaView's pvpython (tests/system/test_results.py): read a run folder's ParaView files.

Usage: pvpython pvpython_read_run.py RUN_DIR OUT.json

Opens fields.xdmf and mesh_tags.xdmf with the Xdmf3 reader, as the README tells users to, and
writes what ParaView sees: the time values, and for every time the range of each array of each
block, plus the distinct values of the cell and facet tags and the cell counts.
"""

import json
import sys

from paraview import servermanager
from paraview.simple import Xdmf3ReaderT
from vtkmodules.util.numpy_support import vtk_to_numpy

run, out = sys.argv[1], sys.argv[2]


def leaves(data):
    """The datasets of a multiblock, depth first, with their block names."""
    for i in range(data.GetNumberOfBlocks()):
        meta = data.GetMetaData(i)
        name = meta.Get(data.NAME()) if meta.Has(data.NAME()) else None
        block = data.GetBlock(i)
        if block.IsA("vtkMultiBlockDataSet"):
            yield from leaves(block)
        else:
            yield name, block


def arrays(block):
    for attrs in (block.GetPointData(), block.GetCellData()):
        for k in range(attrs.GetNumberOfArrays()):
            yield attrs.GetArrayName(k), vtk_to_numpy(attrs.GetArray(k))


fields = Xdmf3ReaderT(FileName=[f"{run}/fields.xdmf"])
times = fields.TimestepValues  # a bare float when there is a single time step
times = [float(t) for t in times] if hasattr(times, "__len__") else [float(times)]
result = {"times": times, "ranges": {}, "cells": {}}
for t in times:
    fields.UpdatePipeline(t)
    ranges = {}
    for _, block in leaves(servermanager.Fetch(fields)):
        for name, values in arrays(block):
            ranges[name] = [float(values.min()), float(values.max()), list(values.shape)]
    result["ranges"][str(t)] = ranges

tags = Xdmf3ReaderT(FileName=[f"{run}/mesh_tags.xdmf"])
tags.UpdatePipeline()
for name, block in leaves(servermanager.Fetch(tags)):
    result["cells"][name] = block.GetNumberOfCells()
    for array, values in arrays(block):
        result[f"tags_{array}"] = sorted({int(v) for v in values})

with open(out, "w") as fh:
    json.dump(result, fh)
