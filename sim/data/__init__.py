"""Data layer: registry, download and verification, readers, the Election object."""
