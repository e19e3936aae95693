"""OAuth installs: two workspaces install Rapport through /slack/install and /slack/oauth_redirect, then live side by
side in one database, each its own world; one revokes its token and the other keeps running."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from bot.app import Runtime, build_runtime
from bot.config import Settings
from bot.db.models import BOTS, INSTALLATIONS, Customer, FollowUp, Mention, Story
from bot.manifest import BOT_SCOPES
from bot.services import followups, outbox, purge
from bot.slacksim import SimUser, SimWorkspace, SlackSimulator
from bot.transports import HttpServer
from tests.e2e.conftest import SIGNING_SECRET, eventually
from tests.e2e.test_cli import run_cli, slack_env

CLIENT_ID, CLIENT_SECRET = "sim-client-id", "sim-client-secret"
FIRST, SECOND = "T0SIM0001", "T0SIM0002"
FIRST_TOKEN, SECOND_TOKEN = "xoxb-sim-token", "xoxb-second-token"


@dataclass
class Installed:
    """Rapport serving OAuth installs over HTTP, and Slack with two workspaces."""

    runtime: Runtime
    server: HttpServer
    first: SlackSimulator
    second: SlackSimulator
    database_url: str

    def get(self, path: str, *, cookie: str | None = None) -> http.client.HTTPResponse:
        """A browser's GET (redirects not followed)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=10)
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        return connection.getresponse()

    def install(self, workspace: SlackSimulator, *, org_wide: bool = False) -> str:
        """A person installs the app: /slack/install, Slack's authorize page (approved), then Slack's redirect back;
        the page the browser shows at the end."""
        start = self.get("/slack/install")
        assert start.status == 302
        location = urllib.parse.urlsplit(start.getheader("Location") or "")
        query = urllib.parse.parse_qs(location.query)
        assert f"{location.scheme}://{location.netloc}{location.path}" == "https://slack.com/oauth/v2/authorize"
        assert query["client_id"] == [CLIENT_ID]
        assert set(query["scope"][0].split(",")) == set(BOT_SCOPES)
        [state] = query["state"]
        cookie = (start.getheader("Set-Cookie") or "").split(";", 1)[0]
        code = workspace.authorize(user="U0DANA", org_wide=org_wide)
        done = self.get(f"/slack/oauth_redirect?code={code}&state={state}", cookie=cookie)
        assert done.status == 200
        return done.read().decode()

    def command(self, sim: SlackSimulator, text: str, *, command: str, user: str = "U0DANA") -> str:
        """Type a slash command in a workspace; the ephemeral reply as JSON text."""
        delivery = sim.slash_command(user, "C0SUPPORT", command, text)
        assert delivery.status == 200, delivery
        return json.dumps(delivery.body)

    def count(self, model: type, team_id: str) -> int:
        """A workspace's rows of one table."""
        with self.runtime.deps.session_factory.begin() as session:
            return int(session.scalar(select(func.count()).select_from(model).where(model.team_id == team_id)) or 0)  # type: ignore[attr-defined]

    def installs(self, team_id: str) -> tuple[int, int]:
        """The workspace's (installations, bots) in the store."""
        with self.runtime.engine.connect() as connection:
            return tuple(  # type: ignore[return-value]
                int(connection.scalar(select(func.count()).select_from(t).where(t.c.team_id == team_id)) or 0)
                for t in (INSTALLATIONS, BOTS)
            )


@pytest.fixture
def installed(sim: SlackSimulator, database_url: str) -> Iterator[Installed]:
    """Rapport with SLACK_CLIENT_ID/SECRET and no bot token, before any install; a second workspace in Slack."""
    other = SimWorkspace.default()
    other.team_id, other.team_name, other.domain = SECOND, "Second Sim", "second-sim"
    second = sim.add_workspace(other, bot_token=SECOND_TOKEN)
    settings = Settings.from_env(
        {
            "SLACK_CLIENT_ID": CLIENT_ID,
            "SLACK_CLIENT_SECRET": CLIENT_SECRET,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": sim.api_url,
            "DATABASE_URL": database_url,
        }
    )
    runtime = build_runtime(settings, scopes=BOT_SCOPES)
    runtime.start_jobs()
    server = HttpServer(runtime, host="127.0.0.1", port=0)
    server.start_in_thread()
    for workspace in (sim, second):
        workspace.deliver_http_to(f"{server.url}/slack/events")
    try:
        yield Installed(runtime=runtime, server=server, first=sim, second=second, database_url=database_url)
    finally:
        server.close()
        runtime.close()


