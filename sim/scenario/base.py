"""Shared pieces of the scenario schema: the strict base model and the number types."""

from __future__ import annotations

import datetime
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


def check_model_fields(step: Any, names: tuple[str, ...]) -> None:
    """A shares or polls step's fitted-model fields: only with a fitted method; multiparty coefficients complete."""
    for name in names:
        given = getattr(step, name) is not None if name in ("coefficients", "sophomore") else getattr(step, name)
        if given and step.method not in ("linked", "multiparty"):
            raise ValueError(
                f"{name} is used by the linked and multiparty models only; set method = 'multiparty' or remove {name}"
            )
    if step.coefficients is not None and step.coefficients.shared and step.method != "multiparty":
        raise ValueError("coefficients.shared is used by the multiparty model only; remove it or set "
                         "method = 'multiparty'")  # fmt: skip
    if step.method == "multiparty" and step.coefficients is not None:
        missing = [t for t in SHARED_TERMS if t not in step.coefficients.shared]
        extra = [t for t in step.coefficients.shared if t not in SHARED_TERMS]
        if missing or extra:
            raise ValueError(f"coefficients.shared needs exactly {', '.join(SHARED_TERMS)}"
                             + (f" (unknown: {', '.join(extra)})" if extra else ""))  # fmt: skip


def is_date(text: str) -> bool:
    """Whether ``text`` is an ISO date."""
    try:
        return bool(datetime.date.fromisoformat(text))
    except ValueError:
        return False
