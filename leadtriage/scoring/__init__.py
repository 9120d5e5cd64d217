"""Explainable lead score: 0-100 with the reasons that make it up.

`score_lead(lead, rules, now)` is pure: the same lead, rules and moment give the
same score, and every point comes with a short chip saying where it came from.
"""

from leadtriage.scoring.rules import DEFAULT_ICP, ScoreRules, rules_from_setting
from leadtriage.scoring.score import Score, score_lead

__all__ = ["DEFAULT_ICP", "Score", "ScoreRules", "rules_from_setting", "score_lead"]