def _remind(app: Installed, team_id: str, owner: str) -> None:
    """Run the reminder job and the sender as at the owner's follow-up's due time."""
    deps = app.runtime.deps
    [view] = followups.list_open(deps, team_id=team_id, user_id=owner)
    later = view.due_at + timedelta(seconds=5)
    followups.queue_reminders(deps, now=later)
    outbox.send_outbox(deps, client=app.runtime.clients, now=later, worker="e2e")


def _dm_texts(sim: SlackSimulator, user: str) -> str:
    return json.dumps(sim.dm_messages(user))


@pytest.mark.usefixtures("no_errors_logged")
def test_two_workspaces_install_by_oauth_and_never_see_each_others_rows(installed: Installed) -> None:
    app, first, second = installed, installed.first, installed.second
    assert app.get("/readyz").status == 200  # ready before any install: Slack answers api.test, no token needed
    assert app.get("/slack/oauth_redirect?code=forged&state=forged").status != 200  # no state issued: refused
    for workspace in (first, second):
        assert "Traceback" not in app.install(workspace)
    assert app.installs(FIRST) == (1, 1) and app.installs(SECOND) == (1, 1)
    [exchange, _] = first.calls_to("oauth.v2.access")
    assert exchange.ok and exchange.response["team"] == {"id": FIRST, "name": "Rapport Sim"}

    # The same people and channel ids in both workspaces: only the team tells them apart.
    for sim in (first, second):
        assert sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA").status == 200
    assert "Acme" in app.command(first, "add Acme owner <@U0LEE|lee>", command="/customer")
    assert "Globex" in app.command(second, "add Globex owner <@U0LEE|lee>", command="/customer")
    first.post_message("U0STEPH", "C0SUPPORT", "Acme and Globex both called")
    second.post_message("U0STEPH", "C0SUPPORT", "Acme and Globex both called")
    assert app.count(Customer, FIRST) == 1 and app.count(Customer, SECOND) == 1
    eventually(lambda: app.count(Mention, FIRST) == 1 and app.count(Mention, SECOND) == 1)
    first_list = app.command(first, "list", command="/customer")
    assert "Acme" in first_list and "Globex" not in first_list
    second_list = app.command(second, "list", command="/customer")
    assert "Globex" in second_list and "Acme" not in second_list

    app.command(first, "Acme tomorrow at 10am call back about the drive", command="/followup")
    app.command(second, "Globex tomorrow at 10am send the contract", command="/followup")
    assert app.count(FollowUp, FIRST) == 1 and app.count(FollowUp, SECOND) == 1
    _remind(app, FIRST, "U0LEE")
    _remind(app, SECOND, "U0LEE")
    eventually(lambda: "call back about the drive" in _dm_texts(first, "U0LEE"))
    eventually(lambda: "send the contract" in _dm_texts(second, "U0LEE"))
    assert "send the contract" not in _dm_texts(first, "U0LEE")
    assert "call back about the drive" not in _dm_texts(second, "U0LEE")
    # Each workspace's Web API calls carry its own bot token (a call with another's would have gone to the other).
    assert {c.token for c in first.calls if c.method not in ("oauth.v2.access", "api.test")} == {FIRST_TOKEN}
    assert {c.token for c in second.calls} == {SECOND_TOKEN}

    app.command(first, "<@U0STEPH|stephanie> rescued Acme's drive", command="/kudos")
    app.command(second, "<@U0KIRI|kiri> closed the Globex deal", command="/kudos")
    assert app.count(Story, FIRST) == 1 and app.count(Story, SECOND) == 1
    eventually(lambda: "rescued Acme" in _dm_texts(first, "U0STEPH"))
    eventually(lambda: "closed the Globex deal" in _dm_texts(second, "U0KIRI"))
    assert "Globex" not in json.dumps(first.messages("C0SUPPORT")).replace("Acme and Globex both called", "")
    assert "Acme" not in json.dumps(second.messages("C0SUPPORT")).replace("Acme and Globex both called", "")


