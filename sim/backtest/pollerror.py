"""How far the polls were from the result: the eve-of-poll average against the GB result, every election.

For each general election in the data the GB poll average (:mod:`sim.polls.average`) as of the
day before polling day, read as a ``polls`` step reads it (a party fighting under 90% of GB's
votes scaled to the seats it fought: :mod:`sim.polls.reading`), is compared with the GB result
(Northern Ireland left out, as the polls leave it out). The errors give the Monte Carlo's
national poll error (``uncertainty.national`` and ``lead``): the industry's error once the
average's own variance is taken out, so that a ``polls`` step, which adds its average's variance
back (:func:`sim.montecarlo.groups.poll_variances`), does not count it twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.core.parties import PARTY_INDEX
from sim.data.election import DataDir, Election, load_election
from sim.polls.reading import coverage as fought
from sim.polls.reading import read_shares
from sim.polls.sources import cached_average

EVE = {
    "2010": ("2010-05-05", ("pollbase",)),
    "2015": ("2015-05-06", ("pollbase",)),
    "2017": ("2017-06-07", ("pollbase",)),
    "2019": ("2019-12-11", ("pollbase",)),
    "2024": ("2024-07-03", ("2024-final",)),
}
"""Each election's eve (the day before polling day) and the GB polls read for it."""
MIN_RESULT = 0.01
"""Parties under this GB share at the result are left out of the national error (their error is no guide)."""


@dataclass(frozen=True)
class PollError:
    """One election's eve-of-poll GB average, as the ``polls`` step reads it, against its result (fractions)."""

    election: str
    as_of: str
    polls: int
    average: dict[str, float]
    result: dict[str, float]
    variance: dict[str, float]
    lead_variance: float

    @property
    def error(self) -> dict[str, float]:
        """Average minus result, per party polled (the polls' others left out)."""
        return {p: self.average[p] - self.result[p] for p in self.average if p != "OTH"}

    @property
    def lead_error(self) -> float:
        """The error of the Conservative lead over Labour."""
        return self.error["CON"] - self.error["LAB"]


def poll_errors(data_dir: DataDir = None, elections: tuple[str, ...] = tuple(EVE)) -> list[PollError]:
    """The eve-of-poll GB average against the result for each election (see the module docstring)."""
    out = []
    for election in elections:
        as_of, sources = EVE[election]
        average = cached_average(sources, "GB", as_of, data_dir)
        result = load_election(election, data_dir)
        votes = result.votes[result.gb].sum(axis=0)
        shares = votes / votes.sum()
        parties = [p for p in average.parties if p != "OTH"]
        polled = average.shares()
        read = read_shares(polled, _coverage(result, parties))
        factor = np.array([read[p] / polled[p] if polled[p] > 0 else 1.0 for p in average.parties])
        cov = average.cov * np.outer(factor, factor)  # the read shares' covariance, to first order
        con, lab = average.parties.index("CON"), average.parties.index("LAB")
        out.append(PollError(
            election=election, as_of=as_of, polls=len(average.polls), average=read,
            result={p: float(shares[PARTY_INDEX[p]]) for p in parties},
            variance={p: float(cov[k, k]) for k, p in enumerate(average.parties)},
            lead_variance=float(cov[con, con] + cov[lab, lab] - 2 * cov[con, lab]),
        ))  # fmt: skip
    return out


def _coverage(result: Election, parties: list[str]) -> dict[str, float]:
    """Each party's share of GB votes cast where it stood (the SNP's and Plaid's: of their nation's)."""
    return fought(result.stood, result.valid_votes.astype(float), result.nations, result.gb, parties)


def _scale(share: float) -> float:
    return float(np.sqrt(share * (1.0 - share) / 0.25))


def industry_error(errors: list[PollError]) -> tuple[float, float]:
    """``(national, lead)``: the RMS standardised error per party and the RMS lead error, less the average's own.

    Each party's error (parties over ``MIN_RESULT`` at the result) is divided by the kernel's
    scale at its result share, ``sqrt(s(1-s)/0.25)``; the mean squared error less the mean
    standardised variance of the average is the industry's part (floored at zero).
    """
    sq, var, lead_sq, lead_var = [], [], [], []
    for e in errors:
        for p, err in e.error.items():
            if e.result[p] >= MIN_RESULT:
                sq.append((err / _scale(e.result[p])) ** 2)
                var.append(e.variance[p] / _scale(e.result[p]) ** 2)
        lead_sq.append(e.lead_error**2)
        lead_var.append(e.lead_variance)
    national = float(np.sqrt(max(0.0, float(np.mean(sq) - np.mean(var)))))
    lead = float(np.sqrt(max(0.0, float(np.mean(lead_sq) - np.mean(lead_var)))))
    return national, lead
