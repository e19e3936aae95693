"""The layering is a contract: import-linter's contracts (pyproject.toml) hold, and no module of `bot` imports
itself back through others, not even inside a function."""

from __future__ import annotations

import subprocess
import sys
from collections import deque
from pathlib import Path

import grimp

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# `lint-imports` itself, run by this environment's interpreter (so the venv's import-linter reads this checkout).
LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"


def test_import_linter_contracts_are_kept() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _reachable(graph: grimp.ImportGraph, start: str) -> set[str]:
    """Every module `start` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        for imported in graph.find_modules_directly_imported_by(todo.pop()):
            if imported not in seen:
                seen.add(imported)
                todo.append(imported)
    return seen


def _cycle_through(graph: grimp.ImportGraph, module: str, within: set[str]) -> list[str]:
    """A shortest chain of imports from `module` back to itself, inside its strongly connected component."""
    came_from: dict[str, str] = {}
    queue = deque([module])
    while queue:
        current = queue.popleft()
        for imported in sorted(graph.find_modules_directly_imported_by(current) & within):
            if imported == module:
                chain = [current]
                while chain[-1] != module:
                    chain.append(came_from[chain[-1]])
                return [module, *reversed(chain[:-1]), module]
            if imported not in came_from:
                came_from[imported] = current
                queue.append(imported)
    return [module]


def import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One import cycle per strongly connected component of more than one module, each as a chain of imports."""
    reach = {module: _reachable(graph, module) for module in sorted(graph.modules)}
    cycles: list[list[str]] = []
    placed: set[str] = set()
    for module, reached in reach.items():
        if module in placed:
            continue
        component = {other for other in reached if module in reach[other]} | {module}
        placed |= component
        if len(component) > 1:
            cycles.append(_cycle_through(graph, module, component))
    return cycles


def test_no_import_cycles_among_bot_modules() -> None:
    # grimp counts imports inside functions and under TYPE_CHECKING too: a cycle hidden there is still a cycle.
    graph = grimp.build_graph("bot", cache_dir=None)
    cycles = import_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)