@pytest.mark.usefixtures("no_errors_logged")
def test_a_revoked_workspace_stops_and_is_forgotten_while_the_other_keeps_running(installed: Installed) -> None:
    app, first, second = installed, installed.first, installed.second
    for workspace in (first, second):
        app.install(workspace)
    app.command(first, "add Acme owner <@U0LEE|lee>", command="/customer")
    app.command(second, "add Globex owner <@U0LEE|lee>", command="/customer")
    app.command(first, "Acme tomorrow at 10am call back about the drive", command="/followup")
    app.command(second, "Globex tomorrow at 10am send the contract", command="/followup")

    second.refuse_token("token_revoked")
    revoked = second.send_event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U0RAPPORT"]}})
    assert revoked.status == 200
    assert app.installs(SECOND) == (0, 0) and app.installs(FIRST) == (1, 1)

    _remind(app, SECOND, "U0LEE")
    _remind(app, FIRST, "U0LEE")
    eventually(lambda: "call back about the drive" in _dm_texts(first, "U0LEE"))
    assert second.dm_messages("U0LEE") == []  # held: nothing sent with a revoked token, nothing lost
    assert not [c for c in second.calls_to("chat.postMessage")]
    with app.runtime.deps.session_factory.begin() as session:
        waiting = session.scalars(select(FollowUp.id).where(FollowUp.team_id == SECOND)).all()
    assert len(waiting) == 1  # its data stays until retention or `rapport purge --team`

    # Gone longer than its retention period (90 days by default): the daily job purges it, and nothing of the other.
    deps = app.runtime.deps
    assert purge.purge_departed(deps, now=deps.clock() + timedelta(days=89)) == []
    assert purge.purge_departed(deps, now=deps.clock() + timedelta(days=91)) == [SECOND]
    assert [app.count(m, SECOND) for m in (Customer, FollowUp)] == [0, 0]
    assert [app.count(m, FIRST) for m in (Customer, FollowUp)] == [1, 1]


@pytest.mark.usefixtures("no_errors_logged")
def test_rapport_purge_deletes_one_workspace_at_once(installed: Installed) -> None:
    app, first, second = installed, installed.first, installed.second
    for workspace in (first, second):
        app.install(workspace)
    app.command(first, "add Acme owner <@U0LEE|lee>", command="/customer")
    app.command(second, "add Globex owner <@U0LEE|lee>", command="/customer")
    app.command(second, "Globex tomorrow at 10am send the contract", command="/followup")

    result = run_cli("purge", "--team", SECOND, env={"DATABASE_URL": app.database_url})
    assert result.returncode == 0, result.stderr
    assert f"Purged workspace {SECOND}" in result.stdout and "1 customers" in result.stdout
    assert [app.count(m, SECOND) for m in (Customer, FollowUp)] == [0, 0] and app.installs(SECOND) == (0, 0)
    assert app.count(Customer, FIRST) == 1 and app.installs(FIRST) == (1, 1)
    assert "Acme" in app.command(first, "list", command="/customer")
    # Installed again, the workspace starts from nothing: its old customers are not known any more.
    app.install(second)
    assert "Globex" not in app.command(second, "list", command="/customer")

    again = run_cli("purge", "--team", "T0NOBODY", env={"DATABASE_URL": app.database_url})
    assert again.returncode == 0 and "nothing to purge" in again.stdout
    bad = run_cli("purge", "--team", "acme", env={"DATABASE_URL": app.database_url})
    assert bad.returncode != 0 and "T012AB3CD" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.usefixtures("no_errors_logged")
