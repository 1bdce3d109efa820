"""Pydantic schema of a scenario file (TOML), version 1.

A scenario names a base election and an ordered list of steps applied seat by seat, plus the
uncertainty used by Monte Carlo runs. ``docs/scenarios.md`` documents every field with examples.
Party codes are the canonical ones (:data:`sim.core.parties.PARTIES`); ``ABSTAIN`` stands for
non-voters where a step moves voters to or from abstention.
"""

from __future__ import annotations

import datetime
import difflib
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Strict(BaseModel):
    """Base for every scenario table: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _number(low: float, high: float) -> Any:
    """A finite float in [low, high]; bools and strings are refused, not coerced."""
    return Field(strict=True, allow_inf_nan=False, ge=low, le=high)


Share = Annotated[float, _number(0.0, 1.0)]
"""A share of valid votes, 0-1."""
Rate = Annotated[float, _number(0.0, 1.0)]
"""A fraction of a group of voters, 0-1."""
ShareChange = Annotated[float, _number(-1.0, 1.0)]
"""A change in share points, -1 to 1."""
Slope = Annotated[float, _number(-10.0, 10.0)]
"""A change per unit of a covariate, -10 to 10."""
Relative = Annotated[float, _number(-1.0, 10.0)]
"""A relative change of a party's vote, -1 (all lost) to 10 (elevenfold)."""
Bound = Annotated[float, _number(-1e6, 1e6)]
"""A covariate bound or a distribution parameter, finite and at most 1e6 in size."""
ABSTAIN = "ABSTAIN"


