"""Pydantic schema of a scenario file (TOML), version 1.

A scenario names a base election and an ordered list of steps applied seat by seat, plus the
uncertainty used by Monte Carlo runs. ``docs/scenarios.md`` documents every field with examples.
Party codes are the canonical ones (:data:`sim.core.parties.PARTIES`); ``ABSTAIN`` stands for
non-voters where a step moves voters to or from abstention.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from sim.core.errors import did_you_mean
from sim.scenario.base import (
    ABSTAIN,
    SHARED_TERMS,
    Bound,
    Coefficient,
    Rate,
    Relative,
    Share,
    ShareChange,
    Slope,
    Strict,
    check_model_fields,
    is_date,
    number,
)
from sim.scenario.uncertainty import DEFAULT_NATIONS, DEFAULT_SLOPES, Distribution, Uncertainty

__all__ = [
    "ABSTAIN", "DEFAULT_NATIONS", "DEFAULT_SLOPES", "SHARED_TERMS", "STEP_MODELS", "CandidaciesStep", "Candidacy",
    "Coefficients", "CovariateSwingStep", "Distribution", "FlowsStep", "Geography", "LayoutStep", "MergeStep",
    "OverrideStep", "PactStep", "PollsStep", "Scenario", "SeatFilter", "SharesStep", "Step", "TacticalStep",
    "TurnoutStep", "Uncertainty",
]  # fmt: skip


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
    from_: list[str] = Field(
        default_factory=list, alias="from",
        description="parties that make room for it, in proportion to their shares (default: every other party)",
    )  # fmt: skip


class Coefficients(Strict):
    """A fitted model's coefficients, given in the file (a backtest writes the ones it fitted)."""

    linked: dict[str, tuple[Coefficient, Coefficient, Coefficient]] = Field(
        description="per party lineage (CON, LAB, LD, GRN, SNP, PC, UKIP): [kappa, sophomore, standing down]"
    )
    shared: dict[str, Coefficient] = Field(
        default_factory=dict,
        description="multiparty only: collapse, damping, tactical, unionist, by_election",
    )


