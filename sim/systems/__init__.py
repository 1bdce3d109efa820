"""The same votes under other voting systems: seat allocations and disproportionality indices."""
