"""Pydantic schema of a scenario file (TOML), version 1.

A scenario names a base election and an ordered list of steps applied seat by seat, plus the
uncertainty used by Monte Carlo runs. See ``docs/scenarios.md`` for every field with examples.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Strict(BaseModel):
    """Base for every scenario table: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Share = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]


class SharesStep(Strict):
    """Move the scope's vote shares to target values by a swing method."""

    kind: Literal["shares"]
    method: Literal["uniform", "proportional", "stm"] = "uniform"
    scope: str = Field(default="gb", description="'gb', 'uk', a nation or a region")
    shares: dict[str, Share] = Field(description="target share of valid votes per party (0-1)")

    @field_validator("shares")
    @classmethod
    def _not_empty(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one party's target share, e.g. shares = { CON = 0.40 }")
        if sum(value.values()) > 1.0 + 1e-9:
            raise ValueError(f"target shares add up to {sum(value.values()):.4f}, more than 1")
        return value


Step = Annotated[SharesStep, Field(discriminator="kind")]


class Uncertainty(Strict):
    """Error model for Monte Carlo runs (standard deviations in share points, 0-1)."""

    national: float = Field(default=0.02, ge=0.0, le=0.5, description="national error per party")
    regional: float = Field(default=0.01, ge=0.0, le=0.5, description="error per party and region")
    seat: float = Field(default=0.025, ge=0.0, le=0.5, description="independent seat error")


class Scenario(Strict):
    """A scenario file."""

    schema_: Literal[1] = Field(alias="schema", description="schema version: 1")
    name: str = ""
    description: str = ""
    base: str = Field(description="base election: 2010, 2015, 2017, 2019, 2024 or 2019-notional")
    steps: list[Step] = Field(default_factory=list)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)


STEP_MODELS: dict[str, type[BaseModel]] = {"shares": SharesStep}
"""Step model per ``kind`` value."""
