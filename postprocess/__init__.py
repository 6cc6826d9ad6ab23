"""Impedance tables, arc detection, plots, ParaView export and the run summary."""
