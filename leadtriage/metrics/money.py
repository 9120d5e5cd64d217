"""Costs as the rep reads them: always with the currency of the `currency` setting."""

from __future__ import annotations


def format_money(amount: float | None, currency: str = "", *, decimals: int = 2) -> str:
    """'USD 1,234.50'; '—' for no value (a cost per nothing); the bare number when no
    currency is set."""
    if amount is None:
        return "—"
    number = f"{amount:,.{decimals}f}"
    return f"{currency} {number}" if currency else number
