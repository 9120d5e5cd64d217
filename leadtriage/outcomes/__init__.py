"""Field outcomes back in: a CSV/XLSX from field reps or a CRM report, or one
outcome entered by hand, applied through the lead service."""

from leadtriage.outcomes.parse import (
    OUTCOMES,
    OutcomeRow,
    parse_amount,
    parse_date,
    parse_outcome,
    read_outcomes,
)
from leadtriage.outcomes.service import (
    LOST_REASONS,
    REJECT_REASONS,
    OutcomeReport,
    Problem,
    allowed_outcomes,
    import_outcomes,
    record_outcome,
)

__all__ = [
    "LOST_REASONS", "OUTCOMES", "REJECT_REASONS", "OutcomeReport", "OutcomeRow", "Problem", "allowed_outcomes",
    "import_outcomes", "parse_amount", "parse_date", "parse_outcome", "read_outcomes", "record_outcome",
]
