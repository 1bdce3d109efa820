"""Groups of seats whose errors are shared, and the scales the scenario gives them.

Contest types (seats typed by their projected top two parties), the nations a scenario sets
shares for, each nation's error scale, and the poll averages' variances a polls step carries.
"""

from __future__ import annotations

import numpy as np

from sim.core.parties import PARTIES, PARTY_INDEX
from sim.data.model import NATIONS
from sim.projection.project import Projection
from sim.scenario.schema import Scenario, SharesStep, Uncertainty

MIN_CONTEST_SEATS = 10
"""Contest types with fewer seats are pooled (:func:`contest_types`)."""


def poll_variances(projection: Projection) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each poll average a polls step used, by scope: its share variance per party and covariance.

    On the party axis (``GB``, a nation or ``London`` as keys); the polls' others are left out:
    they are no one party.
    """
    out = {}
    for _, average in projection.polls:
        n = len(PARTIES)
        idx = [PARTY_INDEX[p] if p != "OTH" else -1 for p in average.parties]
        cov = np.zeros((n, n))
        for a, i in enumerate(idx):
            for b, j in enumerate(idx):
                if i >= 0 and j >= 0:
                    cov[i, j] = average.cov[a, b]
        out[average.scope] = (np.diag(cov).copy(), cov)
    return out


def contest_types(projection: Projection) -> tuple[np.ndarray, list[str]]:
    """Each seat's contest type, its projected top two parties (``"CON/LAB"``), and the type names.

    Types with fewer than ``MIN_CONTEST_SEATS`` seats are pooled (``"other"``, ``"other NI"``):
    Northern Ireland's seats are typed apart from Great Britain's.
    """
    return contest_of(projection.shares * projection.lead * projection.stood, projection.election.nations)


def contest_of(scores: np.ndarray, nations: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Contest types from candidate scores ``(n_seats, n_parties)`` (see :func:`contest_types`)."""
    order = np.argsort(-scores, axis=1, kind="stable")[:, :2]
    ni = nations == "Northern Ireland"
    labels = np.array(["/".join(sorted((PARTIES[a], PARTIES[b]))) for a, b in order], dtype=object)
    labels[ni] = "NI " + labels[ni]
    found, counts = np.unique(labels, return_counts=True)
    small = set(found[counts < MIN_CONTEST_SEATS])
    pooled = [("other NI" if s.startswith("NI") else "other") if s in small else str(s) for s in labels]
    names = sorted(set(pooled))
    index = {n: k for k, n in enumerate(names)}
    return np.array([index[s] for s in pooled], dtype=np.int64), names


def nations_set_by(scenario: Scenario) -> frozenset[str]:
    """The nations a scenario gives shares for in a ``shares`` step scoped to (or with an area for) the nation."""
    by_key = {n.lower(): n for n in NATIONS}
    names = [name for step in scenario.steps if isinstance(step, SharesStep)
             for name in ([step.scope_name] if step.shares else list(step.areas))]  # fmt: skip
    return frozenset(by_key[n.strip().lower()] for n in names if n.strip().lower() in by_key)


def nation_scale(unc: Uncertainty, nation: str) -> float:
    """The nation error's scale for one nation: ``nation`` if the scenario sets it, else the nation's own."""
    if unc.nation is not None:
        return float(unc.nation)
    return float(unc.nations.get(nation, 0.0))
