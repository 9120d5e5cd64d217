"""The settings registry: every setting declared once, with its type, default and label.

Values live in the database's `settings` table (they travel with the rep's data);
window layout lives in QSettings (it belongs to the laptop, not the data). Settings
that name places on this computer (`machine=True`: the brief template folder) live
in `leadtriage.machine_settings`, never in a database that may have come from
someone else. The export folder the app remembers is in QSettings for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    help: str = ""
    machine: bool = False  # a place on this computer: kept out of the database

    def coerce(self, value: Any) -> Any:
        if value is None:
            return self.default
        if self.type is bool:
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if self.type in (list, dict):
            if not isinstance(value, self.type):
                raise ValueError(f"{self.label}: expected a {self.type.__name__}")
            return value
        return self.type(value)


SETTINGS: tuple[Setting, ...] = (
    Setting("rep_name", str, "", "Your name", "Shown on briefs as the rep who qualified the lead."),
    Setting("default_region", str, "US", "Default phone region",
            "Two-letter country used to read phone numbers written without +country code."),
    Setting("calling_hours_start", str, "09:00", "Calling hours start", "In the lead's local time."),
    Setting("calling_hours_end", str, "17:30", "Calling hours end", "In the lead's local time."),
    Setting("working_days", str, "Mon-Fri", "Working days",
            "Next steps and retries fall on these days (yours and the lead's), e.g. Mon-Fri or Sun-Thu."),
    Setting("framework", str, "bant", "Qualification framework"),
    Setting("qualify_threshold", int, 0, "Criteria needed to qualify",
            "0 uses the framework's own threshold."),
    Setting("feedback_days", int, 5, "Flag handoffs without feedback after (business days)"),
    Setting("template_folder", str, "", "Brief template folder",
            "Empty uses the built-in templates. Kept on this computer, never in the database.", machine=True),
    Setting("page_size", str, "", "Brief page size", "A4 or Letter; empty follows the locale."),
    Setting("dispositions", list, [], "Call dispositions", "Empty uses the built-in list."),
    Setting("icp", dict, {}, "Ideal customer profile and score weights", "Empty uses the built-in rules."),
    Setting("currency", str, "USD", "Currency of costs",
            "Three-letter code shown with every cost: import costs, the dashboard, stats, undo."),
    Setting("backup_interval_minutes", int, 30, "Back up while data changes, at most every (minutes)"),
    Setting("cadence_touches_per_week", int, 4, "Touches per lead in any 7 days, at most",
            "Calls, e-mails and LinkedIn messages; a cadence step that would exceed it waits. 0: no limit."),
)

REGISTRY: dict[str, Setting] = {s.key: s for s in SETTINGS}


def get_setting(key: str) -> Setting:
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"unknown setting {key!r}") from None
