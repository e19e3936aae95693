"""The customer directory: one use case per function, one transaction per call."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Customer
from bot.db.queries import channels as channel_rows
from bot.db.queries import customers as customer_rows
from bot.db.queries import mentions as mention_rows
from bot.db.queries import workspaces as workspace_rows
from bot.domain.customer_commands import AddCustomer, clean_name, parse_date
from bot.domain.errors import (
    ALIASES_FIELD,
    BACKUP_FIELD,
    AmbiguousCustomer,
    BadCommand,
    BadDate,
    DuplicateName,
    NotWatched,
    UnknownCustomer,
)
from bot.domain.everyday_names import is_everyday_name, is_tool_name, written_form
from bot.domain.matcher import normalize_name
from bot.runtime.deps import Deps
from bot.services import access, recurring
from bot.views.customers import (
    AddedCustomer,
    CustomerCard,
    CustomerList,
    CustomerRemoval,
    CustomerSummary,
    MentionView,
    NameMatching,
)

MAX_NAME_LENGTH = 200
CARD_MENTIONS = 5
LIST_LIMIT = 100
CANDIDATE_LIMIT = 8


@dataclass(frozen=True)
class ImportRow:
    """One CSV row, as read."""

    line: int
    name: str
    aliases: str
    owner: str
    since: str
    backup: str = ""


@dataclass(frozen=True)
class ImportReport:
    """What `rapport customers import` did, row by row."""

    added: tuple[str, ...]
    problems: tuple[tuple[int, str], ...]


def _checked_name(session: Session, *, team_id: str, text: str, field: str | None = None) -> tuple[str, str] | None:
    """(display, key) for a proposed name or alias; None if it has no letters; DuplicateName if in use."""
    display = clean_name(text)
    key = normalize_name(display)
    if not key:
        return None
    if len(display) > MAX_NAME_LENGTH:
        raise BadCommand(
            f"That name is too long ({len(display)} characters); keep names under {MAX_NAME_LENGTH}.",
            example="/customer add Acme Corp aka Acme",
        )
    taken_by = customer_rows.name_owner(session, team_id=team_id, name_key=key)
    if taken_by is not None:
        raise DuplicateName(
            f"“{display}” is already a name of *{taken_by}*. Names and aliases must be unique.",
            name=display,
            example=f"/customer {taken_by}",
            field=field,
        )
    return display, key


def _new_customer_names(
    session: Session, *, team_id: str, name: str, aliases: Iterable[str], exact: bool | None
) -> list[tuple[str, str, bool, bool | None]]:
    """The (display, key, is_primary, exact) names of a new customer; repeated aliases are dropped."""
    primary = _checked_name(session, team_id=team_id, text=name)
    if primary is None:
        raise BadCommand(
            "A customer needs a name with at least one letter or digit.", example="/customer add Acme Corp"
        )
    names = [(primary[0], primary[1], True, exact)]
    for alias in aliases:
        checked = _checked_name(session, team_id=team_id, text=alias, field=ALIASES_FIELD)
        if checked is not None and checked[1] not in {n[1] for n in names}:
            names.append((checked[0], checked[1], False, exact))
    return names


def name_matching(name: str, *, customer: str, exact: bool | None) -> NameMatching:
    """How a name is matched: a person's stored choice, else what the shipped word lists say."""
    if exact is not None:
        return NameMatching(name=name, customer=customer, exact=exact, written=written_form(name), reason="chosen")
    everyday = is_everyday_name(name)
    reason = ("tool" if is_tool_name(name) else "everyday word") if everyday else ""
    return NameMatching(name=name, customer=customer, exact=everyday, written=written_form(name), reason=reason)