class SeatFilter(Strict):
    """Which seats a step applies to; every condition given must hold (AND)."""

    scope: list[str] = Field(default_factory=list, description="gb, uk, nations or regions (any of)")
    seats: list[str] = Field(default_factory=list, description="seat names or ONS codes (any of)")
    exclude: list[str] = Field(default_factory=list, description="seats left out")
    winner: list[str] = Field(default_factory=list, description="base-election winner is one of these parties")
    runner_up: list[str] = Field(default_factory=list, description="base-election runner-up is one of these")
    covariates: dict[str, tuple[Bound, Bound]] = Field(
        default_factory=dict, description="numeric covariate within [low, high], e.g. leave = [0.5, 1]"
    )
    categories: dict[str, list[str]] = Field(
        default_factory=dict, description="categorical covariate is one of, e.g. settlement_group = ['town']"
    )

    @field_validator("covariates")
    @classmethod
    def _ranges(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for name, (low, high) in value.items():
            if low > high:
                raise ValueError(f"{name} = [{low:g}, {high:g}] is empty; write [low, high] with low <= high")
        return value


class Geography(Strict):
    """Where a party is strong: another party's shares at an election, or a seat covariate."""

    party: str | None = Field(default=None, description="a party whose shares give the pattern, e.g. UKIP")
    election: str | None = Field(default=None, description="the election of those shares, e.g. 2015")
    covariate: str | None = Field(default=None, description="or a numeric covariate, e.g. leave")

    @model_validator(mode="after")
    def _one_source(self) -> Geography:
        if (self.covariate is None) == (self.party is None or self.election is None):
            raise ValueError(
                "give either party and election (like = { party = 'UKIP', election = '2015' }) "
                "or a covariate (like = { covariate = 'leave' })"
            )
        return self


class Candidacy(Strict):
    """A party made to stand in every seat of the step's scope (or the seats named), with a geography."""

    seats: list[str] = Field(default_factory=list, description="seat names or ONS codes (default: every seat)")
    like: Geography = Field(description="its starting shares follow this pattern")


class SharesStep(Strict):
    """Move the scope's vote shares to target values by a swing method."""

    kind: Literal["shares"]
    method: Literal["uniform", "proportional", "stm", "linked", "multiparty"] = "uniform"
    scope: str = Field(default="gb", description="'gb', 'uk', a nation or a region")
    shares: dict[str, Share] = Field(description="target share of valid votes per party (0-1)")
    others: Literal["keep", "proportional"] = Field(
        default="keep",
        description="parties without a target: keep their shares, the targets' remainder spread by the "
        "step's method (keep), or share the remainder in proportion to their shares (proportional)",
    )
    stand: dict[str, Candidacy] = Field(
        default_factory=dict, description="parties made to stand everywhere in the scope, with a starting geography"
    )
    leave_slope: dict[str, Annotated[float, _number(-1.0, 1.0)]] = Field(
        default_factory=dict,
        description="linked and multiparty only: between-region Leave slope per party (change in share per unit "
        "of a region's "
        "Leave share), e.g. { CON = 0.10, LAB = -0.05 }; without it the Leave term is off",
    )
    retiring: list[str] = Field(
        default_factory=list, description="linked and multiparty only: seats (names or ONS codes) whose MP stands down"
    )

    @model_validator(mode="after")
    def _linked_fields(self) -> SharesStep:
        for name in ("leave_slope", "retiring"):
            if getattr(self, name) and self.method not in ("linked", "multiparty"):
                raise ValueError(
                    f"{name} is used by the linked and multiparty models only; "
                    f"set method = 'multiparty' or remove {name}"
                )
        return self

    @field_validator("shares")
    @classmethod
    def _not_empty(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one party's target share, e.g. shares = { CON = 0.40 }")
        if sum(value.values()) > 1.0 + 1e-9:
            raise ValueError(f"target shares add up to {sum(value.values()):.4f}, more than 1")
        return value


class FlowsStep(Strict):
    """Move fractions of one party's voters (or of non-voters) to other parties or abstention."""

    kind: Literal["flows"]
    from_: str = Field(alias="from", description="party whose voters move, or ABSTAIN for non-voters")
    to: dict[str, Rate] = Field(description="fraction of from's voters going to each party or ABSTAIN")
    where: SeatFilter = Field(default_factory=SeatFilter)
    scale_by: str | None = Field(
        default=None, description="numeric covariate: each seat's rates are multiplied by x / mean(x)"
    )
    if_absent: Literal["stay", "abstain"] = Field(
        default="stay", description="voters bound for a party that does not stand: stay put or abstain"
    )

    @field_validator("to")
    @classmethod
    def _rates(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("give at least one destination, e.g. to = { CON = 0.5 }")
        if sum(value.values()) > 1.0 + 1e-9:
            raise ValueError(f"fractions add up to {sum(value.values()):.4f}; they cannot exceed 1")
        return value


class CovariateSwingStep(Strict):
    """A party's swing as a linear function of a seat covariate, the scope total held."""

    kind: Literal["covariate_swing"]
    party: str
    covariate: str = Field(description="numeric covariate (leave, degree, ...) or categorical (settlement_group)")
    slope: Slope | None = Field(default=None, description="change in share per unit of a numeric covariate")
    levels: dict[str, ShareChange] = Field(
        default_factory=dict, description="change in share per level of a categorical covariate"
    )
    change: ShareChange = Field(default=0.0, description="net change of the party's scope share")
    scope: str = "gb"

    @model_validator(mode="after")
    def _one_effect(self) -> CovariateSwingStep:
        if (self.slope is None) == (not self.levels):
            raise ValueError("give either slope (numeric covariate) or levels (categorical covariate)")
        return self


class PactStep(Strict):
    """Parties stand aside for each other: one candidate per seat, chosen by a rule."""

    kind: Literal["pact"]
    members: list[str] = Field(min_length=2)
    rule: Literal["best_placed"] = "best_placed"
    where: SeatFilter = Field(default_factory=SeatFilter)
    candidates: dict[str, str] = Field(default_factory=dict, description="seat -> the member that stands there")
    only_stand_down: list[str] = Field(
        default_factory=list, description="if given, only these members ever stand down (a one-sided pact)"
    )
    transfer: Rate | dict[str, Rate] = Field(
        default=0.7, description="fraction of a stood-down party's voters who vote for the pact candidate"
    )
    to_others: Rate | dict[str, Rate] = Field(
        default=0.15, description="fraction who go to the other parties, in proportion to their votes"
    )

    @model_validator(mode="after")
    def _fractions(self) -> PactStep:
        for party in self.members:
            t = self.transfer.get(party, 0.0) if isinstance(self.transfer, dict) else self.transfer
            o = self.to_others.get(party, 0.0) if isinstance(self.to_others, dict) else self.to_others
            if t + o > 1.0 + 1e-9:
                raise ValueError(f"transfer + to_others for {party} is {t + o:.3f}; the rest abstains, so keep it <= 1")
        return self


class TacticalStep(Strict):
    """A share of a party's voters switch to their best-placed preferred party when theirs cannot win."""

    kind: Literal["tactical"]
    party: str = Field(description="the voters who may switch")
    prefer: list[str] = Field(min_length=1, description="parties they would switch to")
    rate: Rate
    against: str | None = Field(default=None, description="only where this party is in the top two")
    where: SeatFilter = Field(default_factory=SeatFilter)


class TurnoutStep(Strict):
    """Differential turnout: each party's voters turn out more or less (to or from abstention)."""

    kind: Literal["turnout"]
    parties: dict[str, Relative] = Field(description="relative change of each party's vote, e.g. LAB = -0.05")
    covariate: str | None = Field(default=None, description="numeric covariate that scales the change")
    slope: Slope = Field(default=0.0, description="extra relative change per unit of covariate above its mean")
    where: SeatFilter = Field(default_factory=SeatFilter)

    @field_validator("parties")
    @classmethod
    def _changes(cls, value: dict[str, float]) -> dict[str, float]:
        for party, change in value.items():
            if change < -1.0:
                raise ValueError(f"{party}: a party cannot lose more than all its voters (change >= -1)")
        return value


class OverrideStep(Strict):
    """Per-seat changes: a party stands or withdraws, set shares, or take a by-election result."""

    kind: Literal["override"]
    seats: list[str] = Field(default_factory=list, description="seat names or ONS codes")
    where: SeatFilter | None = Field(default=None, description="or: every seat matching a filter")
    stand: list[str] = Field(default_factory=list, description="parties that now stand (with no votes yet)")
    withdraw: list[str] = Field(default_factory=list, description="parties that stand down")
    withdrawn_to: Literal["others", "abstain"] = "others"
    shares: dict[str, Share] = Field(default_factory=dict, description="set the seat's shares directly")
    by_election: str | None = Field(default=None, description="date (YYYY-MM-DD) of a by-election to use")

    @model_validator(mode="after")
    def _some_seats(self) -> OverrideStep:
        if not self.seats and self.where is None:
            raise ValueError("name the seats (seats = ['Hartlepool']) or give a filter (where = { scope = ['gb'] })")
        if sum(self.shares.values()) > 1.0 + 1e-9:
            raise ValueError(f"shares add up to {sum(self.shares.values()):.4f}, more than 1; lower them")
        if self.by_election is not None:
            try:
                datetime.date.fromisoformat(self.by_election)
            except ValueError:
                raise ValueError(f"by_election '{self.by_election}' is not a date; write YYYY-MM-DD") from None
        return self


class MergeStep(Strict):
    """Treat several parties as one (votes added, standing wherever any stood)."""

    kind: Literal["merge"]
    parties: list[str] = Field(min_length=2)
    into: str


Step = Annotated[
    SharesStep | FlowsStep | CovariateSwingStep | PactStep | TacticalStep | TurnoutStep | OverrideStep | MergeStep,
    Field(discriminator="kind"),
]

STEP_MODELS: dict[str, type[BaseModel]] = {
    "shares": SharesStep,
    "flows": FlowsStep,
    "covariate_swing": CovariateSwingStep,
    "pact": PactStep,
    "tactical": TacticalStep,
    "turnout": TurnoutStep,
    "override": OverrideStep,
    "merge": MergeStep,
}
"""Step model per ``kind`` value."""


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


DEFAULT_NATIONS = {"England": 0.0, "Scotland": 0.146, "Wales": 0.036, "Northern Ireland": 0.032}
"""Default nation error scales, solved by :mod:`sim.backtest.calibrate` so that the centred deviations have each
nation's measured sd (Northern Ireland: the national scale)."""

DEFAULT_SLOPES = {"leave": 0.24, "degree": 0.44, "age65": 0.27}
"""Default random slopes, calibrated with the others by :mod:`sim.backtest.calibrate`."""


class Uncertainty(Strict):
    """Error model for Monte Carlo runs (standard deviations in share points, 0-1).

    Each party's error is the value given times ``sqrt(S(1-S)/0.25)``, S its share where it
    stands. The defaults are fitted to past errors by :mod:`sim.backtest.calibrate` (``swingometer
    backtest --calibrate``); ``docs/model.md`` and ``docs/accuracy.md`` document the fit.
    """

    national: float = Field(default=0.032, ge=0.0, le=0.5, description="national (GB/UK) error per party")
    lead: float | None = Field(
        default=0.037,
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
        default=0.018,
        ge=0.0,
        le=0.5,
        description="error per party shared by the seats of one contest type (the same top two parties)",
    )
    seat: float = Field(default=0.054, ge=0.0, le=0.5, description="independent seat error")
    slopes: dict[str, Annotated[float, Field(ge=0.0, le=5.0)]] = Field(
        default_factory=lambda: dict(DEFAULT_SLOPES),
        description="sd of a random slope per party on a centred numeric covariate (replaces the default set)",
    )
    parameters: dict[str, Distribution] = Field(
        default_factory=dict, description="scenario parameters by path (e.g. 'steps.0.to.CON') and their distribution"
    )


class Scenario(Strict):
    """A scenario file."""

    schema_: Literal[1] = Field(alias="schema", description="schema version: 1")
    name: str = ""
    description: str = ""
    base: str = Field(description="base election: 2010, 2015, 2017, 2019, 2024 or 2019-notional")
    steps: list[Step] = Field(default_factory=list)
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    claim: dict[str, str] = Field(default_factory=dict, description="for essay claims: essay, quote, test")
