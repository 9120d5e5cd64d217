"""Printing results: one JSON object with --json, short human lines otherwise."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

# Money in this app stays below a trillion: beyond it a value is a typo or an attack,
# and floats stop holding cents exactly not far above.
MAX_AMOUNT = 1e12


def money(text: str) -> float:
    """argparse type for an amount: a finite number from 0 to a trillion. `inf` and
    `nan` parse as floats but would be stored and then printed as invalid JSON."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative")
    if value > MAX_AMOUNT:
        raise argparse.ArgumentTypeError(f"{text!r} is more than a trillion")
    return value


def _finite(value: Any) -> Any:
    """JSON has no Infinity or NaN: a non-finite number (from a database made
    elsewhere) is printed as null rather than as invalid JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def emit(args: Any, payload: dict, human: str) -> None:
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(_finite(payload), ensure_ascii=False, default=str, allow_nan=False) + "\n")
    else:
        sys.stdout.write(human.rstrip("\n") + "\n")
