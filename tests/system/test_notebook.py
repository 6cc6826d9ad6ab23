"""docs/notebooks/quickstart.ipynb runs top to bottom, and the stored copy is executed and small."""

from __future__ import annotations

import shutil
import time

from tests.helpers import ROOT

NOTEBOOK = ROOT / "docs" / "notebooks" / "quickstart.ipynb"


def test_stored_notebook_is_executed_and_small():
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.execution_count is not None for c in code)
    assert all(c.outputs for c in code)
    assert NOTEBOOK.stat().st_size < 400_000


def test_quickstart_runs_top_to_bottom(tmp_path):
    """Executed in a copy of the repository layout (the notebook reads ../../configs), so its
    run folders go to the temporary directory, not into docs/."""
    import nbformat
    from nbclient import NotebookClient

    folder = tmp_path / "docs" / "notebooks"
    folder.mkdir(parents=True)
    (tmp_path / "configs").symlink_to(ROOT / "configs")
    shutil.copy(NOTEBOOK, folder)
    nb = nbformat.read(folder / NOTEBOOK.name, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    print(f"quickstart.ipynb executed in {time.perf_counter() - t0:.0f} s")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    errors = [o.text for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    # the last cell's bad value is the one thing written to stderr, in one line
    assert len(errors) == 1 and errors[0].startswith("ConfigError: ")
    assert errors[0].strip().count("\n") == 0 and "cell.side" in errors[0]
    assert (folder / "runs" / "demo" / "COMPLETE").is_file()
    assert (folder / "runs" / "demo-r40" / "COMPLETE").is_file()
