"""The ``eisfem`` command line: argument parsing and one-line errors around the layers below."""

from eisfem.cli.main import main

__all__ = ["main"]
