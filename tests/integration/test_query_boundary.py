"""Every query lives in bot/db/: no other module builds SQL statements or runs them on a session."""

from __future__ import annotations

import ast
from pathlib import Path

import bot

BOT = Path(bot.__file__).parent
STATEMENTS = frozenset({"select", "insert", "update", "delete"})
# Reads and writes through a session; `get` too, since a primary-key lookup is not scoped by team_id.
SESSION_CALLS = frozenset({"execute", "scalar", "scalars", "get", "query"})


def problems(source: str) -> list[str]:
    """Lines that import SQLAlchemy's statement builders or query through a session."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found += [f"line {node.lineno}: imports {a.name}" for a in node.names if a.name in STATEMENTS]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "sqlalchemy" and node.attr in STATEMENTS:
                found.append(f"line {node.lineno}: uses sqlalchemy.{node.attr}")
            elif node.value.id == "session" and node.attr in SESSION_CALLS:
                found.append(f"line {node.lineno}: calls session.{node.attr}")
    return found


def test_the_scan_finds_queries() -> None:
    source = (
        "from sqlalchemy import func, select\n"
        "from sqlalchemy.dialects.sqlite import insert\n"
        "import sqlalchemy\n"
        "def f(session):\n"
        "    session.execute(sqlalchemy.delete(X))\n"
        "    return session.scalars(select(X)), session.get(X, 1)\n"
    )
    assert problems(source) == [
        "line 1: imports select",
        "line 2: imports insert",
        "line 5: calls session.execute",
        "line 5: uses sqlalchemy.delete",
        "line 6: calls session.scalars",
        "line 6: calls session.get",
    ]


def test_no_module_outside_db_queries() -> None:
    modules = [path for path in sorted(BOT.rglob("*.py")) if BOT / "db" not in path.parents]
    assert len(modules) > 50  # the scan really looks at the package
    found = {str(path.relative_to(BOT)): p for path in modules if (p := problems(path.read_text(encoding="utf-8")))}
    assert found == {}
