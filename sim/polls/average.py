"""The poll average as of a date: a local-level Kalman filter and smoother in additive log-ratio space.

For one scope (GB, Scotland, Wales or London) the polls with fieldwork ended by ``as_of`` and
their fieldwork's middle day within ``window`` days of it are modelled as (``docs/model.md``,
"The poll average")::

    y_k = mu(t_k) + h_pollster(k) + e_k,      mu(t + dt) = mu(t) + N(0, dt * drift^2 * M)

- ``y_k`` the poll's additive log-ratios ``log(share_p / share_ref)``, against a reference party
  every poll reports (the largest such); a party the poll did not report is a missing component,
  and "others" (``OTH``: 100 less the tracked parties, whatever a poll's own "others" column says)
  only counts where the poll reports every tracked party. A party is tracked when at least half
  the polls of the last 30 days report it; the shares of the rest count among the others;
- ``M = I + 11'``: a random walk isotropic over the parties (the same for any reference party);
- ``h`` the pollsters' house effects, constant over the window, a priori ``N(0, house^2 M)`` each
  and summing to zero over the pollsters in the window (so the average is of the pollsters, not
  of the polls: a firm polling daily does not pull it to its house view);
- ``e_k ~ N(0, R_k)``: multinomial sampling error for the poll's sample size (capped at
  ``sample_cap``; a poll without one, as in PollBase, counts ``nominal_sample``) at the predicted
  shares, plus ``noise^2 M`` for everything else, and inflated by ``m / per_week`` when the
  pollster has ``m > per_week`` polls in the seven days to this one (a cap on any one pollster's
  volume: its polls share one panel and one method, so their errors are not independent).

Shares below ``floor`` percent (a published 0 means under half a point) are read as ``floor``.
The average is the level at ``as_of`` (filtered: it uses no later poll), its covariance the
filter's; shares are the inverse log-ratio of the mean, their 90% intervals the 5th and 95th
percentiles of 20,000 draws from it (a fixed seed: the same output every run).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.core.errors import DataError
from sim.polls.kalman import Filtered, filter_smooth, initial
from sim.polls.table import PARTY_CODES, SCOPES

if TYPE_CHECKING:
    import pandas as pd

DRAWS = 20_000
CURRENT = 0.5
CURRENT_DAYS = 30
"""A party is tracked if at least ``CURRENT`` of the polls in the last ``CURRENT_DAYS`` days report it; the
others' shares count among the others (``OTH``)."""
INTERVAL = (0.05, 0.95)


@dataclass(frozen=True)
class Settings:
    """The average's parameters (log-ratio units; defaults fitted by maximum likelihood, ``docs/model.md``)."""

    drift: float = 0.028
    """sd per day of the level's random walk, per party (in the isotropic metric ``M``)."""
    noise: float = 0.035
    """sd of a poll's non-sampling error, per party."""
    house: float = 0.14
    """prior sd of a pollster's house effect, per party."""
    window: int = 365
    """days of polls before ``as_of`` the average reads."""
    sample_cap: int = 5000
    nominal_sample: int = 1000
    per_week: float = 2.0
    floor: float = 0.25
    """shares (percent) below this are read as this."""