def test_an_org_wide_install_serves_its_workspace_with_the_organisations_token(installed: Installed) -> None:
    app, first, second = installed, installed.first, installed.second
    app.install(first)
    second.workspace.enterprise_id = "E0ORG0001"
    app.install(second, org_wide=True)
    [_, exchange] = first.calls_to("oauth.v2.access")
    assert exchange.response["is_enterprise_install"] is True and exchange.response["team"] is None
    assert exchange.response["enterprise"]["id"] == "E0ORG0001"
    assert app.installs(SECOND) == (0, 0)  # installed into the organisation, not into one workspace

    assert "Globex" in app.command(second, "add Globex owner <@U0LEE|lee>", command="/customer")
    app.command(second, "Globex tomorrow at 10am send the contract", command="/followup")
    assert app.count(Customer, SECOND) == 1 and app.count(Customer, FIRST) == 0
    # As after a restart: nothing in memory says which organisation the workspace belongs to.
    app.runtime.deps.enterprises.clear()
    app.runtime.clients.forget(SECOND)
    _remind(app, SECOND, "U0LEE")
    eventually(lambda: "send the contract" in _dm_texts(second, "U0LEE"))
    assert {c.token for c in second.calls} == {SECOND_TOKEN}
    assert first.dm_messages("U0LEE") == []


@pytest.mark.usefixtures("no_errors_logged")
def test_one_workspaces_429_storm_does_not_hold_the_others_sending(installed: Installed) -> None:
    app, first, second = installed, installed.first, installed.second
    for workspace in (first, second):
        app.install(workspace)
    app.runtime.scheduler.pause()  # the test runs the sender itself, at a chosen `now`
    app.command(first, "add Acme owner <@U0LEE|lee>", command="/customer")
    app.command(second, "add Globex owner <@U0LEE|lee>", command="/customer")
    app.command(first, "Acme tomorrow at 10am call back about the drive", command="/followup")
    app.command(second, "Globex tomorrow at 10am send the contract", command="/followup")
    deps = app.runtime.deps
    [mine] = followups.list_open(deps, team_id=FIRST, user_id="U0LEE")
    [theirs] = followups.list_open(deps, team_id=SECOND, user_id="U0LEE")
    now = max(mine.due_at, theirs.due_at) + timedelta(seconds=5)
    assert followups.queue_reminders(deps, now=now) == 2

    second.fail_next("chat.postMessage", status=429, retry_after=60)
    report = outbox.send_outbox(deps, client=app.runtime.clients, now=now, worker="e2e")
    retry_at = report.rate_limited_until
    assert retry_at is not None and now + timedelta(seconds=60) <= retry_at < now + timedelta(seconds=61)
    assert "call back about the drive" in _dm_texts(first, "U0LEE")  # sent in the same pass
    assert second.dm_messages("U0LEE") == []
    early = retry_at - timedelta(seconds=1)
    assert outbox.send_outbox(deps, client=app.runtime.clients, now=early, worker="e2e").sent == 0
    assert outbox.send_outbox(deps, client=app.runtime.clients, now=retry_at, worker="e2e").sent == 1
    assert "send the contract" in _dm_texts(second, "U0LEE")
    assert [c.status for c in second.calls_to("chat.postMessage")] == [429, 200]


@pytest.mark.usefixtures("no_errors_logged")
def test_a_rotating_token_is_refreshed_before_it_expires_and_the_fresh_one_sends(installed: Installed) -> None:
    app, first = installed, installed.first
    first.oauth.token_rotation = True
    # 90 minutes: within the two hours before expiry when Bolt refreshes a token for a request, not yet within the
    # hour when the jobs would.
    first.oauth.token_seconds = 90 * 60
    app.install(first)
    with app.runtime.engine.connect() as connection:
        [(installed_token, refresh_token)] = connection.execute(select(BOTS.c.bot_token, BOTS.c.bot_refresh_token))
    assert installed_token == FIRST_TOKEN and refresh_token.startswith("xoxe-")

    assert "Acme" in app.command(first, "add Acme owner <@U0LEE|lee>", command="/customer")
    app.command(first, "Acme tomorrow at 10am call back about the drive", command="/followup")
    _remind(app, FIRST, "U0LEE")
    eventually(lambda: "call back about the drive" in _dm_texts(first, "U0LEE"))
    refreshes = [c for c in first.calls_to("oauth.v2.access") if c.args.get("grant_type") == "refresh_token"]
    assert refreshes and all(c.ok for c in refreshes)
    with app.runtime.engine.connect() as connection:
        [latest] = connection.execute(select(BOTS.c.bot_token)).scalars()
    assert latest != FIRST_TOKEN and latest.startswith(f"{FIRST_TOKEN}~")
    [reminder] = [c for c in first.calls_to("chat.postMessage") if "call back about the drive" in json.dumps(c.args)]
    assert reminder.token is not None and reminder.token.startswith(f"{FIRST_TOKEN}~")

    # A quiet workspace: no request refreshes its token, so the jobs do once it expires within the hour.
    soon = datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=30)
    with app.runtime.engine.begin() as connection:
        connection.execute(update(BOTS).values(bot_token_expires_at=soon))
    app.runtime.clients.forget(FIRST)
    fresh = app.runtime.clients.for_team(FIRST)
    assert fresh is not None and fresh.token not in (FIRST_TOKEN, latest) and str(fresh.token).startswith(FIRST_TOKEN)
    with app.runtime.engine.connect() as connection:
        assert connection.execute(select(BOTS.c.bot_token)).scalar_one() == fresh.token
    assert fresh.auth_test()["team_id"] == FIRST


