"""Realistic, deterministic sample data (small for trying the app, huge for benchmarks)."""

from leadtriage.demo.generator import DemoSummary, generate

__all__ = ["DemoSummary", "generate"]
