"""The simulator's Web API surface checked against Slack's own OpenAPI description."""

from __future__ import annotations

import json
from typing import Any

from bot.slacksim.webapi import REQUIRED_ARGS, SUPPORTED_METHODS
from tests.slacksim.helpers import SHARED

# Known gaps of the frozen 2020 spec, per tests/fixtures/slack/README.md.
NOT_IN_SPEC = {"apps.connections.open"}
# Methods Slack answers without a token (the spec declares none for them).
TOKENLESS = {"api.test"}
# Arguments a handler requires in one of several forms (checked in code, not via REQUIRED_ARGS).
ALTERNATIVE_ARGS = {"conversations.open": ("channel", "users"), "views.update": ("view_id", "external_id")}


def _spec_params() -> dict[str, set[str]]:
    spec: dict[str, Any] = json.loads((SHARED / "web-api-openapi-v2.json").read_text())
    params: dict[str, set[str]] = {}
    for path, ops in spec["paths"].items():
        names: set[str] = set()
        for op in ops.values():
            names |= {p["name"] for p in op.get("parameters", []) if isinstance(p, dict) and "name" in p}
        params[path.lstrip("/")] = names
    return params


def test_every_method_exists_in_the_spec() -> None:
    params = _spec_params()
    missing = [m for m in SUPPORTED_METHODS if m not in params and m not in NOT_IN_SPEC]
    assert not missing, f"simulated methods Slack's spec does not know: {missing}"


def test_every_required_argument_is_declared_by_the_spec() -> None:
    params = _spec_params()
    undeclared = [
        (method, arg)
        for method, args in REQUIRED_ARGS.items()
        if method not in NOT_IN_SPEC
        for arg in (*args, *ALTERNATIVE_ARGS.get(method, ()))
        if arg not in params[method]
    ]
    assert not undeclared, f"required arguments the spec does not declare: {undeclared}"


def test_spec_declares_token_for_every_simulated_method() -> None:
    params = _spec_params()
    assert all("token" in params[m] for m in SUPPORTED_METHODS if m not in NOT_IN_SPEC | TOKENLESS)
    assert all("token" not in params[m] for m in TOKENLESS)