# --- the command line, per installation --------------------------------------------------------------------------


def _oauth_env(app: Installed) -> dict[str, str]:
    """What `rapport …` sees on a host serving OAuth installs: no SLACK_BOT_TOKEN."""
    return {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": app.first.api_url,
        "DATABASE_URL": app.database_url,
    }


def _doctor_sections(stdout: str) -> dict[str, dict[str, str]]:
    """`rapport doctor`'s report: {workspace heading: {check: status}}."""
    sections: dict[str, dict[str, str]] = {}
    heading = ""
    for line in stdout.splitlines():
        if line.startswith("workspace ") and line.endswith(":"):
            heading = line.removeprefix("workspace ").removesuffix(":")
            sections[heading] = {}
        else:
            status, _, rest = line.partition(" ")
            sections.setdefault(heading, {})[rest.strip().split(":", 1)[0]] = status
    return sections


def test_customers_import_chooses_the_installation_with_team(installed: Installed, tmp_path: Path) -> None:
    app, second = installed, installed.second
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("name,aliases,owner,since\nAcme Corp,Acme,U0LEE,\nGlobex,,kim@second.example,\n")
    env = _oauth_env(app)

    nothing = run_cli("customers", "import", str(csv_file), env=env)
    assert nothing.returncode == 2 and "rapport: No workspace has installed Rapport yet" in nothing.stderr

    app.install(app.first)
    # One installation: no --team needed, and its token is the one used.
    only = run_cli("customers", "import", str(csv_file), env=env)
    assert only.returncode == 1 and "Imported 1 customer(s)" in only.stdout, only.stderr
    assert "line 3: skipped: no Slack user has the email kim@second.example" in only.stdout
    assert app.count(Customer, FIRST) == 1

    second.workspace.users = [
        *second.workspace.users,
        SimUser("U0KIM", "kim", "Kim", "UTC", email="kim@second.example"),
    ]
    app.install(second)
    missing = run_cli("customers", "import", str(csv_file), env=env)
    assert missing.returncode == 2 and missing.stdout == ""
    assert "Several workspaces have installed Rapport: choose one with --team" in missing.stderr
    assert f"{FIRST} (Rapport Sim); {SECOND} (Second Sim)" in missing.stderr
    unknown = run_cli("customers", "import", str(csv_file), "--team", "T0NOBODY", env=env)
    assert unknown.returncode == 2 and "Rapport is not installed in workspace T0NOBODY" in unknown.stderr
    assert f"Installed: {FIRST} (Rapport Sim); {SECOND} (Second Sim)" in unknown.stderr
    assert app.count(Customer, SECOND) == 0

    done = run_cli("customers", "import", str(csv_file), "--team", SECOND, env=env)
    assert done.returncode == 0 and "Imported 2 customer(s)" in done.stdout, (done.stdout, done.stderr)
    assert app.count(Customer, SECOND) == 2 and app.count(Customer, FIRST) == 1
    # The owner's email was looked up in the second workspace, with the second workspace's token.
    [lookup] = [c for c in second.calls_to("users.lookupByEmail") if c.args.get("email") == "kim@second.example"]
    assert lookup.ok
    owners = app.command(second, "list", command="/customer")
    assert "Globex" in owners and "U0KIM" in owners


