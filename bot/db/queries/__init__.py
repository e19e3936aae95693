"""Every query Rapport makes, one module per aggregate.

Callers import the modules, never their functions, each under the same name everywhere: ``<aggregate>_rows``
(singular), so a call site says which rows it touches and never reads like a service of the same name::

    from bot.db.queries import customers as customer_rows
    from bot.db.queries import outbox as outbox_rows

    customer = customer_rows.by_name_key(session, team_id=team_id, name_key=key)

Functions take ``session`` keyword-only and never commit: the service's transaction does. Each takes ``team_id``
keyword-only and reads, changes or inserts only that workspace's rows. Functions given rows or objects of a
workspace (``mentions.add``, ``settings.add_changes``, ``customers.add_name``, ``customers.remove``) refuse
ones of another. A row stored by two paths is built by one constructor, its module's ``new_row``.

A few span every workspace by design, and say so in their docstrings:

- the jobs' sweeps: ``events.prune_before`` (old event ids), ``followups.to_remind`` (due reminders),
  ``recurrences.to_roll`` (repeating follow-ups whose next occurrence came),
  ``waits.waiting`` and ``waits.lock_waiting`` (unanswered customers' messages, keyed with their team),
  ``privacy.retention_days_by_team``, and ``workspaces.all_team_ids`` for jobs that go workspace by workspace;
- the outbox sender's: ``outbox.claim_due``, ``outbox.claimed`` and ``outbox.finish_claimed`` (one sender
  serves every workspace, and addresses a row by its id and its claim);
- ``outbox.count_by_state``, for /metrics;
- ``intake``: the path every new message takes, on the driver's own connection. One transaction there serves
  a batch of messages from several workspaces; its reads and per-person writes take ``team_id``, its batch
  inserts take rows that each carry their own (built by the constructors above).

``_shared`` holds what the modules share (INSERT … ON CONFLICT, row locks); nothing outside this package uses it.
"""
