"""The Monte Carlo error model of a scenario file (``[uncertainty]``) and uncertain-parameter distributions."""

from __future__ import annotations

import difflib
from typing import Annotated

from pydantic import Field, field_validator, model_validator

from sim.scenario.base import Bound, Strict


class Distribution(Strict):
    """A distribution for an uncertain scenario parameter: give exactly one family."""

    beta: tuple[Bound, Bound] | None = Field(default=None, description="Beta(a, b), for rates")
    normal: tuple[Bound, Bound] | None = Field(default=None, description="Normal(mean, sd)")
    uniform: tuple[Bound, Bound] | None = Field(default=None, description="Uniform(low, high)")
    triangular: tuple[Bound, Bound, Bound] | None = Field(default=None, description="(low, mode, high)")

    @model_validator(mode="after")
    def _one_family(self) -> Distribution:
        given = [name for name in ("beta", "normal", "uniform", "triangular") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of beta = [a, b], normal = [mean, sd], uniform = [low, high], "
                             "triangular = [low, mode, high]")  # fmt: skip
        if self.beta is not None and min(self.beta) <= 0:
            raise ValueError("beta parameters must be positive")
        if self.normal is not None and self.normal[1] <= 0:
            raise ValueError("the normal sd must be positive")
        if self.uniform is not None and not self.uniform[0] < self.uniform[1]:
            raise ValueError("uniform needs low < high")
        if self.triangular is not None and not self.triangular[0] <= self.triangular[1] <= self.triangular[2]:
            raise ValueError("triangular needs low <= mode <= high")
        return self


DEFAULT_NATIONS = {"England": 0.0, "Scotland": 0.146, "Wales": 0.036, "Northern Ireland": 0.023}
"""Default nation error scales, solved by :mod:`sim.backtest.calibrate` so that the centred deviations have each
nation's measured sd (Northern Ireland: the national scale)."""

DEFAULT_SLOPES = {"leave": 0.2, "degree": 0.41, "age65": 0.21}
"""Default random slopes, calibrated with the others by :mod:`sim.backtest.calibrate`."""


class Uncertainty(Strict):
    """Error model for Monte Carlo runs (standard deviations in share points, 0-1).

    Each party's error is the value given times ``sqrt(S(1-S)/0.25)``, S its share where it
    stands. The defaults are fitted to past errors by :mod:`sim.backtest.calibrate` (``swingometer
    backtest --calibrate``); ``docs/model.md`` and ``docs/accuracy.md`` document the fit.
    """

    national: float = Field(default=0.023, ge=0.0, le=0.5, description="national (GB/UK) error per party")
    lead: float | None = Field(
        default=0.045,
        ge=0.0,
        le=0.5,
        description="sd of the lead between the two largest GB parties (final-poll RMS); none: purely zero-sum",
    )
    nation: float | None = Field(
        default=None, ge=0.0, le=0.5, description="one scale for every nation's error (default: each its own, nations)"
    )
    nations: dict[str, Annotated[float, Field(ge=0.0, le=0.5)]] = Field(
        default_factory=lambda: dict(DEFAULT_NATIONS),
        description="error scale per nation (those left out keep their default): deviations from the GB change",
    )

    @field_validator("nations")
    @classmethod
    def _known_nations(cls, value: dict[str, float]) -> dict[str, float]:
        by_key = {n.lower(): n for n in DEFAULT_NATIONS}
        given: dict[str, float] = {}
        for name, scale in value.items():
            nation = by_key.get(name.strip().lower())
            if nation is None:
                close = difflib.get_close_matches(name.strip().lower(), list(by_key), n=1)
                hint = f"; did you mean '{by_key[close[0]]}'?" if close else ""
                raise ValueError(f"unknown nation '{name}'{hint} (nations: {', '.join(DEFAULT_NATIONS)})")
            if nation in given:
                raise ValueError(f"nation '{nation}' is given twice; list each nation once")
            given[nation] = scale
        return {**DEFAULT_NATIONS, **given}

    regional: float = Field(default=0.034, ge=0.0, le=0.5, description="error per party and region")
    contest: float = Field(
        default=0.013,
        ge=0.0,
        le=0.5,
        description="error per party shared by the seats of one contest type (the same top two parties)",
    )
    seat: float = Field(default=0.049, ge=0.0, le=0.5, description="independent seat error")
    slopes: dict[str, Annotated[float, Field(ge=0.0, le=5.0)]] = Field(
        default_factory=lambda: dict(DEFAULT_SLOPES),
        description="sd of a random slope per party on a centred numeric covariate (replaces the default set)",
    )
    parameters: dict[str, Distribution] = Field(
        default_factory=dict, description="scenario parameters by path (e.g. 'steps.0.to.CON') and their distribution"
    )
