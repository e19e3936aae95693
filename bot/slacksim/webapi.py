"""The Web API methods the simulator implements, answering with Slack's response shapes."""

from __future__ import annotations

import base64
import contextlib
import copy
import json
import uuid
from collections.abc import Callable
from typing import Any

from bot.slacksim.state import JsonDict, SimState
from bot.slacksim.workspace import SimChannel, SimUser

# Arguments each method insists on; the spec-conformance test checks every one is declared by Slack's OpenAPI.
REQUIRED_ARGS: dict[str, tuple[str, ...]] = {
    "apps.connections.open": (),
    "auth.test": (),
    "chat.delete": ("channel", "ts"),
    "chat.getPermalink": ("channel", "message_ts"),
    "chat.postEphemeral": ("channel", "user"),
    "chat.postMessage": ("channel",),
    "chat.update": ("channel", "ts"),
    "conversations.history": ("channel",),
    "conversations.info": ("channel",),
    "conversations.join": ("channel",),
    "conversations.list": (),
    "conversations.members": ("channel",),
    "conversations.open": (),  # needs channel or users; checked in the handler
    "conversations.replies": ("channel", "ts"),
    "reactions.add": ("channel", "timestamp", "name"),
    "reactions.remove": ("channel", "timestamp", "name"),
    "team.info": (),
    "users.info": ("user",),
    "users.list": (),
    "users.lookupByEmail": ("email",),
    "views.open": ("trigger_id", "view"),
    "views.publish": ("user_id", "view"),
    "views.push": ("trigger_id", "view"),
    "views.update": ("view",),  # plus view_id or external_id; checked in the handler
}

SUPPORTED_METHODS: tuple[str, ...] = tuple(sorted(REQUIRED_ARGS))

# Fields the SDK sends JSON-encoded inside form posts but as objects inside JSON bodies.
JSON_FIELDS = ("blocks", "attachments", "view", "metadata")

# Block Kit limits from Slack's documentation, enforced so a bot that breaks them fails here, not in prod.
_MESSAGE_BLOCKS = 50
_VIEW_BLOCKS = 100
_TEXT_LIMITS = {"section": 3000, "header": 150}
_BUTTON_TEXT = 75
_ID_LIMIT = 255
_MODAL_TITLE = 24
_PRIVATE_METADATA = 3000
_MESSAGE_TEXT = 40000


class SlackError(Exception):
    """A Slack-level failure: answered as HTTP 200 {"ok": false, "error": ...}."""

    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra

    def body(self) -> JsonDict:
        """Return the JSON body Slack would send."""
        return {"ok": False, "error": self.error, **self.extra}


def invalid_arguments(*messages: str) -> SlackError:
    """Return Slack's invalid_arguments error with its response_metadata messages."""
    return SlackError("invalid_arguments", response_metadata={"messages": list(messages)})


def missing(name: str) -> SlackError:
    """Return the error for a missing required argument."""
    return invalid_arguments(f"[ERROR] missing required field: {name}")


def normalize_args(args: JsonDict) -> JsonDict:
    """Decode JSON-string fields (blocks, view, ...) so handlers and recorded calls see objects."""
    out = dict(args)
    for key in JSON_FIELDS:
        value = out.get(key)
        if isinstance(value, str) and value.strip():
            # Undecodable values stay strings; the handler reports them the way Slack does.
            with contextlib.suppress(json.JSONDecodeError):
                out[key] = json.loads(value)
    return out


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    return bool(value)


def _int_arg(args: JsonDict, name: str, default: int) -> int:
    value = args.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid_arguments(f"[ERROR] invalid value for {name}") from None


