"""The pipeline's stages import only from earlier stages (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAGES = (
    ("core", ("sim.core",)),
    ("data", ("sim.data",)),
    ("polls", ("sim.polls",)),
    ("scenario", ("sim.scenario", "sim.provenance")),
    ("projection", ("sim.projection",)),
    ("montecarlo", ("sim.montecarlo",)),
    ("run, backtest, analysis, systems", ("sim.run", "sim.backtest", "sim.analysis", "sim.systems")),
    ("claims, report", ("sim.claims", "sim.report")),
    ("serve", ("sim.serve",)),
    ("cli", ("cli",)),
)
"""The order of the pipeline: core, data, polls, scenario, projection, montecarlo, then run/backtest/analysis/systems,
claims/report, serve (the page), cli (``sim/__init__.py``, the public API's lazy index, sits above them all)."""


def stage(module: str) -> int | None:
    """The stage of a module (None: not part of the project's stages)."""
    for k, (_, prefixes) in enumerate(STAGES):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return k
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> list[tuple[str, bool]]:
    """Every module a file imports, and whether the import is inside a function."""
    tree = ast.parse(path.read_text())
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inside |= {id(sub) for sub in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [(n, id(node) in inside) for n in names if stage(n) is not None or n.startswith("sim")]
        elif isinstance(node, ast.Import):
            found += [(a.name, id(node) in inside) for a in node.names]
    return found


def sources() -> list[Path]:
    return [p for p in [*ROOT.glob("sim/**/*.py"), *ROOT.glob("cli/*.py")] if p != ROOT / "sim" / "__init__.py"]


def test_no_stage_imports_a_later_stage() -> None:
    wrong = []
    for path in sources():
        own = stage(module_name(path))
        assert own is not None, path
        for name, _ in imports(path):
            other = stage(name)
            if other is not None and other > own:
                wrong.append(f"{module_name(path)} ({STAGES[own][0]}) imports {name} ({STAGES[other][0]})")
    assert not wrong, "\n".join(sorted(set(wrong)))


LAZY_ALLOWED = {("sim.run", "sim.montecarlo.simulate")}
"""Library imports made inside a function on purpose: the pipeline loads numba only when it simulates, so
``project`` and ``scenario check`` start without it (about a second)."""


def _allowed(module: str, name: str) -> bool:
    return any(module == m and (name == n or name.startswith(n + ".")) for m, n in LAZY_ALLOWED)


def test_only_the_cli_imports_the_library_lazily() -> None:
    lazy = [
        f"{module_name(path)} imports {name} inside a function"
        for path in sources()
        if not module_name(path).startswith("cli")
        for name, inside in imports(path)
        if inside and stage(name) is not None and not _allowed(module_name(path), name)
    ]
    assert not lazy, "\n".join(sorted(set(lazy)))


def test_the_stage_test_sees_a_lazy_import_of_a_later_stage(tmp_path: Path) -> None:
    """A function-level import of a later stage is caught, as a validation module importing the projection was."""
    bad = ROOT / "sim" / "scenario" / "_stage_probe.py"
    bad.write_text("def f() -> None:\n    from sim.projection.project import project\n")
    try:
        found = imports(bad)
        assert ("sim.projection.project", True) in found
        assert stage("sim.projection.project") > stage(module_name(bad))  # type: ignore[operator]
    finally:
        bad.unlink()