def test_customers_import_in_single_token_mode_checks_team(
    sim: SlackSimulator, database_url: str, tmp_path: Path
) -> None:
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("name,aliases,owner,since\nAcme Corp,Acme,U0LEE,\n")
    env = slack_env(sim, database_url)
    wrong = run_cli("customers", "import", str(csv_file), "--team", SECOND, env=env)
    assert wrong.returncode == 2
    assert f"SLACK_BOT_TOKEN is the bot token of Rapport Sim ({FIRST}), not of {SECOND}" in wrong.stderr
    right = run_cli("customers", "import", str(csv_file), "--team", FIRST, env=env)
    assert right.returncode == 0 and "Imported 1 customer(s)" in right.stdout
    bad = run_cli("customers", "import", str(csv_file), "--team", "acme", env=env)
    assert bad.returncode == 2 and "--team must be a Slack team id such as T012AB3CD" in bad.stderr


def test_doctor_checks_each_installation_in_turn_or_the_one_team_names(installed: Installed) -> None:
    app, second = installed, installed.second
    env = _oauth_env(app)
    before = run_cli("doctor", env=env)
    assert before.returncode == 0 and list(_doctor_sections(before.stdout)) == [""]  # nothing installed: one report
    assert _doctor_sections(before.stdout)[""]["token"] == "SKIP"

    app.install(app.first)
    app.install(second)
    report = run_cli("doctor", env=env)
    assert report.returncode == 0, report.stdout
    sections = _doctor_sections(report.stdout)
    assert list(sections) == [f"{FIRST} (Rapport Sim)", f"{SECOND} (Second Sim)"]
    assert all(checks["token"] == "OK" and checks["scopes"] == "OK" for checks in sections.values())
    assert f"OK   token: bot @rapport (U0RAPPORT) in Rapport Sim ({FIRST})" in report.stdout
    assert f"OK   token: bot @rapport (U0RAPPORT) in Second Sim ({SECOND})" in report.stdout

    # The second workspace's token is revoked (its uninstall event did not reach Rapport): its section fails.
    second.refuse_token()
    failing = run_cli("doctor", env=env)
    assert failing.returncode == 1
    sections = _doctor_sections(failing.stdout)
    assert sections[f"{FIRST} (Rapport Sim)"]["token"] == "OK"
    assert sections[f"{SECOND} (Second Sim)"]["token"] == "FAIL"
    one = run_cli("doctor", "--team", FIRST, env=env)
    assert one.returncode == 0 and list(_doctor_sections(one.stdout)) == [f"{FIRST} (Rapport Sim)"]
    unknown = run_cli("doctor", "--team", "T0NOBODY", env=env)
    assert unknown.returncode == 2 and f"Installed: {FIRST} (Rapport Sim); {SECOND} (Second Sim)" in unknown.stderr


def test_the_command_line_names_a_workspace_of_an_org_wide_install_by_its_team(
    installed: Installed, tmp_path: Path
) -> None:
    app, first, second = installed, installed.first, installed.second
    app.install(first)
    second.workspace.enterprise_id = "E0ORG0001"
    app.install(second, org_wide=True)
    assert "Globex" in app.command(second, "add Globex owner <@U0LEE|lee>", command="/customer")  # its first event
    env = _oauth_env(app)
    csv_file = tmp_path / "customers.csv"
    csv_file.write_text("name,aliases,owner,since\nInitech,,lee@example.com,\n")

    missing = run_cli("customers", "import", str(csv_file), env=env)
    assert missing.returncode == 2 and f"Installed: {FIRST} (Rapport Sim); E0ORG0001 (" in missing.stderr
    assert "org-wide: --team any of its workspaces)" in missing.stderr
    done = run_cli("customers", "import", str(csv_file), "--team", SECOND, env=env)
    assert done.returncode == 0 and "Imported 1 customer(s)" in done.stdout, (done.stdout, done.stderr)
    assert app.count(Customer, SECOND) == 2 and app.count(Customer, FIRST) == 0
    assert [c.token for c in second.calls_to("users.lookupByEmail")] == [SECOND_TOKEN]  # the organisation's token

    report = run_cli("doctor", "--team", SECOND, env=env)
    assert report.returncode == 0, report.stdout
    [heading] = _doctor_sections(report.stdout)
    assert heading.startswith(f"{SECOND}, through E0ORG0001 (")
