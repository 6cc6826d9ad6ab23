"""Jupyter behaviour of the public API: figures that display, errors in one line.

Both hooks act only inside an IPython kernel and only on eisfem's own objects:

* the plot methods build matplotlib figures without pyplot (no global figure list, no backend
  switch in the user's session); IPython shows such a figure only if a formatter for
  ``Figure`` is registered, which happens only once pyplot's inline backend has been used. So a
  PNG formatter is registered if none is.
* an :class:`~eisfem.core.errors.EisfemError` (a user's mistake: bad config value, impossible
  geometry) is shown as the CLI shows it, one line ``ConfigError: cell.side: ...``, instead of a
  traceback through eisfem's internals. Every other exception keeps its traceback.
"""

from __future__ import annotations

import sys
from typing import Any

from eisfem.core.errors import EisfemError


def _shell() -> Any:
    """The running IPython kernel's shell, or None (plain Python, IPython in a terminal too)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if type(shell).__name__ == "ZMQInteractiveShell" else None


def _one_line(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    print(f"{etype.__name__}: {value}", file=sys.stderr)


def install() -> None:
    """Register the figure formatter and the one-line error display (idempotent)."""
    shell = _shell()
    if shell is None:
        return
    from matplotlib.figure import Figure

    png = shell.display_formatter.formatters["image/png"]
    try:
        png.lookup_by_type(Figure)
    except KeyError:
        from IPython.core.pylabtools import select_figure_formats

        select_figure_formats(shell, {"png"})
    shell.set_custom_exc((EisfemError,), _one_line)
