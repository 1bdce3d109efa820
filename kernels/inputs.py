"""The kernel's inputs: typed tuples of arrays, built by :mod:`sim.montecarlo.simulate`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class ErrorGroups(NamedTuple):
    """Errors shared by the seats of a group (the nation, each nation, each region).

    See :func:`kernels.terms._zero_sum_errors`.

    Every field is ``(n_groups, n_parties)`` float64 but ``parent``, ``(n_groups,)`` int64.
    """

    sigma: np.ndarray
    weight: np.ndarray
    cover: np.ndarray
    parent: np.ndarray
    group_weight: np.ndarray
    factor: np.ndarray


class KernelInputs(NamedTuple):
    """Everything :func:`simulate_seats` reads, in one typed object (built by :mod:`sim.montecarlo.simulate`).

    Attributes
    ----------
    cand_share, cand_lead : (n_candidacies,) float64
        Projected share, and the leading candidate's fraction of a pooled party's vote, per
        candidacy. Seat ``i``'s candidacies are ``cand_ptr[i]:cand_ptr[i + 1]``, in descending
        order of share; ``cand_idx`` gives each one's party.
    cand_ptr : (n_seats + 1,) int64 and cand_idx : (n_candidacies,) int64
    region, seat_contest : (n_seats,) int64 and region_nation : (n_regions,) int64
        Each seat's region and contest type (its projected top two), and each region's nation.
    nat, nation, reg, contest : ErrorGroups
        The national (one group), nation, region and contest-type errors (:func:`kernels.terms._zero_sum_errors`).
    cov : (n_covariates, n_seats) float64 and slope_sigma : (n_covariates, n_parties) float64
        Covariates for slope errors, centred within region (0 where missing), and the slopes' sds.
    quantiles : (n_params, n_q), centre : (n_params,), cand_sens : (n_params, n_candidacies)
        Uncertain scenario parameters: inverse-CDF tables, projection value, sensitivities.
    seat_sigma : (n_parties,) float64
    gb_base : (n_parties,) float64, slope_agg : (n_covariates, n_parties), sens_agg : (n_params, n_parties)
        The projected GB shares, and the GB-share effect of a unit slope or parameter deviation.
    seat_votes : (n_seats,) float64
        Each seat's projected votes cast: the weight of its shares in a region's votes (only read
        when the kernel returns regional votes, for other voting systems).

    """

    cand_share: np.ndarray
    cand_lead: np.ndarray
    cand_ptr: np.ndarray
    cand_idx: np.ndarray
    region: np.ndarray
    region_nation: np.ndarray
    seat_contest: np.ndarray
    nat: ErrorGroups
    nation: ErrorGroups
    reg: ErrorGroups
    contest: ErrorGroups
    cov: np.ndarray
    slope_sigma: np.ndarray
    quantiles: np.ndarray
    centre: np.ndarray
    cand_sens: np.ndarray
    seat_sigma: np.ndarray
    gb_base: np.ndarray
    slope_agg: np.ndarray
    sens_agg: np.ndarray
    seat_votes: np.ndarray
