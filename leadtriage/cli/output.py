"""Printing results: one JSON object with --json, short human lines otherwise."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(args: Any, payload: dict, human: str) -> None:
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, default=str) + "\n")
    else:
        sys.stdout.write(human.rstrip("\n") + "\n")
