"""chat.*: the bot posts, updates and deletes messages, sends ephemerals and asks for permalinks."""

from __future__ import annotations

import copy
from typing import Any

from bot.slacksim.state import JsonDict
from bot.slacksim.webapi.args import truthy
from bot.slacksim.webapi.blockkit import MESSAGE_BLOCKS, MESSAGE_TEXT, validate_blocks
from bot.slacksim.webapi.errors import SlackError
from bot.slacksim.webapi.family import Handler, MethodFamily
from bot.slacksim.workspace import SimChannel


class ChatMethods(MethodFamily):
    """chat.postMessage, chat.postEphemeral, chat.update, chat.delete and chat.getPermalink."""

    def handlers(self) -> dict[str, Handler]:
        """Return the chat.* methods by name."""
        return {
            "chat.delete": self.chat_delete,
            "chat.getPermalink": self.chat_get_permalink,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
        }

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
            errors = validate_blocks(blocks, MESSAGE_BLOCKS)
            if errors:
                raise SlackError("invalid_blocks", response_metadata={"messages": errors})
        text = "" if text is None else str(text)
        if len(text) > MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        return text, blocks, attachments

    def chat_post_message(self, args: JsonDict) -> JsonDict:
        """chat.postMessage to a channel, or to a user id (the bot's DM with them)."""
        ch = self._postable_channel(args["channel"])
        text, blocks, attachments = self._message_content(args)
        thread_ts = args.get("thread_ts") or None
        msg = self.state.bot_message(text, blocks=blocks, attachments=attachments, thread_ts=thread_ts)
        if thread_ts and truthy(args.get("reply_broadcast")):
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
