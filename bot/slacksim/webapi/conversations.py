"""conversations.*: what the bot can see of channels and DMs, their members and their history."""

from __future__ import annotations

import copy

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.args import page, truthy
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily
from bot.slacksim.workspace import SimChannel


class ConversationMethods(MethodFamily):
    """conversations.info, .members, .open, .history, .replies, .list and .join."""

    def handlers(self) -> dict[str, Handler]:
        """Return the conversations.* methods by name."""
        return {
            "conversations.history": self.conversations_history,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.list": self.conversations_list,
            "conversations.members": self.conversations_members,
            "conversations.open": self.conversations_open,
            "conversations.replies": self.conversations_replies,
        }

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
            obj["conversation_host_id"] = ch.host_team_id or ws.team_id
            obj["internal_team_ids"] = [ws.team_id]
            obj["connected_team_ids"] = [ws.team_id, *ch.shared_team_ids]
        return obj

    def conversations_info(self, args: JsonDict) -> JsonDict:
        """conversations.info."""
        ch = self._visible_channel(args["channel"])
        return {"ok": True, "channel": self._channel_object(ch)}

    def conversations_members(self, args: JsonDict) -> JsonDict:
        """conversations.members with cursor pagination."""
        ch = self._visible_channel(args["channel"])
        chunk, cursor = page(self.ws.members_of(ch), args, 100)
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
        if truthy(args.get("return_im")):
            return {"ok": True, "channel": self._channel_object(ch)}
        return {"ok": True, "no_op": True, "already_open": True, "channel": {"id": ch.id}}

    def conversations_history(self, args: JsonDict) -> JsonDict:
        """conversations.history: top-level messages, newest first."""
        ch = self._visible_channel(args["channel"])
        if not ch.is_im and not ch.bot_is_member:
            raise SlackError("not_in_channel")
        oldest = float(args.get("oldest") or 0)
        latest = float(args.get("latest") or 1e12)
        inclusive = truthy(args.get("inclusive"))
        msgs = []
        for m in reversed(self.state.history(ch.id)):
            ts = float(m["ts"])
            in_range = oldest <= ts <= latest if inclusive else oldest < ts < latest
            top_level = m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
            if in_range and top_level:
                msgs.append(copy.deepcopy(m))
        chunk, cursor = page(msgs, args, 100)
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
        chunk, cursor = page(msgs, args, 1000)
        return {
            "ok": True,
            "messages": chunk,
            "has_more": bool(cursor),
            "response_metadata": {"next_cursor": cursor},
        }

    def conversations_list(self, args: JsonDict) -> JsonDict:
        """conversations.list filtered by types, showing private ones only where the bot is a member."""
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",") if t.strip()}
        exclude_archived = truthy(args.get("exclude_archived"))
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
        chunk, cursor = page(chans, args, 100)
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
