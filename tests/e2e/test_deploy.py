"""The deployment files of deploy/: no container engine runs here, so what can be checked is.

- The Dockerfile's install steps (its COPY lines, then deploy/install.sh as its RUN line does) build Rapport from a
  copy of the sources into a fresh virtual environment, and `rapport run` started from there (outside the source
  tree) serves Slack with /healthz and /readyz answering. To stay fast the test installs with --no-deps and lends
  the new environment this environment's dependencies: it proves the package builds with everything it needs at run
  time (migrations, tone rules, the console script) and starts; it does not prove that pip resolves the
  dependencies, nor anything about the image's base or user.
- compose.yaml: its services, health checks and environment agree with bot/config.py.
- .env.example lists every setting bot/config.py reads, with its default.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import yaml

from bot.config import Settings
from bot.slacksim import SlackSimulator
from tests.conftest import PROJECT_ROOT
from tests.e2e.conftest import eventually
from tests.e2e.test_cli import clean_environ, free_port, slack_env

DEPLOY = PROJECT_ROOT / "deploy"
CONFIG_NAMES = frozenset(re.findall(r'get\("([A-Z_]+)"\)', (PROJECT_ROOT / "bot" / "config.py").read_text()))


def test_config_names_are_found() -> None:
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "PORT", "LOG_FORMAT"} <= CONFIG_NAMES


# --- the image's install steps -----------------------------------------------------------------------------------


def probe(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_the_dockerfiles_install_steps_give_a_rapport_that_runs(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert "RUN sh deploy/install.sh /opt/rapport /src" in dockerfile
    # The Dockerfile's COPY lines, then its RUN line.
    src = tmp_path / "src"
    copies = re.findall(r"^COPY (?!--)(.+) (\S+)$", dockerfile, re.MULTILINE)
    assert copies == [
        ("pyproject.toml README.md", "./"),
        ("bot", "./bot"),
        ("deploy/install.sh", "./deploy/install.sh"),
    ]
    for name in ("pyproject.toml", "README.md", "deploy/install.sh"):
        (src / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(PROJECT_ROOT / name, src / name)
    shutil.copytree(PROJECT_ROOT / "bot", src / "bot", ignore=shutil.ignore_patterns("__pycache__"))
    venv = tmp_path / "venv"
    outside = {k: v for k, v in clean_environ().items() if k != "PYTHONPATH"}  # nothing of the source tree
    subprocess.run(
        ["sh", str(src / "deploy" / "install.sh"), str(venv), str(src), "--no-deps"],
        check=True,
        env={**outside, "PYTHON": sys.executable},
        timeout=240,
    )
    site = Path(
        subprocess.run(
            [str(venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    (site / "borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    workdir = tmp_path / "run"
    workdir.mkdir()
    env = {**outside, **slack_env(sim, database_url)}
    installed = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import bot; print(bot.__file__)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=workdir,
        env=env,
    ).stdout.strip()
    assert installed.startswith(str(site)), installed  # the built package, not the source tree

    rapport = str(venv / "bin" / "rapport")
    subprocess.run([rapport, "migrate"], check=True, cwd=workdir, env=env, capture_output=True, timeout=120)
    port = free_port()
    log_path = tmp_path / "run.log"
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(
            [rapport, "run", "--host", "127.0.0.1"],
            cwd=workdir,
            env={**env, "PORT": str(port)},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:

            def healthy() -> bool:
                assert proc.poll() is None, log_path.read_text()
                try:
                    return probe(f"http://127.0.0.1:{port}/healthz") == 200
                except OSError:
                    return False

            eventually(healthy, timeout=60)
            assert probe(f"http://127.0.0.1:{port}/readyz") == 200
            sim.deliver_http_to(f"http://127.0.0.1:{port}/slack/events")
            reply = sim.slash_command("U0DANA", "C0SUPPORT", "/customer", "add Acme Corp")
            assert reply.status == 200 and "Added" in json.dumps(reply.body)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


# --- compose.yaml -------------------------------------------------------------------------------------------------


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_rapport_on_a_healthy_migrated_postgresql() -> None:
    services = compose()["services"]
    assert {"postgres", "migrate", "rapport", "rapport-2", "proxy"} <= set(services)
    postgres = services["postgres"]
    assert re.match(r"^postgres:\d+\.\d+", postgres["image"])  # pinned by tag
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert services["migrate"]["command"] == ["rapport", "migrate"]
    for name in ("rapport", "rapport-2"):
        service = services[name]
        assert service["depends_on"] == {
            "postgres": {"condition": "service_healthy"},
            "migrate": {"condition": "service_completed_successfully"},
        }
        assert service["env_file"] == ".env"
        assert "/readyz" in " ".join(service["healthcheck"]["test"])
        assert service["build"]["dockerfile"] == "deploy/Dockerfile"
    assert "profiles" not in services["rapport"] and services["rapport-2"]["profiles"] == ["scaled"]
    assert services["proxy"]["profiles"] == ["scaled"]
    assert all(v == {"condition": "service_healthy"} for v in services["proxy"]["depends_on"].values())


def test_compose_environment_is_rapports_own_settings() -> None:
    services = compose()["services"]
    postgres_env = services["postgres"]["environment"]
    for name in ("migrate", "rapport", "rapport-2"):
        environment = services[name]["environment"]
        assert set(environment) <= CONFIG_NAMES, set(environment) - CONFIG_NAMES
        database_url = environment["DATABASE_URL"].replace("${POSTGRES_PASSWORD:-rapport}", "secret")
        settings = Settings.from_env(
            {"DATABASE_URL": database_url, "PORT": environment.get("PORT", "3000")}, require_slack=False
        )
        assert (
            settings.database_url
            == f"postgresql+psycopg://{postgres_env['POSTGRES_USER']}:secret@postgres:5432/"
            + postgres_env["POSTGRES_DB"]
        )
        assert f":{settings.port}/" in " ".join(
            services[name].get("healthcheck", {}).get("test", [f":{settings.port}/"])
        )


def test_the_proxy_sends_slack_to_both_instances_that_are_ready() -> None:
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    services = compose()["services"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]
    assert re.search(r"reverse_proxy rapport:3000 rapport-2:3000", caddyfile)
    assert "health_uri /readyz" in caddyfile


def test_the_dockerfile_is_slim_non_root_pinned_and_checks_health() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert len(stages) == 2 and all(re.match(r"^python:3\.11\.\d+-slim", image) for image in stages)
    assert re.search(r"^USER rapport", dockerfile, re.MULTILINE)
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.MULTILINE)
    assert 'CMD ["rapport", "run"]' in dockerfile


def test_the_systemd_unit_runs_rapport_and_gives_it_time_to_stop() -> None:
    unit = (DEPLOY / "rapport.service").read_text()
    assert "ExecStart=/opt/rapport/bin/rapport run" in unit and "TimeoutStopSec=30" in unit
    assert re.search(r"^User=rapport$", unit, re.MULTILINE)


# --- .env.example ---------------------------------------------------------------------------------------------------


def test_env_example_lists_every_setting_with_its_default() -> None:
    assignments = dict(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=(.*)$", (DEPLOY / ".env.example").read_text(), re.MULTILINE))
    assert set(assignments) == CONFIG_NAMES
    defaults = {name: value for name, value in assignments.items() if value}
    assert Settings.from_env(defaults, require_slack=False) == Settings.from_env({}, require_slack=False)
    assert {name for name, value in assignments.items() if not value} >= {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"}
