"""Metrics: the funnel, sales-cycle starts, costs, speed to lead, activity and
follow-up accountability, computed from small trigger-maintained cubes (no Qt)."""

from leadtriage.metrics.compute import (
    GROUPINGS,
    STAGE_LABELS,
    STAGES,
    ActivityRow,
    Dashboard,
    GroupStats,
    SpeedToLead,
    WeekPoint,
    compute,
    first_lead_day,
    stats_payload,
)
from leadtriage.metrics.followup import (
    FollowUp,
    RepFollowUps,
    business_days_between,
    needs_follow_up,
)
from leadtriage.metrics.period import Period, custom, parse_day, preset

__all__ = [
    "GROUPINGS", "STAGES", "STAGE_LABELS", "ActivityRow", "Dashboard", "FollowUp", "GroupStats", "Period", "RepFollowUps",
    "SpeedToLead", "WeekPoint", "business_days_between", "compute", "custom", "first_lead_day", "needs_follow_up", "parse_day",
    "preset", "stats_payload",
]
