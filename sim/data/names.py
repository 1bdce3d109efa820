"""Names of the seat covariates (kept apart from the builders, so using them imports no pandas)."""

NUMERIC: tuple[str, ...] = ("leave", "city_share", "town_share", "village_share", "urban", "degree", "age65", "density")
CATEGORICAL: tuple[str, ...] = ("settlement", "settlement_group", "ruc")
COVARIATES: tuple[str, ...] = NUMERIC + CATEGORICAL
