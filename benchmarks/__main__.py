"""Run benchmarks: `python -m benchmarks` (all) or `python -m benchmarks find outbox`.

Each benchmark module `benchmarks/bench_<name>.py` has `run(args) -> list[Row]`.
PostgreSQL cases run when INTROBOT_BENCH_POSTGRES_URL (or INTROBOT_TEST_POSTGRES_URL) is set.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks
from benchmarks.report import Row, table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--size", type=int, default=None, help="override the data size")
    args = parser.parse_args(argv)
    available = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )
    names = args.names or available
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}",
              file=sys.stderr)
        return 2
    rows: list[Row] = []
    for name in names:
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"running {name} …", file=sys.stderr, flush=True)
        rows.extend(module.run(args))
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
