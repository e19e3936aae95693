"""A local Slack simulator for tests, benchmarks and `rapport demo`.

`SlackSimulator` runs a real HTTP server that speaks the Slack Web API (so the unmodified
`slack_sdk.WebClient(base_url=sim.api_url)` works against it) and a Socket Mode WebSocket server (so
slack_bolt's `SocketModeHandler` connects to it after `apps.connections.open`). It holds a small fake
workspace (`SimWorkspace.default()`: team T0SIM0001, bot U0RAPPORT, a few users and channels), records every
Web API call (`sim.calls`), answers with Slack's response shapes and errors and with its headers (`x-oauth-scopes`:
the scopes the install granted, `sim.bot_scopes`; `Date`: the simulator's clock), and can inject faults (HTTP 429
with Retry-After, 5xx, Slack errors, slow answers, per-tier rate limits, a refused token).

It also plays the Slack side towards the bot: `post_message`, `edit_message`, `slash_command`,
`send_interactive`, ... build the real payloads and deliver them over Socket Mode when a client is connected
(round-robin), otherwise as signed HTTP requests to the URL given to `deliver_http_to`. Each returns a
`Delivery` with the bot's acknowledgement.

Typical use::

    with SlackSimulator() as sim:
        client = WebClient(token=sim.bot_token, base_url=sim.api_url)
        sim.deliver_http_to("http://127.0.0.1:3000/slack/events")
        sim.add_bot_to_channel("C0SUPPORT", inviter="U0DANA")
        ts, delivery = sim.post_message("U0DANA", "C0SUPPORT", "hello")
        sim.wait_for_calls("chat.postMessage", 1)
"""

from bot.slacksim.delivery import Delivery
from bot.slacksim.recording import ApiCall
from bot.slacksim.simulator import SlackSimulator
from bot.slacksim.state import SimLookupError
from bot.slacksim.workspace import SimChannel, SimUser, SimUsergroup, SimWorkspace

__all__ = [
    "ApiCall",
    "Delivery",
    "SimChannel",
    "SimLookupError",
    "SimUser",
    "SimUsergroup",
    "SimWorkspace",
    "SlackSimulator",
]