@dataclass(frozen=True, eq=False)
class Average:
    """The poll average of one scope as of a date.

    Attributes
    ----------
    scope, as_of : the scope and the date (``pandas.Timestamp``).
    parties : tuple of str
        The parties tracked, ``OTH`` (everyone else) last where polls leave a remainder.
    share : (K,) float64
        Central estimate of each party's share (fractions adding up to 1).
    cov : (K, K) float64
        Covariance of the shares (delta method from the log-ratio covariance).
    low, high : (K,) float64
        90% interval.
    house : DataFrame
        Pollster x party: each pollster's house effect in points at the average's shares, and its polls.
    trend : DataFrame
        ``date, party, share, low, high`` (smoothed, 90%) at every poll date and ``as_of``.
    polls : DataFrame
        The polls read (poll-table columns), in time order.
    notes : tuple of str

    """

    scope: str
    as_of: pd.Timestamp
    parties: tuple[str, ...]
    share: np.ndarray
    cov: np.ndarray
    low: np.ndarray
    high: np.ndarray
    house: pd.DataFrame
    trend: pd.DataFrame
    polls: pd.DataFrame
    settings: Settings
    loglik: float
    notes: tuple[str, ...] = ()
    alr_mean: np.ndarray = field(default_factory=lambda: np.zeros(0), repr=False)
    alr_cov: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)

    @property
    def sd(self) -> np.ndarray:
        """Each party's share sd."""
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))

    def shares(self) -> dict[str, float]:
        """``{party: share}``."""
        return {p: float(v) for p, v in zip(self.parties, self.share, strict=True)}

    def to_frame(self) -> pd.DataFrame:
        """One row per party: ``share, low, high, sd`` (fractions)."""
        import pandas as pd

        return pd.DataFrame(
            {"share": self.share, "low": self.low, "high": self.high, "sd": self.sd},
            index=pd.Index(self.parties, name="party"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The average as JSON-ready data (what ``polls --json`` writes per scope)."""
        return {
            "as_of": str(self.as_of.date()),
            "polls": len(self.polls),
            "first_poll": str(self.polls["fieldwork_start"].min().date()),
            "last_poll": str(self.polls["fieldwork_end"].max().date()),
            "parties": {
                p: {"mean": round(float(m), 6), "low": round(float(lo), 6), "high": round(float(hi), 6)}
                for p, m, lo, hi in zip(self.parties, self.share, self.low, self.high, strict=True)
            },
            "house_effects_points": {
                str(pollster): {p: round(float(row[p]), 3) for p in self.parties}
                for pollster, row in self.house.iterrows()
            },
            "notes": list(self.notes),
        }


def alr(shares: np.ndarray) -> np.ndarray:
    """Additive log-ratios against the last column."""
    return np.log(shares[..., :-1]) - np.log(shares[..., -1:])


def alr_inverse(y: np.ndarray) -> np.ndarray:
    """Shares from additive log-ratios (the reference last)."""
    full = np.concatenate([y, np.zeros((*y.shape[:-1], 1))], axis=-1)
    full = np.exp(full - full.max(axis=-1, keepdims=True))
    return full / full.sum(axis=-1, keepdims=True)


def jacobian(shares: np.ndarray) -> np.ndarray:
    """``d shares / d log-ratios`` at ``shares`` (reference last): ``(K, K-1)``."""
    k = shares.size
    out = -np.outer(shares, shares[:-1])
    out[np.arange(k - 1), np.arange(k - 1)] += shares[:-1]
    return out


def isotropic(d: int) -> np.ndarray:
    """``M = I + 11'``: the log-ratio covariance of independent, equal changes in every party's log share."""
    return np.eye(d) + np.ones((d, d))


def scope_polls(polls: pd.DataFrame, scope: str, as_of: pd.Timestamp, window: int) -> pd.DataFrame:
    """The scope's polls with fieldwork ended by ``as_of`` and middle day within ``window`` days, in time order."""
    import pandas as pd

    mid = polls["fieldwork_start"] + (polls["fieldwork_end"] - polls["fieldwork_start"]) / 2
    keep = (polls["scope"] == scope) & (polls["fieldwork_end"] <= as_of) & (mid > as_of - pd.Timedelta(days=window))
    out = polls[keep].assign(_mid=mid[keep]).sort_values(["_mid", "pollster"], kind="stable")
    return out.reset_index(drop=True)


def poll_average(
    polls: pd.DataFrame, scope: str, as_of: str | pd.Timestamp, settings: Settings | None = None
) -> Average:
    """The average of ``scope``'s polls as of ``as_of`` (see the module docstring)."""
    import pandas as pd

    settings = settings or Settings()
    as_of = pd.Timestamp(as_of)
    if scope not in SCOPES:
        raise DataError(f"unknown poll scope '{scope}'; choose {', '.join(SCOPES)}")
    frame = scope_polls(polls, scope, as_of, settings.window)
    if frame.empty:
        raise DataError(
            f"no {scope} polls with fieldwork ending on or before {as_of.date()} in the {settings.window} days "
            "before it; choose another date or source"
        )
    notes: list[str] = []
    recent = frame[frame["_mid"] > as_of - pd.Timedelta(days=CURRENT_DAYS)]
    parties = [p for p in PARTY_CODES if p in frame.columns and p != "OTH" and recent[p].notna().mean() >= CURRENT]
    folded = [p for p in PARTY_CODES if p in frame.columns and p not in parties and p != "OTH"]
    if folded:
        frame = frame.assign(**{p: np.nan for p in folded})  # counted among the others
    if not parties:
        raise DataError(
            f"no {scope} polls in the {CURRENT_DAYS} days before {as_of.date()} name a party often enough to average "
            f"(the latest poll in the window ended on {frame['fieldwork_end'].max().date()}); choose a date "
            "closer to the source's polls, or another source"
        )
    counts = frame[parties].notna().sum()
    ref = max(parties, key=lambda p: (counts[p], frame[p].mean()))
    lacking = frame[ref].isna()
    if lacking.any():
        notes.append(f"{int(lacking.sum())} {scope} poll(s) without a {ref} share left out (the reference party)")
        frame = frame[~lacking].reset_index(drop=True)
    values = frame[parties].to_numpy(float)
    complete = ~np.isnan(values).any(axis=1)  # only then is the remainder the others' share
    others = 100.0 - np.nansum(values, axis=1)
    track_others = bool((complete & (others > 0.5)).any())
    tracked = [p for p in parties if p != ref] + (["OTH"] if track_others else []) + [ref]
    table = np.column_stack([values[:, parties.index(p)] if p != "OTH" else np.where(complete, others, np.nan)
                             for p in tracked])  # fmt: skip
    table = np.where(np.isnan(table), np.nan, np.maximum(table, settings.floor))
    y = np.log(table[:, :-1]) - np.log(table[:, -1:])
    fit = _run(frame, y, settings)
    d = y.shape[1]
    t_as_of = _days(as_of)
    mean = fit.filtered_mean[-1][:d]
    cov = fit.filtered_cov[-1][:d, :d] + (t_as_of - fit.times[-1]) * settings.drift**2 * isotropic(d)
    share = alr_inverse(mean)
    jac = jacobian(share)
    draws = alr_inverse(np.random.default_rng(0).multivariate_normal(mean, cov, size=DRAWS, method="cholesky"))
    low, high = np.quantile(draws, INTERVAL, axis=0)
    order = [tracked.index(p) for p in _display_order(tracked)]
    pollsters = list(dict.fromkeys(frame["pollster"]))
    effects = fit.house_effects(fit.filtered_mean[-1])
    house = pd.DataFrame(
        100 * (alr_inverse(mean + effects) - share)[:, order], index=pd.Index(pollsters, name="pollster"),
        columns=[tracked[i] for i in order],
    )  # fmt: skip
    house["polls"] = frame["pollster"].value_counts().reindex(pollsters).to_numpy()
    return Average(
        scope=scope, as_of=as_of, parties=tuple(tracked[i] for i in order), share=share[order],
        cov=(jac @ cov @ jac.T)[np.ix_(order, order)], low=low[order], high=high[order], house=house,
        trend=_trend(fit, frame, tracked, order, as_of, settings), polls=frame.drop(columns="_mid"),
        settings=settings, loglik=fit.loglik, notes=tuple(notes), alr_mean=mean, alr_cov=cov,
    )  # fmt: skip


def _display_order(tracked: list[str]) -> list[str]:
    named = [p for p in PARTY_CODES if p in tracked and p != "OTH"]
    return named + (["OTH"] if "OTH" in tracked else [])


def _days(when: pd.Timestamp | pd.Series) -> Any:
    import pandas as pd

    return (when - pd.Timestamp("2000-01-01")) / pd.Timedelta(days=1)


def _run(frame: pd.DataFrame, y: np.ndarray, settings: Settings) -> Filtered:
    """Filter and smooth the polls' log-ratios ``y`` (rows in ``frame``'s order)."""
    d = y.shape[1]
    m = isotropic(d)
    times = _days(frame["_mid"]).to_numpy(float)
    pollsters = list(dict.fromkeys(frame["pollster"]))
    house = frame["pollster"].map({p: j for j, p in enumerate(pollsters)}).to_numpy()
    size = frame["sample_size"].to_numpy(float)
    n_eff = np.where(np.isnan(size), settings.nominal_sample, np.minimum(size, settings.sample_cap))
    volume = _volume(times, house, settings.per_week)

    def obs_cov(k: int, predicted: np.ndarray) -> np.ndarray:
        s = alr_inverse(predicted)
        sampling = (np.diag(1.0 / s[:-1]) + 1.0 / s[-1]) / n_eff[k]
        return (sampling + settings.noise**2 * m) * volume[k]

    first = y[~np.isnan(y).any(axis=1)][:5]
    start = first.mean(axis=0) if len(first) else np.nan_to_num(np.nanmean(y, axis=0))
    x0, p0 = initial(d, len(pollsters), start, 0.25 * m, settings.house**2 * m)
    return filter_smooth(times, y, house, len(pollsters), obs_cov, settings.drift**2 * m, x0, p0)


def _volume(times: np.ndarray, house: np.ndarray, per_week: float) -> np.ndarray:
    """Each poll's variance inflation: ``m / per_week`` for a pollster's ``m > per_week`` polls in seven days."""
    out = np.ones(times.size)
    for k in range(times.size):
        m = np.sum((house == house[k]) & (times <= times[k]) & (times > times[k] - 7))
        out[k] = max(1.0, m / per_week)
    return out


def _trend(
    fit: Filtered, frame: pd.DataFrame, tracked: list[str], order: list[int], as_of: pd.Timestamp, settings: Settings
) -> pd.DataFrame:
    """The smoothed level at each poll date and at ``as_of`` as shares, with 90% intervals (delta method)."""
    import pandas as pd

    d = fit.d
    dates = list(frame["_mid"].dt.normalize())
    keep = np.r_[np.diff(fit.times) > 0, True]  # the last observation of each time
    means, covs = list(fit.smoothed_mean[keep, :d]), list(fit.smoothed_cov[keep, :d, :d])
    when = [dt for dt, k in zip(dates, keep, strict=True) if k]
    means.append(fit.filtered_mean[-1, :d])
    covs.append(fit.filtered_cov[-1, :d, :d] + (_days(as_of) - fit.times[-1]) * settings.drift**2 * isotropic(d))
    when.append(as_of)
    rows = []
    for dt, mean, cov in zip(when, means, covs, strict=True):
        share = alr_inverse(mean)
        jac = jacobian(share)
        sd = np.sqrt(np.clip(np.diag(jac @ cov @ jac.T), 0.0, None))
        for i in order:
            rows.append((dt, tracked[i], share[i], max(0.0, share[i] - 1.645 * sd[i]), share[i] + 1.645 * sd[i]))
    return pd.DataFrame(rows, columns=["date", "party", "share", "low", "high"])


def fit_settings(polls: pd.DataFrame, scope: str, dates: list[str], start: Settings | None = None) -> Settings:
    """``drift``, ``noise`` and ``house`` by maximum likelihood over the windows ending at ``dates`` (summed).

    Nelder-Mead on their logarithms, from ``start`` (default: the shipped settings); the other
    settings are kept. On PollBase's final years before the elections of 2010 to 2019 it gives the
    shipped defaults (``tests/test_polls.py`` holds them at the maximum).
    """
    from scipy.optimize import minimize

    start = start or Settings()

    def settings(x: np.ndarray) -> Settings:
        return replace(start, drift=float(np.exp(x[0])), noise=float(np.exp(x[1])), house=float(np.exp(x[2])))

    def nll(x: np.ndarray) -> float:
        return -sum(poll_average(polls, scope, d, settings(x)).loglik for d in dates)

    x0 = np.log([start.drift, start.noise, start.house])
    best = minimize(nll, x0, method="Nelder-Mead", options={"xatol": 0.01, "fatol": 0.1, "maxfev": 400})
    return settings(best.x)
