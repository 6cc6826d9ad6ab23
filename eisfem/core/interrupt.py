"""Ctrl-C that no library can swallow: a run interrupted before it is complete never publishes.

Python turns SIGINT into a KeyboardInterrupt raised wherever the main thread happens to be. If
that is a finalizer (``__del__`` of a PETSc or DOLFINx object run by the garbage collector) or a
callback from C, the exception is printed as "ignored" and the run goes on, to publish a folder
the user asked to stop. The command line therefore installs :func:`install`, whose handler also
records the signal, and :func:`check` raises it again at the moments that must not pass after a
Ctrl-C (the publication of a run folder). Without the handler (the Python API, a notebook) the
record stays empty and :func:`check` does nothing.
"""

from __future__ import annotations

import signal
from types import FrameType

_received = False


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    global _received
    _received = True
    raise KeyboardInterrupt


def install() -> None:
    """Handle SIGINT as Python does, and remember that it came (main thread only)."""
    signal.signal(signal.SIGINT, _on_sigint)


def check() -> None:
    """Raise KeyboardInterrupt if SIGINT came since :func:`install`, even if the exception it
    raised then was swallowed."""
    if _received:
        raise KeyboardInterrupt
