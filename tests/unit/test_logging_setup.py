"""Logs carry no secrets and none of the values a database error quotes, whoever wrote them."""

from __future__ import annotations

import io
import logging

from bot.logging_setup import RedactSecrets

UNIQUE_VIOLATION = (
    'duplicate key value violates unique constraint "uq_customer_names"\n'
    "DETAIL:  Key (team_id, name_key)=(T0SIM0001, acme secret merger) already exists.\n"
    "[SQL: INSERT INTO customer_names (team_id, name, name_key) VALUES (%(team_id)s, %(name)s, %(name_key)s)]\n"
    "[parameters: {'team_id': 'T0SIM0001', 'name': 'Acme secret merger', 'name_key': 'acme secret merger'}]"
)


def test_database_error_details_and_parameters_are_scrubbed() -> None:
    scrubbed = RedactSecrets().scrub(UNIQUE_VIOLATION)
    assert "secret" not in scrubbed
    assert "DETAIL: [redacted]" in scrubbed and "[parameters redacted]" in scrubbed
    assert "[SQL: INSERT INTO customer_names" in scrubbed  # which statement failed is still there


def test_a_logged_database_error_keeps_its_statement_and_loses_its_values() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactSecrets())  # as configure_logging sets up every handler
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("tests.logging_setup")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        try:
            raise RuntimeError(UNIQUE_VIOLATION)
        except RuntimeError:
            logger.exception("listener failed on kind=command")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "listener failed" in written and "INSERT INTO customer_names" in written
    assert "secret" not in written and "merger" not in written
