"""Which combinations of parties reach a majority and an effective majority."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.core.errors import SwingometerError, did_you_mean
from sim.core.parties import PARTIES
from sim.data.election import MAJORITY, N_SEATS, Election
from sim.montecarlo.results import SimulationResult
from sim.montecarlo.summary import DEPUTY_SPEAKERS, effective_threshold

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


def simulated_coalitions(
    result: SimulationResult, max_size: int = 3, require: Sequence[str] = (), exclude: Sequence[str] = ()
) -> pd.DataFrame:  # fmt: skip
    """How often each combination of parties governs alone: a minimal winning coalition, draw by draw.

    Combinations of up to ``max_size`` of the parties that win seats in the draws (less the
    Speaker and Sinn Fein; at most the ten largest), with every party in ``require`` and none in
    ``exclude``. Per combination: its mean seats, P(majority), P(effective majority), and
    ``p_minimal``, the share of draws in which it reaches an effective majority **and needs every
    member** (no member superfluous: a larger coalition containing a party that wins alone is not
    counted as that party's win again). Sorted by ``p_minimal``. Every single party and every pair
    is kept (with its probabilities, however small); larger coalitions only where they are ever
    minimal winning.
    """
    import pandas as pd

    counts = result.seat_draws()
    mean = counts.mean(axis=0)
    parties = [p for p in np.argsort(-mean, kind="stable") if mean[p] >= 0.5 and PARTIES[p] not in NON_VOTING][:10]
    names = {PARTIES[p] for p in parties}
    for code in (*require, *exclude):
        if code not in names:
            raise SwingometerError(
                f"--require/--exclude {code}: not one of the parties winning seats here ({', '.join(sorted(names))})"
                f"{did_you_mean(code, sorted(names))}"
            )
    if set(require) & set(exclude):
        raise SwingometerError(f"{', '.join(sorted(set(require) & set(exclude)))} is both required and excluded")
    effective = effective_threshold(counts)
    rows = []
    for size in range(1, max_size + 1):
        for combo in itertools.combinations(parties, size):
            codes = {PARTIES[p] for p in combo}
            if not set(require) <= codes or codes & set(exclude):
                continue
            seats = counts[:, list(combo)].sum(axis=1)
            reach = seats >= effective
            minimal = reach & np.all([seats - counts[:, p] < effective for p in combo], axis=0)
            if size > 2 and not minimal.any():
                continue
            rows.append({
                "parties": "+".join(PARTIES[p] for p in combo), "size": size,
                "mean_seats": round(float(seats.mean()), 1), "p_majority": float((seats >= MAJORITY).mean()),
                "p_effective_majority": float(reach.mean()), "p_minimal": float(minimal.mean()),
            })  # fmt: skip
    frame = pd.DataFrame(rows, columns=["parties", "size", "mean_seats", "p_majority", "p_effective_majority",
                                        "p_minimal"])  # fmt: skip
    return frame.sort_values(["p_minimal", "size", "mean_seats"], ascending=[False, True, False]).reset_index(drop=True)
