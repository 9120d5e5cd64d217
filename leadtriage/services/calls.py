"""Call options the rep chooses from: the disposition list (built-in or from the
`dispositions` setting) and the next-step quick picks; and who the acting rep is."""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from leadtriage.domain.dispositions import BY_KEY, DEFAULT_DISPOSITIONS, Disposition
from leadtriage.domain.localtime import DEFAULT_WEEK, WorkWeek, on_working_day
from leadtriage.store.settings import SettingsStore


def acting_rep(settings: SettingsStore) -> str:
    """Who logs an activity when no name was given: the name in Settings as it is now
    (demo data or the Settings dialog may set it after the app started), else this
    computer's login name, the one local user. Every activity carries a rep, so the
    dashboard's activity per rep never shows "(none)" for the rep's own calls."""
    return (settings.get("rep_name") or "").strip() or _login_name()


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):  # no user name in the environment or passwd
        return "me"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "outcome"


def dispositions_from_setting(value: list[Any] | None) -> tuple[Disposition, ...]:
    """The dispositions in force. An empty setting means the built-in list. Each
    entry is either the key or label of a built-in one (keeps its behaviour), or an
    object {key?, label, shortcut?, connected?, conversation?, disqualifies?,
    retry_hours?}. Shortcuts are single letters, unique; missing ones are given
    the first free letter of the label. Raises ValueError with a readable message
    for a list that cannot work."""
    if not value:
        return DEFAULT_DISPOSITIONS
    by_label = {d.label.casefold(): d for d in DEFAULT_DISPOSITIONS}
    picked: list[Disposition] = []
    for i, entry in enumerate(value, start=1):
        if isinstance(entry, str):
            base = BY_KEY.get(entry) or by_label.get(entry.strip().casefold())
            if base is None:
                entry = {"label": entry}
            else:
                picked.append(base)
                continue
        if not isinstance(entry, dict) or not str(entry.get("label", "")).strip():
            raise ValueError(f"Disposition {i}: needs a label.")
        label = str(entry["label"]).strip()
        base = BY_KEY.get(str(entry.get("key", ""))) or by_label.get(label.casefold())
        retry = entry.get("retry_hours", base.retry_hours if base else None)
        picked.append(Disposition(
            key=str(entry.get("key") or (base.key if base else _slug(label))),
            label=label,
            shortcut=str(entry.get("shortcut") or (base.shortcut if base else "")).upper(),
            connected=bool(entry.get("connected", base.connected if base else False)),
            conversation=bool(entry.get("conversation", base.conversation if base else False)),
            disqualifies=entry.get("disqualifies", base.disqualifies if base else None) or None,
            retry_hours=float(retry) if retry is not None else None,
        ))
    used: set[str] = set()
    for d in picked:
        if d.shortcut:
            if len(d.shortcut) != 1 or not d.shortcut.isalpha():
                raise ValueError(f"{d.label}: the shortcut must be one letter.")
            if d.shortcut in used:
                raise ValueError(f"{d.label}: the key {d.shortcut} is already taken.")
            used.add(d.shortcut)
    final = []
    for d in picked:
        if not d.shortcut:
            free = next((c for c in d.label.upper() + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         if c.isalpha() and c not in used), "")
            if not free:
                raise ValueError("Too many dispositions: every letter is taken.")
            used.add(free)
            d = Disposition(d.key, d.label, free, d.connected, d.conversation, d.disqualifies, d.retry_hours)
        final.append(d)
    keys = [d.key for d in final]
    if len(set(keys)) != len(keys):
        raise ValueError("Two dispositions have the same key.")
    return tuple(final)


def disposition_to_setting(d: Disposition) -> dict[str, Any]:
    return {"key": d.key, "label": d.label, "shortcut": d.shortcut, "connected": d.connected,
            "conversation": d.conversation, "disqualifies": d.disqualifies, "retry_hours": d.retry_hours}


@dataclass(frozen=True)
class QuickPick:
    key: str
    label: str
    shortcut: str  # a digit in the call panel


QUICK_PICKS = (
    QuickPick("2h", "In 2 hours", "1"),
    QuickPick("tomorrow", "Next working day 9:00", "2"),
    QuickPick("3d", "In 3 working days", "3"),
    QuickPick("next_week", "Next week", "4"),
)
MORNING = time(9, 0)


def next_step_at(pick: str, now: datetime, week: WorkWeek = DEFAULT_WEEK, lead_tz: tzinfo | None = None) -> datetime:
    """When a quick pick falls, in the rep's local time zone (`now` is aware).
    Day-based picks count working days and land at 9:00; next week is the first
    working day of next week. None falls on a day off for the rep or, when its
    zone is known, the lead."""
    local = now.astimezone()
    if pick == "2h":
        return local + timedelta(hours=2)
    today = local.date()
    if pick == "tomorrow":
        day = week.add(today, 1)
    elif pick == "3d":
        day = week.add(today, 3)
    elif pick == "next_week":
        day = week.roll_forward(today + timedelta(days=7 - local.weekday()))
    else:
        raise ValueError(f"unknown quick pick {pick!r}")
    return on_working_day(at_morning(day), week, lead_tz)


def retry_at(now: datetime, hours: float, week: WorkWeek = DEFAULT_WEEK, lead_tz: tzinfo | None = None) -> datetime:
    """An outcome's usual retry ("No answer": 24 hours on), moved past days off:
    a Friday no-answer is tried again on Monday, not on Sunday."""
    return on_working_day((now + timedelta(hours=hours)).astimezone(), week, lead_tz)


def at_morning(day: date) -> datetime:
    """9:00 local time on `day` (aware)."""
    return datetime.combine(day, MORNING).astimezone()