def add_customer(deps: Deps, *, team_id: str, command: AddCustomer, created_by: str) -> AddedCustomer:
    """Add a customer; returns it with how each of its names is matched. Owner defaults to whoever adds it."""
    now = deps.clock()
    if command.since is not None and command.since > now.date():
        raise BadDate(
            f"{command.since.isoformat()} is in the future; “since” is when the relationship began.",
            example="/customer add Acme Corp since 2019-04-01",
        )
    try:
        with deps.session_factory.begin() as session:
            workspace_rows.ensure(session, team_id=team_id, now=now)
            names = _new_customer_names(
                session, team_id=team_id, name=command.name, aliases=command.aliases, exact=command.exact
            )
            owner = command.owner_user_id or created_by
            if command.backup_user_id is not None and command.backup_user_id == owner:
                raise BadCommand(
                    "The owner can't also be the backup: pick someone else, alerted too while the owner is away.",
                    example="/customer backup Acme @lee",
                    field=BACKUP_FIELD,
                )
            customer = customer_rows.add(
                session,
                team_id=team_id,
                name=names[0][0],
                names=names,
                owner_user_id=owner,
                since=command.since,
                created_by=created_by,
                now=now,
                backup_user_id=command.backup_user_id,
            )
            return AddedCustomer(
                name=customer.name,
                owner_user_id=owner,
                names=tuple(name_matching(n[0], customer=customer.name, exact=n[3]) for n in names),
            )
    except IntegrityError:
        # Another writer took one of the names between our check and our insert.
        raise DuplicateName(
            f"“{command.name}” or one of its aliases was just added by someone else.",
            name=command.name,
            example="/customer list",
        ) from None


def resolve_customer(session: Session, *, team_id: str, query: str, command: str) -> Customer:
    """The one customer a person means by `query`; never a guess between several."""
    key = normalize_name(query)
    if not key:
        raise UnknownCustomer("Tell me which customer.", example=f"{command} Acme")
    exact = customer_rows.by_name_key(session, team_id=team_id, name_key=key)
    if exact is not None:
        return exact
    candidates = customer_rows.by_name_prefix(session, team_id=team_id, name_key=key, limit=CANDIDATE_LIMIT + 1)
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        raise AmbiguousCustomer(query, [c.name for c in candidates[:CANDIDATE_LIMIT]], command=command)
    raise UnknownCustomer(
        f"I don't know a customer called “{query}”. See `/customer list`, or add it:",
        example=f"/customer add {query}",
    )


def customer_card(deps: Deps, *, team_id: str, query: str) -> CustomerCard:
    """The card for the customer a person names."""
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=query, command="/customer")
        mentions = mention_rows.latest_of_customer(
            session, team_id=team_id, customer_id=customer.id, limit=CARD_MENTIONS
        )
        workspace = workspace_rows.get(session, team_id=team_id)
        rhythms = recurring.customer_rhythms(session, team_id=team_id, customer_id=customer.id, now=deps.clock())
        return CustomerCard(
            name=customer.name,
            rhythms=rhythms,
            aliases=tuple(customer.aliases),
            owner_user_id=customer.owner_user_id,
            backup_user_id=customer.backup_user_id,
            since=customer.since,
            last_touch=customer_rows.last_touch(session, team_id=team_id, customer_id=customer.id),
            mentions=tuple(
                MentionView(
                    channel_id=m.channel_id,
                    message_ts=m.message_ts,
                    thread_ts=m.thread_ts,
                    user_id=m.user_id,
                    at=m.mentioned_at,
                    excerpt=m.excerpt,
                )
                for m in mentions
            ),
            linked_channels=tuple(channel_rows.linked_to_customer(session, team_id=team_id, customer_id=customer.id)),
            workspace_url=workspace.url if workspace else "",
            as_written=tuple(
                m.written
                for m in (name_matching(n.name, customer=customer.name, exact=n.exact) for n in customer.names)
                if m.exact
            ),
            customer_id=customer.id,
        )


def list_customers(deps: Deps, *, team_id: str) -> CustomerList:
    """Customers, quietest first."""
    with deps.session_factory.begin() as session:
        rows = customer_rows.quietest_first(session, team_id=team_id, limit=LIST_LIMIT)
        return CustomerList(
            customers=tuple(
                CustomerSummary(
                    name=r.customer.name,
                    owner_user_id=r.customer.owner_user_id,
                    last_touch=r.last_touch,
                    mention_count=r.mention_count,
                )
                for r in rows
            ),
            total=customer_rows.count(session, team_id=team_id),
        )


def _require_owner(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, customer: tuple[str, str], what: str
) -> None:
    """Removing or re-owning a customer is for its owner or an admin (docs/permissions.md)."""
    name, owner = customer
    access.require(
        deps,
        client,
        team_id=team_id,
        user_id=user_id,
        owners=(owner,),
        refusal=access.CUSTOMER_REFUSAL.format(name=name, what=what),
        example=f"/customer {name}",
    )


