"""The swingometer command line (typer), a thin layer over sim."""

INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT), as shells expect."""