class SharesStep(Strict):
    """Move the scope's vote shares to target values by a swing method."""

    kind: Literal["shares"]
    method: Literal["uniform", "proportional", "stm", "linked", "multiparty"] = "uniform"
    scope: str | None = Field(default=None, description="'gb' (default), 'uk', a nation or a region")
    shares: dict[str, Share] = Field(default_factory=dict, description="target share of valid votes per party (0-1)")
    areas: dict[str, dict[str, Share]] = Field(
        default_factory=dict,
        description="instead of shares: targets per area (nations or regions that together make the step's scope), "
        'e.g. { "North East" = { LAB = 0.40 }, ... }; each area is swung to its own targets',
    )
    coefficients: Coefficients | None = Field(
        default=None, description="linked and multiparty only: the model's coefficients (default: the shipped fit)"
    )
    sophomore: list[str] | None = Field(
        default=None,
        description="linked and multiparty only: seats whose MP, first elected at the base election, stands again "
        "(default: every base winner not already an MP, less the retiring seats)",
    )
    others: Literal["keep", "proportional"] = Field(
        default="keep",
        description="parties without a target: keep their shares, the targets' remainder spread by the "
        "step's method (keep), or share the remainder in proportion to their shares (proportional)",
    )
    stand: dict[str, Candidacy] = Field(
        default_factory=dict, description="parties made to stand everywhere in the scope, with a starting geography"
    )
    leave_slope: dict[str, Annotated[float, number(-1.0, 1.0)]] = Field(
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
        check_model_fields(self, ("leave_slope", "retiring", "coefficients", "sophomore"))
        if bool(self.shares) == bool(self.areas):
            raise ValueError(
                "give target shares for the scope (shares = { CON = 0.40 }) or per area "
                "(areas = { England = { CON = 0.40 }, ... }), not both and not neither"
            )
        if self.areas and self.scope is not None:
            raise ValueError("with areas the step's scope is the areas together; remove scope")
        for where, table in ([("shares", self.shares)] if self.shares else []) + [
            (f"areas.{name}", table) for name, table in self.areas.items()
        ]:
            if not table:
                raise ValueError(f"{where}: give at least one party's target share, e.g. {{ CON = 0.40 }}")
            if sum(table.values()) > 1.0 + 1e-9:
                raise ValueError(f"{where}: target shares add up to {sum(table.values()):.4f}, more than 1")
        return self

    @property
    def scope_name(self) -> str:
        """The step's scope name (``gb`` unless given; the areas' union is described as ``areas``)."""
        return self.scope if self.scope is not None else ("areas" if self.areas else "gb")


POLL_SCOPES = ("gb", "Scotland", "Wales", "London")


class PollsStep(Strict):
    """Set the targets from a poll average as of a date, by a swing method (``docs/scenarios.md``, ``polls``)."""

    kind: Literal["polls"]
    as_of: str = Field(description="the average's date, YYYY-MM-DD: polls with fieldwork ended by then")
    source: str | list[str] = Field(
        description="'pollbase', '2024-final', 'nations-final', or a poll file (relative to the scenario file); "
        "or a list of them"
    )
    scope: str = Field(default="gb", description="'gb', 'Scotland', 'Wales' or 'London'")
    method: Literal["uniform", "proportional", "stm", "linked", "multiparty"] = "multiparty"
    nations: Literal["own", "gb"] = Field(
        default="own",
        description="gb only: 'own' sets Scotland and Wales from their own polls where the source has recent ones; "
        "'gb' from the GB average alone",
    )
    coefficients: Coefficients | None = Field(
        default=None, description="linked and multiparty only: the model's coefficients (default: the shipped fit)"
    )
    sophomore: list[str] | None = Field(default=None, description="linked and multiparty only: as in a shares step")

    @field_validator("scope")
    @classmethod
    def _scope(cls, value: str) -> str:
        scopes = {s.lower(): s for s in POLL_SCOPES}
        if value.strip().lower() not in scopes:
            raise ValueError(f"scope '{value}' is not a poll scope; choose {', '.join(POLL_SCOPES)}"
                             f"{did_you_mean(value, POLL_SCOPES)}")  # fmt: skip
        return scopes[value.strip().lower()]

    @model_validator(mode="after")
    def _fields(self) -> PollsStep:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", self.as_of) or not is_date(self.as_of):
            raise ValueError(f"as_of '{self.as_of}' is not a date; write YYYY-MM-DD, e.g. 2024-07-03")
        if self.nations != "own" and self.scope != "gb":
            raise ValueError(f"nations = '{self.nations}' is for a gb step; remove it")
        if not self.sources or any(not str(x).strip() for x in self.sources):
            raise ValueError("source: name 'pollbase', '2024-final', 'nations-final' or a poll file")
        check_model_fields(self, ("coefficients", "sophomore"))
        return self

    @property
    def sources(self) -> list[str]:
        """The sources as a list."""
        return [self.source] if isinstance(self.source, str) else list(self.source)


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
        # Party codes are canonical here on the second pass (sim.scenario.load.canonical_codes).
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
    withdrawn_to: str = Field(
        default="others",
        description="where withdrawn voters go: 'others' (the parties still standing, in proportion to their votes), "
        "'abstain', 'region' (the parties still standing, in proportion to their shares in the seat's region) "
        "or a party code",
    )
    withdraw_part: dict[str, Rate] = Field(
        default_factory=dict,
        description="the fraction of a pooled party's votes (IND, OTH) whose candidates stand down, "
        "e.g. { IND = 0.4 }; the party keeps standing (at 1, with new candidates only)",
    )
    lead: dict[str, Rate] = Field(
        default_factory=dict,
        description="the largest candidate's fraction of a pooled party's votes after the step (IND, OTH)",
    )
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


class CandidaciesStep(Strict):
    """Stand exactly the candidacies of a named election (on the base's boundaries), people included."""

    kind: Literal["candidacies"]
    election: str = Field(description="the election whose candidacy file decides who stands, e.g. 2024")


class LayoutStep(Strict):
    """Lay out a party's votes across the seats where it stands by a geography, keeping its total per region."""

    kind: Literal["layout"]
    party: str
    like: Geography = Field(description="its shares follow this pattern")
    from_: list[str] = Field(
        default_factory=list, alias="from",
        description="parties that give (or take) the difference in each seat, in proportion to their shares "
        "(default: every other party standing there)",
    )  # fmt: skip
    scope: str = Field(default="gb", description="'gb', 'uk', a nation or a region")
    by: Literal["region", "scope"] = Field(
        default="region", description="keep the party's votes in each region of the scope, or in the scope as a whole"
    )


class MergeStep(Strict):
    """Treat several parties as one (votes added, standing wherever any stood)."""

    kind: Literal["merge"]
    parties: list[str] = Field(min_length=2)
    into: str


Step = Annotated[
    SharesStep
    | PollsStep
    | FlowsStep
    | CovariateSwingStep
    | PactStep
    | TacticalStep
    | TurnoutStep
    | OverrideStep
    | MergeStep
    | CandidaciesStep
    | LayoutStep,
    Field(discriminator="kind"),
]

STEP_MODELS: dict[str, type[BaseModel]] = {
    "shares": SharesStep,
    "polls": PollsStep,
    "flows": FlowsStep,
    "covariate_swing": CovariateSwingStep,
    "pact": PactStep,
    "tactical": TacticalStep,
    "turnout": TurnoutStep,
    "override": OverrideStep,
    "merge": MergeStep,
    "candidacies": CandidaciesStep,
    "layout": LayoutStep,
}
"""Step model per ``kind`` value."""


class Scenario(Strict):
    """A scenario file."""

    schema_: Literal[1] = Field(alias="schema", description="schema version: 1")
    name: str = ""
    description: str = ""
    base: str = Field(description="base election: 2010, 2015, 2017, 2019, 2024 or 2019-notional")
    steps: list[Step] = Field(
        default_factory=list, max_length=1000, description="at most 1,000 (each keeps a copy of the shares)"
    )
    uncertainty: Uncertainty = Field(default_factory=Uncertainty)
    claim: dict[str, str] = Field(default_factory=dict, description="for essay claims: essay, quote, test")
    preferences: dict[str, dict[str, Rate]] = Field(
        default_factory=dict,
        description="AV, AV+ and STV only (swingometer systems): rows of the later-preference matrix replacing the "
        "default's, e.g. { LD = { LAB = 0.5, CON = 0.3, GRN = 0.2 } } (each row rescaled to add up to 1)",
    )
