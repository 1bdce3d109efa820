"""Swingometer library: data, scenarios, projections and simulations for UK general elections."""
