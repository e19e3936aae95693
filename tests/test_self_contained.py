"""The repository is self-contained: nothing reads a folder beside it, and every Slack sample the tests name is
vendored under tests/fixtures/slack/."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
from pathlib import Path

from tests.conftest import PROJECT_ROOT, SLACK_FIXTURES

SCANNED_SUFFIXES = {".py", ".md", ".toml", ".yml", ".yaml", ".sh", ".cfg", ".ini"}
SCANNED_NAMES = {".ci/run"}
SKIPPED_DIRS = {".git", ".venv", "venv", ".ci-venv", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}

# The folder the Slack samples and product docs used to be read from, beside the repository. The patterns are built
# from pieces so that this file does not match them; the test below shows what each one catches.
SIBLING = "shared"
LEAKS = [
    re.compile(r"\.\.[/\\]+" + SIBLING + r"\b"),  # a relative path up and into it
    re.compile(r"\bparents?\b[^\n]*?/\s*[\"']" + SIBLING + r"[\"']"),  # a pathlib path from a parent directory
    re.compile(r"\b(?:dirname|pardir)\b[^\n]*?[\"']" + SIBLING + r"[\"']"),  # the same with os.path
    re.compile(r"[\"']\.\.[\"']\)?\s*[,/]\s*[\"']" + SIBLING + r"[\"']"),  # Path("..") / it, join("..", it)
    re.compile(r"(?<![\w/.-])" + SIBLING + r"/slack\b"),  # its Slack folder named by its own path, as in a comment
]

# Names the tests and benchmarks give the vendored samples: the folder itself, then folders or files in it.
ROOT_NAMES = ("SLACK_FIXTURES", "SHARED_SLACK", "SHARED")
FIXTURE_USE = re.compile(r"\b(?:" + "|".join((*ROOT_NAMES, "SAMPLES", "EVENTS", "TIERS")) + r")\b")
# A path spelled out part by part: SHARED / "payloads" / "events", or ... / "fixtures" / "slack" / "x.json".
PATH_CHAIN = re.compile(r"""(\w+)?[\])]*((?:\s*/\s*f?["'][^"'\n]*["'])+)""")
PATH_PART = re.compile(r"""/\s*f?["']([^"'\n]*)["']""")
JSON_NAME = re.compile(r"""(?<![\w{}])["']([\w.-]+\.json)["']""")


def _repository_files() -> list[Path]:
    """Tracked and not-ignored files, by git when this is a checkout, else by walking the tree."""
    if (PROJECT_ROOT / ".git").exists() and shutil.which("git"):
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
            cwd=PROJECT_ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [PROJECT_ROOT / name for name in listed.split("\0") if name and (PROJECT_ROOT / name).is_file()]
    files = []
    for folder, dirs, names in os.walk(PROJECT_ROOT):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
        files += [Path(folder) / name for name in names]
    return files


def _scanned(path: Path) -> bool:
    """Our own words: code, docs, configuration and the CI script, not Slack's JSON samples."""
    relative = path.relative_to(PROJECT_ROOT).as_posix()
    return path.suffix in SCANNED_SUFFIXES or relative in SCANNED_NAMES


def _fixture_paths(source: str) -> set[str]:
    """Fixture-relative paths a source spells out after a fixture name or after "fixtures" / "slack"."""
    named: set[str] = set()
    for head, chain in PATH_CHAIN.findall(source):
        # An f-string part ({method}.json) is not a fixed name: only the folders before it are.
        parts = list(itertools.takewhile(lambda part: "{" not in part, PATH_PART.findall(chain)))
        spelled = "/".join(parts)
        if "fixtures/slack" in spelled:
            named.add(spelled.split("fixtures/slack", 1)[1].strip("/"))
        elif head in ROOT_NAMES:
            named.add(spelled)
    return named - {""}


def test_nothing_reads_a_folder_beside_the_repository() -> None:
    leaks = [
        f"{path.relative_to(PROJECT_ROOT)}:{number}: {line.strip()}"
        for path in _repository_files()
        if _scanned(path)
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1)
        if any(pattern.search(line) for pattern in LEAKS)
    ]
    assert not leaks, (
        "the repository must not read outside itself; vendor the file under tests/fixtures/:\n" + "\n".join(leaks)
    )


def test_the_patterns_catch_the_old_ways_of_reading_the_sibling_folder() -> None:
    up = ".." + "/" + SIBLING
    for line in (
        f"See `{up}/SPEC.md` for the whole product.",
        f'SHARED = Path(__file__).resolve().parents[2].parent / "{SIBLING}" / "slack"',
        f"TIERS = _ROOT.parent / '{SIBLING}' / 'slack' / 'rate_limit_tiers.json'",
        f'os.path.join(os.path.dirname(ROOT), "{SIBLING}")',
        f'Path("..") / "{SIBLING}"',
        f'cp -r "$ROOT/{up}/slack" tests/',
        f"# per {SIBLING}/slack/README.md",
    ):
        assert any(pattern.search(line) for pattern in LEAKS), line
    for line in ("in a channel shared with another organisation", "is_shared=False", "parent / 'sharing'"):
        assert not any(pattern.search(line) for pattern in LEAKS), line


def test_every_fixture_the_tests_name_is_vendored() -> None:
    vendored = {p.relative_to(SLACK_FIXTURES).as_posix() for p in SLACK_FIXTURES.rglob("*")}
    vendored_names = {p.name for p in SLACK_FIXTURES.rglob("*.json")}
    readers = {PROJECT_ROOT / "tests", PROJECT_ROOT / "bench"}
    missing: list[str] = []
    named = 0
    for path in sorted(_repository_files()):
        if path.suffix != ".py" or not readers & set(path.parents) or path == Path(__file__).resolve():
            continue
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(PROJECT_ROOT)
        paths = _fixture_paths(source)
        # A sample chosen by file name (sample("MessagePayload.json")) in a file that reads the fixtures.
        names = set(JSON_NAME.findall(source)) if FIXTURE_USE.search(source) else set()
        named += len(paths) + len(names)
        missing += [f"{where}: {name}" for name in sorted(paths) if name not in vendored]
        missing += [f"{where}: {name}" for name in sorted(names) if name not in vendored_names]
    assert named > 10, "the scan found almost no fixture paths: has the way tests name them changed?"
    assert not missing, "fixtures the tests name but tests/fixtures/slack/ lacks:\n" + "\n".join(missing)


def test_the_vendored_samples_are_all_there() -> None:
    counts = {
        folder: len(list((SLACK_FIXTURES / folder).rglob("*.json")))
        for folder in ("payloads/events", "payloads/app-backend", "api-responses")
    }
    assert all(counts.values()), counts
    for name in ("rate_limit_tiers.json", "web-api-openapi-v2.json", "event-wrapper-schema.json"):
        assert (SLACK_FIXTURES / name).is_file(), name