def _name_and_owner(deps: Deps, *, team_id: str, query: str, command: str) -> tuple[str, str]:
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=query, command=command)
        return customer.name, customer.owner_user_id


def set_owner(deps: Deps, client: WebClient, *, team_id: str, query: str, owner_user_id: str, user_id: str) -> str:
    """Give a customer a new owner (its owner or an admin may); returns the customer's name."""
    found = _name_and_owner(deps, team_id=team_id, query=query, command="/customer owner")
    _require_owner(deps, client, team_id=team_id, user_id=user_id, customer=found, what="change its owner")
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=query, command="/customer owner")
        customer.owner_user_id = owner_user_id
        return customer.name


def set_backup(
    deps: Deps, client: WebClient, *, team_id: str, query: str, backup_user_id: str | None, user_id: str
) -> tuple[str, str | None]:
    """Give a customer a backup owner, or none (its owner or an admin may); returns (its name, the backup).

    The owner cannot be their own backup: the backup is who is alerted while the owner is away."""
    found = _name_and_owner(deps, team_id=team_id, query=query, command="/customer backup")
    if backup_user_id is not None and backup_user_id == found[1]:
        raise BadCommand(
            f"That person already owns {found[0]}: the backup is someone else, alerted too while the owner is away.",
            example=f"/customer backup {found[0]} @lee",
        )
    _require_owner(deps, client, team_id=team_id, user_id=user_id, customer=found, what="change its backup owner")
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=query, command="/customer backup")
        customer.backup_user_id = backup_user_id
        return customer.name, backup_user_id


def add_alias(deps: Deps, *, team_id: str, text: str) -> NameMatching:
    """Split `text` into an existing customer and a new alias (longest known name first); add the alias."""
    words = text.split()
    try:
        with deps.session_factory.begin() as session:
            for cut in range(len(words) - 1, 0, -1):
                key = normalize_name(" ".join(words[:cut]))
                customer = customer_rows.by_name_key(session, team_id=team_id, name_key=key)
                if customer is None:
                    continue
                alias = _checked_name(session, team_id=team_id, text=" ".join(words[cut:]))
                if alias is None:
                    raise BadCommand(
                        "An alias needs at least one letter or digit.", example="/customer alias Acme Acme Labs"
                    )
                customer_rows.add_name(session, team_id=team_id, customer=customer, name=alias[0], name_key=alias[1])
                return name_matching(alias[0], customer=customer.name, exact=None)
    except IntegrityError:
        raise DuplicateName(
            "That alias was just added by someone else.", name=" ".join(words[1:]), example="/customer list"
        ) from None
    # No prefix is an exact name: let the first word stand for a customer the usual way.
    with deps.session_factory.begin() as session:
        resolve_customer(session, team_id=team_id, query=words[0], command="/customer alias")
    raise BadCommand(
        "Start with the customer's full name or an alias it already has, then the new alias.",
        example="/customer alias Acme Corp Acme Labs",
    )


def set_exact(deps: Deps, *, team_id: str, query: str, exact: bool | None) -> NameMatching:
    """Switch a name's only-as-written matching on or off (None: just say how it is matched now).

    `query` is a name or alias; anything else stands for a customer (as in `/customer NAME`) and means its name."""
    with deps.session_factory.begin() as session:
        row = customer_rows.name_row(session, team_id=team_id, name_key=normalize_name(query))
        if row is None:
            customer = resolve_customer(session, team_id=team_id, query=query, command="/customer exact")
            row = next(n for n in customer.names if n.is_primary)
        if exact is not None:
            customer_rows.set_exact(session, team_id=team_id, name=row, exact=exact)
        return name_matching(row.name, customer=row.customer.name, exact=row.exact)


def _removal(session: Session, customer: Customer) -> CustomerRemoval:
    seen = customer_rows.footprint(session, team_id=customer.team_id, customer_id=customer.id)
    return CustomerRemoval(
        customer_id=customer.id,
        name=customer.name,
        mentions=seen.mentions,
        open_followups=seen.open_followups,
        stories=seen.stories,
        channel_ids=seen.channel_ids,
    )


