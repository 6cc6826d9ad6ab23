"""One table for a sweep: the swept values and every scalar of each case's summary.json.

Columns: ``case`` (the id), ``status`` (complete / failed / not run), ``error`` (a failed
case's error line), the swept fields (resolved, SI), then the summary flattened with dots
(``geometry.contact_fraction``), list items numbered after the singular of the list's name
(``arcs`` -> ``arc0.apex_frequency_Hz``, ``arc1.…``). Cases with fewer arcs leave those columns
empty. Written as CSV (for spreadsheets) and Parquet (typed, for pandas/polars/R) with
pyarrow, which writes both formats itself and needs no dataframe library.
"""

from __future__ import annotations

import json
import os
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from eisfem.batch.sweepdir import COMPLETE, FAILED, SweepDir
from eisfem.core.errors import ConfigError
from eisfem.core.records import flatten

TABLE = "results"


def rows(folder: SweepDir) -> list[dict[str, Any]]:
    """One row per case of the manifest, in case order."""
    _, entries = folder.read()
    table = []
    for entry in entries:
        status, error = folder.state(entry.id)
        row: dict[str, Any] = {"case": entry.id, "status": status, "error": error or None}
        row |= flatten(entry.values)
        if status == COMPLETE:
            try:
                summary = json.loads((folder.run(entry.id) / "summary.json").read_text())
            except (OSError, ValueError) as exc:
                row |= {"status": FAILED, "error": f"summary.json unreadable ({exc})"}
            else:
                row |= {k: v for k, v in flatten(summary).items() if k not in row}
        table.append(row)
    return table


def _table(records: list[dict[str, Any]]) -> pa.Table:
    columns: dict[str, None] = {}
    for record in records:
        columns |= dict.fromkeys(record)
    data = {}
    for name in columns:
        values = [r.get(name) for r in records]
        try:
            data[name] = pa.array(values)
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed kinds across cases: keep as text
            data[name] = pa.array([None if v is None else str(v) for v in values])
    return pa.table(data)


def collect(folder: SweepDir) -> pa.Table:
    """(Re)build ``results.csv`` and ``results.parquet`` from the case folders."""
    table = _table(rows(folder))
    for suffix, writer in ((".csv", pa_csv.write_csv), (".parquet", pq.write_table)):
        path = folder.root / f"{TABLE}{suffix}"
        tmp = path.with_name(f".{path.name}.tmp")
        writer(table, str(tmp))
        os.replace(tmp, path)  # a reader never sees half a table
    return table


def read_results(folder: SweepDir) -> pa.Table:
    """The sweep's table, collected first if it has not been written yet."""
    path = folder.root / f"{TABLE}.parquet"
    if not path.is_file():
        return collect(folder)
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ConfigError(f"{path}: unreadable ({exc}); `eisfem collect` rebuilds it") from None


def status_counts(table: pa.Table) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in table.column("status").to_pylist():
        counts[status] = counts.get(status, 0) + 1
    return counts
