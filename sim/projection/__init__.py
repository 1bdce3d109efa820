"""Scenario steps applied seat by seat: swing models, steps, the linked model, seat tables and arithmetic."""
