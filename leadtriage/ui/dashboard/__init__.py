"""The metrics dashboard: sales-cycle starts first, then the funnel, costs, speed to
lead, activity, source quality and the handoffs waiting for field feedback."""

from leadtriage.ui.dashboard.view import DashboardView

__all__ = ["DashboardView"]
