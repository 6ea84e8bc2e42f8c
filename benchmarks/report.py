"""Measurements and the table they are printed in."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Row:
    benchmark: str
    case: str
    values: dict[str, str] = field(default_factory=dict)


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of `samples` (pct in 0..100)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def summary(samples: Sequence[float]) -> dict[str, str]:
    return {
        "n": str(len(samples)),
        "p50": ms(percentile(samples, 50)),
        "p95": ms(percentile(samples, 95)),
        "p99": ms(percentile(samples, 99)),
        "mean": ms(statistics.fmean(samples)) if samples else "-",
    }


def table(rows: Sequence[Row]) -> str:
    columns = ["benchmark", "case"]
    for row in rows:
        for key in row.values:
            if key not in columns:
                columns.append(key)
    cells = [[row.benchmark, row.case, *(row.values.get(c, "") for c in columns[2:])]
             for row in rows]
    widths = [max(len(col), *(len(r[i]) for r in cells)) if cells else len(col)
              for i, col in enumerate(columns)]
    line = " | ".join(col.ljust(w) for col, w in zip(columns, widths, strict=True))
    rule = "-+-".join("-" * w for w in widths)
    body = [" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join([line, rule, *body])
