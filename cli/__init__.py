"""The swingometer command line (typer), a thin layer over sim."""
