"""``swingometer serve``: the interactive swingometer page (docs/serve.md)."""
