"""Shared basics: errors, party codes, scopes, packaged resources."""
