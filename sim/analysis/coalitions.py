"""Which combinations of parties reach a majority and an effective majority."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np

from sim.core.parties import PARTIES
from sim.data.election import MAJORITY, N_SEATS, Election
from sim.montecarlo.results import DEPUTY_SPEAKERS, SimulationResult, effective_threshold

if TYPE_CHECKING:
    import pandas as pd

NON_VOTING = ("SPK", "SF")  # the Speaker does not vote; Sinn Fein MPs do not take their seats


def minimal_coalitions(seats: dict[str, int], threshold: int, max_size: int = 5) -> list[tuple[str, ...]]:
    """Minimal winning coalitions: every member is needed to reach ``threshold``.

    Parties are those with seats, less the Speaker and Sinn Fein. Independents and others count
    as one bloc each (``IND``, ``OTH``), as in the results files.
    """
    parties = sorted((p for p, n in seats.items() if n > 0 and p not in NON_VOTING), key=lambda p: -seats[p])
    found: list[tuple[str, ...]] = []
    for size in range(1, min(max_size, len(parties)) + 1):
        for combo in itertools.combinations(parties, size):
            total = sum(seats[p] for p in combo)
            if total >= threshold and all(total - seats[p] < threshold for p in combo):
                found.append(combo)
    return found


def election_coalitions(election: Election, max_size: int = 5) -> pd.DataFrame:
    """Minimal coalitions reaching a majority (326) and an effective majority in a real result."""
    import pandas as pd

    seats = election.seat_totals()
    absent = seats.get("SPK", 0) + seats.get("SF", 0) + DEPUTY_SPEAKERS
    effective = (N_SEATS - absent) // 2 + 1
    rows = []
    for kind, threshold in (("majority", MAJORITY), ("effective majority", effective)):
        for combo in minimal_coalitions(seats, threshold, max_size):
            rows.append({"kind": kind, "threshold": threshold, "parties": "+".join(combo),
                         "seats": sum(seats[p] for p in combo), "size": len(combo)})  # fmt: skip
    frame = pd.DataFrame(rows, columns=["kind", "threshold", "parties", "seats", "size"])
    return frame.sort_values(["kind", "size", "seats"], ascending=[False, True, False]).reset_index(drop=True)


def simulated_coalitions(result: SimulationResult, max_size: int = 3, top: int = 20) -> pd.DataFrame:
    """How often each combination of parties reaches a majority and an effective majority.

    Combinations of up to ``max_size`` of the parties that win seats in the draws (less the
    Speaker and Sinn Fein); the ``top`` most likely by effective majority are kept.
    """
    import pandas as pd

    counts = result.seat_counts
    mean = counts.mean(axis=0)
    parties = [p for p in np.argsort(-mean) if mean[p] >= 0.5 and PARTIES[p] not in NON_VOTING][:10]
    effective = effective_threshold(counts)
    rows = []
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(parties, size):
            seats = counts[:, list(combo)].sum(axis=1)
            rows.append({
                "parties": "+".join(PARTIES[p] for p in combo),
                "mean_seats": float(seats.mean()),
                "p_majority": float((seats >= MAJORITY).mean()),
                "p_effective_majority": float((seats >= effective).mean()),
            })  # fmt: skip
    frame = pd.DataFrame(rows)
    return frame.sort_values(["p_effective_majority", "mean_seats"], ascending=False).head(top).reset_index(drop=True)
