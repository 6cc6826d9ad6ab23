"""Execute a notebook in place and store its outputs (``make notebook`` for the quickstart).

Runs in the notebook's own folder, as Jupyter would; the run folders it writes there (``runs/``)
are removed afterwards, so only the notebook with its outputs stays.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def main(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    t0 = time.perf_counter()
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    nbformat.write(nb, path)
    shutil.rmtree(path.parent / "runs", ignore_errors=True)
    print(f"{path}: executed in {time.perf_counter() - t0:.0f} s, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
