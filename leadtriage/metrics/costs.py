"""How spend is attributed to leads (so cost per qualified lead and per opportunity
add up and nothing is counted twice).

* A batch's cost (`import_batches.cost`) is spread evenly over the leads that batch
  brought in (`leads.batch_id`). Undone batches are left out.
* A campaign's cost (`campaigns.cost`) is its *total* spend. Batches that name the
  campaign are parts of that spend, so only the remainder
  `max(0, campaign cost - sum of its batches' costs)` is added on top, spread evenly
  over all the campaign's leads (`leads.campaign`). Total campaign spend is therefore
  `max(campaign cost, sum of its batch costs)`, never the two added together.
* Each lead thus carries a unit cost; a period's cost for a group is the sum of the
  unit costs of the leads created in that period in that group. Spend that no lead
  can carry (a batch or campaign with no leads left) is reported as unattributed.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field


@dataclass
class CostModel:
    per_batch: dict[int, float] = field(default_factory=dict)  # unit cost per lead of a batch
    per_campaign: dict[str, float] = field(default_factory=dict)  # unit remainder per lead of a campaign
    total_spend: float = 0.0
    unattributed: float = 0.0

    def unit(self, batch_id: int, campaign: str) -> float:
        return self.per_batch.get(batch_id, 0.0) + self.per_campaign.get(campaign, 0.0)


def cost_model(conn: sqlite3.Connection, leads_per_batch: dict[int, int], leads_per_campaign: dict[str, int]) -> CostModel:
    """`leads_per_*` are all-time lead counts (the denominators of the unit costs)."""
    model = CostModel()
    batch_cost_by_campaign: dict[str, float] = {}
    for batch_id, cost, campaign in conn.execute(
        "SELECT id, coalesce(cost, 0), coalesce(campaign, '') FROM import_batches WHERE undone_at IS NULL"
    ):
        cost = float(cost or 0)
        if cost <= 0:
            continue
        batch_cost_by_campaign[campaign] = batch_cost_by_campaign.get(campaign, 0.0) + cost
        model.total_spend += cost
        n = leads_per_batch.get(batch_id, 0)
        if n:
            model.per_batch[batch_id] = cost / n
        else:
            model.unattributed += cost
    for name, cost in conn.execute("SELECT name, coalesce(cost, 0) FROM campaigns"):
        remainder = max(0.0, float(cost or 0) - batch_cost_by_campaign.get(name, 0.0))
        if remainder <= 0:
            continue
        model.total_spend += remainder
        n = leads_per_campaign.get(name, 0)
        if n:
            model.per_campaign[name] = remainder / n
        else:
            model.unattributed += remainder
    return model
