"""`make gallery`: regenerate every figure and table of the validation gallery.

Runs the six items in one process (the JIT cache and the imports are shared) and records the
wall time of each in docs/validation/timing.json, with the machine load, so the 45-minute
budget can be checked from the repository. `run.py 2 5` runs only items 2 and 5.
"""

from __future__ import annotations

import importlib
import os
import sys
import time

from common import write_json

ITEMS = {
    "1": "item1_trends",
    "2": "item2_pressure",
    "3": "item3_hidden_arcs",
    "4": "item4_collector_gap",
    "5": "item5_anode_free",
    "6": "item6_temperature",
}


def main(argv: list[str]) -> int:
    chosen = argv or list(ITEMS)
    unknown = [a for a in chosen if a not in ITEMS]
    if unknown:
        print(f"error: unknown item {unknown[0]!r} (choose from {', '.join(ITEMS)})")
        return 2
    timing = {"load_average_start": os.getloadavg(), "items_s": {}}
    start = time.perf_counter()
    for item in chosen:
        t = time.perf_counter()
        importlib.import_module(ITEMS[item]).run()
        timing["items_s"][ITEMS[item]] = time.perf_counter() - t
        print(f"item {item} ({ITEMS[item]}): {timing['items_s'][ITEMS[item]]:.0f} s", flush=True)
    timing["total_s"] = time.perf_counter() - start
    timing["load_average_end"] = os.getloadavg()
    timing["cpus"] = os.cpu_count()
    if not argv:  # only a full run records the gallery's time
        write_json("timing", timing)
    print(f"gallery: {timing['total_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
