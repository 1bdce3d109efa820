"""Shared pieces of the scenario schema: the strict base model and the number types."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    """Base for every scenario table: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def number(low: float, high: float) -> Any:
    """A finite float in [low, high]; bools and strings are refused, not coerced."""
    return Field(strict=True, allow_inf_nan=False, ge=low, le=high)


Share = Annotated[float, number(0.0, 1.0)]
"""A share of valid votes, 0-1."""
Rate = Annotated[float, number(0.0, 1.0)]
"""A fraction of a group of voters, 0-1."""
ShareChange = Annotated[float, number(-1.0, 1.0)]
"""A change in share points, -1 to 1."""
Slope = Annotated[float, number(-10.0, 10.0)]
"""A change per unit of a covariate, -10 to 10."""
Relative = Annotated[float, number(-1.0, 10.0)]
"""A relative change of a party's vote, -1 (all lost) to 10 (elevenfold)."""
Bound = Annotated[float, number(-1e6, 1e6)]
"""A covariate bound or a distribution parameter, finite and at most 1e6 in size."""
Coefficient = Annotated[float, number(-1e3, 1e3)]
"""A fitted model's coefficient, finite."""
SHARED_TERMS = ("collapse", "damping", "tactical", "unionist", "by_election")
"""The multiparty model's shared terms, in coefficient order."""
ABSTAIN = "ABSTAIN"
"""Non-voters, where a step moves voters to or from abstention."""