def _page(items: list[Any], args: JsonDict, default_limit: int) -> tuple[list[Any], str]:
    """Cursor-paginate a list the way Slack does (opaque base64 cursor, empty when done)."""
    limit = _int_arg(args, "limit", default_limit) or len(items) or 1
    cursor = args.get("cursor") or ""
    start = 0
    if cursor:
        try:
            start = int(base64.b64decode(cursor).decode().split(":", 1)[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            raise SlackError("invalid_cursor") from None
    chunk = items[start : start + limit]
    end = start + len(chunk)
    next_cursor = base64.b64encode(f"next:{end}".encode()).decode() if end < len(items) else ""
    return chunk, next_cursor


def _text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def validate_blocks(blocks: Any, limit: int, pointer: str = "/blocks") -> list[str]:
    """Return Slack-style error messages for blocks that break Block Kit limits (empty when valid)."""
    if not isinstance(blocks, list):
        return [f"[ERROR] must be an array [json-pointer:{pointer}]"]
    errors: list[str] = []
    if len(blocks) > limit:
        errors.append(f"[ERROR] no more than {limit} items allowed [json-pointer:{pointer}]")
    for i, block in enumerate(blocks):
        here = f"{pointer}/{i}"
        if not isinstance(block, dict) or not block.get("type"):
            errors.append(f"[ERROR] missing required field: type [json-pointer:{here}]")
            continue
        if len(str(block.get("block_id", ""))) > _ID_LIMIT:
            errors.append(f"[ERROR] must be less than {_ID_LIMIT + 1} characters [json-pointer:{here}/block_id]")
        text_limit = _TEXT_LIMITS.get(block["type"])
        if text_limit is not None and len(_text_of(block.get("text"))) > text_limit:
            errors.append(f"[ERROR] must be less than {text_limit + 1} characters [json-pointer:{here}/text]")
        elements = list(block.get("elements") or []) if block["type"] == "actions" else []
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        if isinstance(block.get("element"), dict):
            elements.append(block["element"])
        for j, el in enumerate(elements):
            if not isinstance(el, dict):
                continue
            if len(str(el.get("action_id", ""))) > _ID_LIMIT:
                errors.append(
                    f"[ERROR] must be less than {_ID_LIMIT + 1} characters [json-pointer:{here}/elements/{j}/action_id]"
                )
            if el.get("type") == "button" and len(_text_of(el.get("text"))) > _BUTTON_TEXT:
                errors.append(
                    f"[ERROR] must be less than {_BUTTON_TEXT + 1} characters [json-pointer:{here}/elements/{j}/text]"
                )
    return errors


def validate_view(view: Any) -> JsonDict:
    """Check a view argument and return it as a dict, raising invalid_arguments like Slack."""
    if not isinstance(view, dict):
        raise invalid_arguments("[ERROR] failed to match all allowed schemas [json-pointer:/view]")
    errors: list[str] = []
    vtype = view.get("type")
    if vtype not in ("modal", "home"):
        errors.append("[ERROR] must be one of modal, home [json-pointer:/view/type]")
    if vtype == "modal":
        title = _text_of(view.get("title"))
        if not title:
            errors.append("[ERROR] missing required field: title [json-pointer:/view]")
        elif len(title) > _MODAL_TITLE:
            errors.append(f"[ERROR] must be less than {_MODAL_TITLE + 1} characters [json-pointer:/view/title/text]")
    if len(str(view.get("private_metadata", ""))) > _PRIVATE_METADATA:
        errors.append(
            f"[ERROR] must be less than {_PRIVATE_METADATA + 1} characters [json-pointer:/view/private_metadata]"
        )
    errors += validate_blocks(view.get("blocks", []), _VIEW_BLOCKS, "/view/blocks")
    if errors:
        raise invalid_arguments(*errors)
    return view


Handler = Callable[[JsonDict], JsonDict]


class WebApi:
    """Implements each Web API method on top of a SimState (caller holds the simulator lock)."""

    def __init__(self, state: SimState, socket_url: Callable[[], str]) -> None:
        self.state = state
        self.ws = state.workspace
        self._socket_url = socket_url
        self.handlers: dict[str, Handler] = {
            "apps.connections.open": self.apps_connections_open,
            "auth.test": self.auth_test,
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "conversations.history": self.conversations_history,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.list": self.conversations_list,
            "conversations.members": self.conversations_members,
            "conversations.open": self.conversations_open,
            "conversations.replies": self.conversations_replies,
            "reactions.add": self.reactions_add,
            "reactions.remove": self.reactions_remove,
            "team.info": self.team_info,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "users.lookupByEmail": self.users_lookup_by_email,
            "views.open": self.views_open,
            "views.publish": self.views_publish,
            "views.push": self.views_push,
            "views.update": self.views_update,
        }

    def call(self, method: str, args: JsonDict) -> JsonDict:
        """Run one method (already authenticated) and return its JSON body; SlackError on failure."""
        handler = self.handlers.get(method)
        if handler is None:
            raise SlackError("unknown_method", req_method=method)
        for name in REQUIRED_ARGS.get(method, ()):
            if args.get(name) in (None, ""):
                raise missing(name)
        return handler(args)

    def post_message_channel_key(self, args: JsonDict) -> str | None:
        """Return the channel id a chat.postMessage counts against (a user id counts as their DM)."""
        ref = args.get("channel")
        if not isinstance(ref, str) or not ref:
            return None
        user = self.ws.user(ref)
        if user is not None:
            return "D" + user.id[1:]
        ch = self.state.resolve(ref)
        return ch.id if ch is not None else ref

    # --- helpers -------------------------------------------------------------------------------------

    def _now(self) -> float:
        return self.state.clock()

    def _user(self, user_id: Any, error: str = "user_not_found") -> SimUser:
        user = self.ws.user(str(user_id))
        if user is None:
            raise SlackError(error)
        return user

    def _visible_channel(self, ref: Any) -> SimChannel:
        """Resolve a conversation the bot can see (private ones only when it is a member)."""
        ch = self.state.resolve(str(ref))
        if ch is None or (ch.is_private and not ch.is_im and not ch.bot_is_member):
            raise SlackError("channel_not_found")
        return ch

    def _postable_channel(self, ref: Any) -> SimChannel:
        """Resolve where a bot post goes: a user id means the bot's DM with that user."""
        ref = str(ref)
        if ref[:1] in ("U", "W") and self.ws.channel(ref) is None:
            user = self._user(ref)
            if user.is_bot:
                raise SlackError("cannot_dm_bot")
            if user.deleted:
                raise SlackError("account_inactive")
            return self.state.im_for(user.id)
        ch = self._visible_channel(ref)
        if ch.is_archived:
            raise SlackError("is_archived")
        if ch.is_im:
            other = self.ws.user(ch.user or "")
            if other is not None and other.deleted:
                raise SlackError("account_inactive")
        elif not ch.bot_is_member:
            raise SlackError("not_in_channel")
        return ch

    def _message_content(self, args: JsonDict) -> tuple[str, Any, Any]:
        text = args.get("text")
        blocks = args.get("blocks")
        attachments = args.get("attachments")
        if isinstance(blocks, str):
            if blocks.strip():
                raise SlackError("invalid_blocks_format")
            blocks = None
        if isinstance(attachments, str):
            if attachments.strip():
                raise SlackError("invalid_attachments")
            attachments = None
        if not text and not blocks and not attachments:
            raise SlackError("no_text")
        if blocks is not None:
            errors = validate_blocks(blocks, _MESSAGE_BLOCKS)
            if errors:
                raise SlackError("invalid_blocks", response_metadata={"messages": errors})
        text = "" if text is None else str(text)
        if len(text) > _MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        return text, blocks, attachments

    def _message(self, ch: SimChannel, ts: Any) -> JsonDict:
        msg = self.state.find_message(ch.id, str(ts))
        if msg is None:
            raise SlackError("message_not_found")
        return msg

    def _channel_object(self, ch: SimChannel) -> JsonDict:
        ws = self.ws
        now = int(self._now())
        if ch.is_im:
            return {
                "id": ch.id,
                "created": ch.created,
                "is_archived": False,
                "is_im": True,
                "is_org_shared": False,
                "context_team_id": ws.team_id,
                "updated": ch.created * 1000,
                "user": ch.user,
                "is_user_deleted": bool((u := ws.user(ch.user or "")) and u.deleted),
                "priority": 0,
                "last_read": "0000000000.000000",
                "latest": None,
                "unread_count": 0,
                "unread_count_display": 0,
                "is_open": True,
            }
        obj: JsonDict = {
            "id": ch.id,
            "name": ch.name,
            "is_channel": not ch.is_private and not ch.is_mpim,
            "is_group": ch.is_private and not ch.is_mpim,
            "is_im": False,
            "is_mpim": ch.is_mpim,
            "is_private": ch.is_private,
            "created": ch.created,
            "is_archived": ch.is_archived,
            "is_general": ch.name == "general",
            "unlinked": 0,
            "name_normalized": ch.name,
            "is_shared": ch.is_ext_shared,
            "is_org_shared": False,
            "is_pending_ext_shared": False,
            "pending_shared": [],
            "context_team_id": ws.team_id,
            "updated": now * 1000,
            "creator": ch.creator,
            "is_ext_shared": ch.is_ext_shared,
            "shared_team_ids": [ws.team_id, *ch.shared_team_ids],
            "pending_connected_team_ids": [],
            "is_member": ch.bot_is_member,
            "last_read": "0000000000.000000",
            "topic": {"value": ch.topic, "creator": ch.creator if ch.topic else "", "last_set": 0},
            "purpose": {"value": ch.purpose, "creator": ch.creator if ch.purpose else "", "last_set": 0},
            "previous_names": [],
            "num_members": len(self.ws.members_of(ch)),
        }
        if ch.is_ext_shared:
            obj["conversation_host_id"] = ws.team_id
            obj["internal_team_ids"] = [ws.team_id]
            obj["connected_team_ids"] = [ws.team_id, *ch.shared_team_ids]
        return obj

    def _render_view(self, view: JsonDict, view_id: str, previous: JsonDict | None = None) -> JsonDict:
        ws = self.ws
        base: JsonDict = {
            "id": view_id,
            "team_id": ws.team_id,
            "type": view.get("type"),
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "state": {"values": {}},
            "hash": "",
            "title": None,
            "clear_on_close": False,
            "notify_on_close": False,
            "close": None,
            "submit": None,
            "previous_view_id": None,
            "root_view_id": view_id,
            "app_id": ws.api_app_id,
            "external_id": "",
            "app_installed_team_id": ws.team_id,
            "bot_id": ws.bot_id,
        }
        if previous is not None:
            for key in ("previous_view_id", "root_view_id", "state"):
                base[key] = previous.get(key, base[key])
        rendered = {**base, **copy.deepcopy(view)}
        rendered["id"] = view_id
        rendered["hash"] = f"{int(self._now())}.{uuid.uuid4().hex[:8]}"
        if rendered.get("external_id"):
            for other in self.state.views.values():
                if other["id"] != view_id and other.get("external_id") == rendered["external_id"]:
                    raise SlackError("duplicate_external_id")
        return rendered

    def _trigger(self, args: JsonDict) -> str | None:
        trigger = str(args["trigger_id"])
        if trigger not in self.state.triggers:
            raise SlackError("invalid_trigger_id")
        return self.state.triggers[trigger]

    # --- methods -------------------------------------------------------------------------------------

    def auth_test(self, args: JsonDict) -> JsonDict:
        """auth.test for the bot token."""
        ws = self.ws
        return {
            "ok": True,
            "url": f"https://{ws.domain}.slack.com/",
            "team": ws.team_name,
            "user": ws.bot_name,
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }

    def apps_connections_open(self, args: JsonDict) -> JsonDict:
        """apps.connections.open: issue a Socket Mode URL with a fresh ticket."""
        ticket = str(uuid.uuid4())
        self.state.tickets.add(ticket)
        return {"ok": True, "url": f"{self._socket_url()}?ticket={ticket}"}

    def chat_post_message(self, args: JsonDict) -> JsonDict:
        """chat.postMessage to a channel, or to a user id (the bot's DM with them)."""
        ch = self._postable_channel(args["channel"])
        text, blocks, attachments = self._message_content(args)
        thread_ts = args.get("thread_ts") or None
        msg = self.state.bot_message(text, blocks=blocks, attachments=attachments, thread_ts=thread_ts)
        if thread_ts and _truthy(args.get("reply_broadcast")):
            msg["subtype"] = "thread_broadcast"
        if isinstance(args.get("metadata"), dict):
            msg["metadata"] = args["metadata"]
        self.state.add_message(ch.id, msg)
        return {"ok": True, "channel": ch.id, "ts": msg["ts"], "message": copy.deepcopy(msg)}

    def chat_post_ephemeral(self, args: JsonDict) -> JsonDict:
        """chat.postEphemeral: recorded per recipient, not added to history."""
        ch = self._postable_channel(args["channel"])
        user = self._user(args["user"])
        if user.id not in self.ws.members_of(ch):
            raise SlackError("user_not_in_channel")
        text, blocks, attachments = self._message_content(args)
        ts = self.state.next_ts()
        record: JsonDict = {"channel": ch.id, "user": user.id, "text": text, "message_ts": ts}
        if blocks is not None:
            record["blocks"] = blocks
        if attachments is not None:
            record["attachments"] = attachments
        if args.get("thread_ts"):
            record["thread_ts"] = args["thread_ts"]
        self.state.ephemerals.append(record)
        return {"ok": True, "message_ts": ts}

    def chat_update(self, args: JsonDict) -> JsonDict:
        """chat.update on one of the bot's messages."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["ts"])
        if msg.get("bot_id") != self.ws.bot_id:
            raise SlackError("cant_update_message")
        text, blocks, attachments = self._message_content(args)
        msg["text"] = text
        if blocks is not None:
            msg["blocks"] = blocks
        if attachments is not None:
            msg["attachments"] = attachments
        msg["edited"] = {"user": self.ws.bot_user_id, "ts": self.state.next_ts()}
        return {"ok": True, "channel": ch.id, "ts": msg["ts"], "text": text, "message": copy.deepcopy(msg)}

    def chat_delete(self, args: JsonDict) -> JsonDict:
        """chat.delete on one of the bot's messages."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["ts"])
        if msg.get("bot_id") != self.ws.bot_id:
            raise SlackError("cant_delete_message")
        self.state.remove_message(ch.id, msg["ts"])
        return {"ok": True, "channel": ch.id, "ts": msg["ts"]}

    def chat_get_permalink(self, args: JsonDict) -> JsonDict:
        """chat.getPermalink for a stored message."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["message_ts"])
        link = f"https://{self.ws.domain}.slack.com/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
        thread_ts = msg.get("thread_ts")
        if thread_ts and thread_ts != msg["ts"]:
            link += f"?thread_ts={thread_ts}&cid={ch.id}"
        return {"ok": True, "permalink": link, "channel": ch.id}

    def users_info(self, args: JsonDict) -> JsonDict:
        """users.info."""
        user = self._user(args["user"])
        return {"ok": True, "user": user.to_api(self.ws, self._now())}

    def users_lookup_by_email(self, args: JsonDict) -> JsonDict:
        """users.lookupByEmail (case-insensitive)."""
        email = str(args["email"]).lower()
        user = next((u for u in self.ws.users if (u.email or "").lower() == email), None)
        if user is None:
            raise SlackError("users_not_found")
        return {"ok": True, "user": user.to_api(self.ws, self._now())}

    def users_list(self, args: JsonDict) -> JsonDict:
        """users.list of the workspace's own members (bots and deactivated users included)."""
        now = self._now()
        members = [u for u in self.ws.users if not self.ws.is_external(u)]
        chunk, cursor = _page(members, args, 0)
        return {
            "ok": True,
            "members": [u.to_api(self.ws, now) for u in chunk],
            "cache_ts": int(now),
            "response_metadata": {"next_cursor": cursor},
        }

    def conversations_info(self, args: JsonDict) -> JsonDict:
        """conversations.info."""
        ch = self._visible_channel(args["channel"])
        return {"ok": True, "channel": self._channel_object(ch)}

    def conversations_members(self, args: JsonDict) -> JsonDict:
        """conversations.members with cursor pagination."""
        ch = self._visible_channel(args["channel"])
        chunk, cursor = _page(self.ws.members_of(ch), args, 100)
        return {"ok": True, "members": chunk, "response_metadata": {"next_cursor": cursor}}

    def conversations_open(self, args: JsonDict) -> JsonDict:
        """conversations.open for a DM (one user) or group DM (several users), or an existing channel."""
        if args.get("channel"):
            ch = self._visible_channel(args["channel"])
            if not (ch.is_im or ch.is_mpim):
                raise SlackError("method_not_supported_for_channel_type")
        elif args.get("users"):
            raw = args["users"]
            ids = raw if isinstance(raw, list) else [u.strip() for u in str(raw).split(",") if u.strip()]
            for uid in ids:
                user = self._user(uid)
                if user.is_bot and user.id != self.ws.bot_user_id:
                    raise SlackError("cannot_dm_bot")
            if len(ids) > 8:
                raise SlackError("too_many_users")
            humans = [u for u in ids if u != self.ws.bot_user_id]
            if not humans:
                raise SlackError("cannot_dm_bot")
            ch = self.state.im_for(humans[0]) if len(humans) == 1 else self.state.mpim_for(humans)
        else:
            raise SlackError("users_list_not_supplied")
        if _truthy(args.get("return_im")):
            return {"ok": True, "channel": self._channel_object(ch)}
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": ch.id}}

    def conversations_history(self, args: JsonDict) -> JsonDict:
        """conversations.history: top-level messages, newest first."""
        ch = self._visible_channel(args["channel"])
        if not ch.is_im and not ch.bot_is_member:
            raise SlackError("not_in_channel")
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or 1e12)
        inclusive = _truthy(args.get("inclusive"))
        msgs = []
        for m in reversed(self.state.history(ch.id)):
            ts = float(m["ts"])
            in_range = oldest <= ts <= latest if inclusive else oldest < ts < latest
            top_level = m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            if in_range and top_level:
                msgs.append(copy.deepcopy(m))
        chunk, cursor = _page(msgs, args, 100)
        return {
            "ok": True,
            "messages": chunk,
            "has_more": bool(cursor),
            "pin_count": 0,
            "response_metadata": {"next_cursor": cursor},
        }

    def conversations_replies(self, args: JsonDict) -> JsonDict:
        """conversations.replies: the parent then its replies, oldest first."""
        ch = self._visible_channel(args["channel"])
        ts = str(args["ts"])
        parent = self.state.find_message(ch.id, ts)
        if parent is None:
            raise SlackError("thread_not_found")
        root = parent.get("thread_ts") or ts
        msgs = [copy.deepcopy(m) for m in self.state.history(ch.id) if m["ts"] == root or m.get("thread_ts") == root]
        chunk, cursor = _page(msgs, args, 1000)
        return {
            "ok": True,
            "messages": chunk,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def conversations_list(self, args: JsonDict) -> JsonDict:
        """conversations.list filtered by types, showing private ones only where the bot is a member."""
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()}
        exclude_archived = _truthy(args.get("exclude_archived"))
        chans: list[SimChannel] = []
        for ch in self.ws.channels:
            if exclude_archived and ch.is_archived:
                continue
            if ("private_channel" if ch.is_private else "public_channel") not in types:
                continue
            if ch.is_private and not ch.bot_is_member:
                continue
            chans.append(ch)
        if "im" in types:
            chans += list(self.state.ims.values())
        if "mpim" in types:
            chans += list(self.state.mpims.values())
        chunk, cursor = _page(chans, args, 100)
        return {
            "ok": True,
            "channels": [self._channel_object(c) for c in chunk],
            "response_metadata": {"next_cursor": cursor},
        }

    def conversations_join(self, args: JsonDict) -> JsonDict:
        """conversations.join: the bot joins a public channel."""
        ch = self._visible_channel(args["channel"])
        if ch.is_private or ch.is_im or ch.is_mpim:
            raise SlackError("method_not_supported_for_channel_type")
        if ch.is_archived:
            raise SlackError("is_archived")
        body: JsonDict = {"ok": True}
        if ch.bot_is_member:
            body["warning"] = "already_in_channel"
            body["response_metadata"] = {"warnings": ["already_in_channel"]}
        ch.bot_is_member = True
        body["channel"] = self._channel_object(ch)
        return body

    def reactions_add(self, args: JsonDict) -> JsonDict:
        """reactions.add by the bot."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["timestamp"])
        name = str(args["name"]).strip(":")
        reactions: list[JsonDict] = msg.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": [], "count": 0}
            reactions.append(entry)
        if self.ws.bot_user_id in entry["users"]:
            raise SlackError("already_reacted")
        entry["users"].append(self.ws.bot_user_id)
        entry["count"] = len(entry["users"])
        return {"ok": True}

    def reactions_remove(self, args: JsonDict) -> JsonDict:
        """reactions.remove by the bot."""
        ch = self._visible_channel(args["channel"])
        msg = self._message(ch, args["timestamp"])
        name = str(args["name"]).strip(":")
        reactions: list[JsonDict] = msg.get("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None or self.ws.bot_user_id not in entry["users"]:
            raise SlackError("no_reaction")
        entry["users"].remove(self.ws.bot_user_id)
        entry["count"] = len(entry["users"])
        if not entry["users"]:
            reactions.remove(entry)
        return {"ok": True}

    def team_info(self, args: JsonDict) -> JsonDict:
        """team.info for the workspace or a Slack Connect partner team."""
        ws = self.ws
        team_id = str(args.get("team") or ws.team_id)
        if team_id == ws.team_id:
            name, domain, email_domain = ws.team_name, ws.domain, ws.email_domain
        elif team_id in ws.external_teams:
            name = ws.external_teams[team_id]
            domain = name.lower().replace(" ", "-")
            email_domain = ""
        else:
            raise SlackError("team_not_found")
        icons = {
            f"image_{n}": f"https://a.slack-edge.com/sim/team_{team_id}_{n}.png"
            for n in (34, 44, 68, 88, 102, 132, 230)
        }
        return {
            "ok": True,
            "team": {
                "id": team_id,
                "name": name,
                "url": f"https://{domain}.slack.com/",
                "domain": domain,
                "email_domain": email_domain,
                "icon": {**icons, "image_default": True},
                "avatar_base_url": "https://ca.slack-edge.com/",
                "is_verified": False,
                "lob_sales_home_enabled": False,
                "is_sfdc_auto_slack": False,
            },
        }

    def views_open(self, args: JsonDict) -> JsonDict:
        """views.open with a trigger the simulator issued."""
        user = self._trigger(args)
        view = validate_view(args["view"])
        if view.get("type") != "modal":
            raise invalid_arguments("[ERROR] must be one of modal [json-pointer:/view/type]")
        rendered = self._render_view(view, self.state.next_id("V", 10))
        rendered["_user"] = user
        self.state.views[rendered["id"]] = rendered
        return {"ok": True, "view": _public_view(rendered)}

    def views_push(self, args: JsonDict) -> JsonDict:
        """views.push: a new modal on top of the stack."""
        user = self._trigger(args)
        view = validate_view(args["view"])
        if view.get("type") != "modal":
            raise invalid_arguments("[ERROR] must be one of modal [json-pointer:/view/type]")
        rendered = self._render_view(view, self.state.next_id("V", 10))
        rendered["_user"] = user
        self.state.views[rendered["id"]] = rendered
        return {"ok": True, "view": _public_view(rendered)}

    def views_update(self, args: JsonDict) -> JsonDict:
        """views.update by view_id or external_id, honouring hash."""
        view_id = args.get("view_id")
        external_id = args.get("external_id")
        if not view_id and not external_id:
            raise missing("view_id")
        if view_id:
            current = self.state.views.get(str(view_id))
        else:
            current = next((v for v in self.state.views.values() if v.get("external_id") == external_id), None)
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current.get("hash"):
            raise SlackError("hash_conflict")
        view = validate_view(args["view"])
        rendered = self._render_view(view, current["id"], previous=current)
        rendered["_user"] = current.get("_user")
        self.state.views[rendered["id"]] = rendered
        return {"ok": True, "view": _public_view(rendered)}

    def views_publish(self, args: JsonDict) -> JsonDict:
        """views.publish of a user's App Home."""
        user = self._user(args["user_id"])
        view = validate_view(args["view"])
        if view.get("type") != "home":
            raise invalid_arguments("[ERROR] must be one of home [json-pointer:/view/type]")
        current = self.state.home_views.get(user.id)
        if current is not None and args.get("hash") and args["hash"] != current.get("hash"):
            raise SlackError("hash_conflict")
        view_id = current["id"] if current is not None else self.state.next_id("V", 10)
        rendered = self._render_view(view, view_id, previous=current)
        self.state.home_views[user.id] = rendered
        return {"ok": True, "view": copy.deepcopy(rendered)}


def _public_view(view: JsonDict) -> JsonDict:
    return {k: copy.deepcopy(v) for k, v in view.items() if not k.startswith("_")}