def removal_question(deps: Deps, client: WebClient, *, team_id: str, query: str, user_id: str) -> CustomerRemoval:
    """What removing the customer would delete and keep, for its owner or an admin to confirm; nothing changes."""
    found = _name_and_owner(deps, team_id=team_id, query=query, command="/customer remove")
    _require_owner(deps, client, team_id=team_id, user_id=user_id, customer=found, what="remove it")
    with deps.session_factory.begin() as session:
        return _removal(session, resolve_customer(session, team_id=team_id, query=query, command="/customer remove"))


def name_of(deps: Deps, *, team_id: str, customer_id: int) -> str | None:
    """The customer's name, if it still exists."""
    with deps.session_factory.begin() as session:
        customer = customer_rows.get(session, team_id=team_id, customer_id=customer_id)
        return customer.name if customer is not None else None


def _gone() -> BadCommand:
    return BadCommand("That customer was already removed.", example="/customer list")


def remove_customer(deps: Deps, client: WebClient, *, team_id: str, customer_id: int, user_id: str) -> CustomerRemoval:
    """Remove a confirmed customer (its owner or an admin, checked again): its names, mentions and waiting
    messages are deleted and its channels unlinked; its follow-ups and stories stay, without the customer."""
    with deps.session_factory.begin() as session:
        customer = customer_rows.get(session, team_id=team_id, customer_id=customer_id)
        if customer is None:
            raise _gone()
        found = customer.name, customer.owner_user_id
    _require_owner(deps, client, team_id=team_id, user_id=user_id, customer=found, what="remove it")
    with deps.session_factory.begin() as session:
        customer = customer_rows.for_update(session, team_id=team_id, customer_id=customer_id)
        if customer is None:
            raise _gone()
        removal = _removal(session, customer)
        customer_rows.remove(session, team_id=team_id, customer=customer)
        return removal


def link_channel(deps: Deps, *, team_id: str, query: str, channel_id: str) -> str:
    """Link the channel the command was typed in to a customer; returns the customer's name."""
    if not channel_id.startswith(("C", "G")):
        raise NotWatched(
            "Run this inside the channel you share with the customer, not in a direct message.",
            example="/customer link Acme",
        )
    now = deps.clock()
    with deps.session_factory.begin() as session:
        customer = resolve_customer(session, team_id=team_id, query=query, command="/customer link")
        row = channel_rows.get(session, team_id=team_id, channel_id=channel_id)
        if row is None or not row.is_watched:
            raise NotWatched(
                "I'm not in this channel yet, so I couldn't hear it. Invite me first with `/invite @Rapport`, "
                "then link it.",
                example="/customer link Acme",
            )
        channel_rows.upsert(session, team_id=team_id, channel_id=channel_id, now=now, customer_id=customer.id)
        return customer.name


def import_customers(
    deps: Deps,
    *,
    team_id: str,
    rows: Sequence[ImportRow],
    resolve_owner: Callable[[str], str],
    default_owner: str | None,
) -> ImportReport:
    """Add every good row, each in its own transaction; report each bad row and change nothing for it.

    `resolve_owner` reads the owner and backup cells (a Slack user ID or an email)."""
    added: list[str] = []
    problems: list[tuple[int, str]] = []
    for row in rows:
        try:
            if not clean_name(row.name):
                raise BadCommand("the name is empty")
            owner = resolve_owner(row.owner) if row.owner.strip() else default_owner
            if owner is None:
                raise BadCommand("no owner: give a Slack user ID or email, or pass --owner")
            since = parse_date(row.since) if row.since.strip() else None
            backup = resolve_owner(row.backup) if row.backup.strip() else None
            if backup is not None and backup == owner:
                raise BadCommand("the backup is the owner: give someone else, or leave `backup` empty")
            command = AddCustomer(
                name=row.name,
                aliases=tuple(a for a in (clean_name(x) for x in row.aliases.split(";")) if a),
                owner_user_id=owner,
                since=since,
                backup_user_id=backup,
            )
            added.append(add_customer(deps, team_id=team_id, command=command, created_by=owner).name)
        except (BadCommand, BadDate, DuplicateName) as problem:
            problems.append((row.line, problem.message))
    return ImportReport(added=tuple(added), problems=tuple(problems))
