"""The Web API methods the simulator implements, answering with Slack's response shapes, one module per family."""

from bot.slacksim.webapi.args import normalize_args
from bot.slacksim.webapi.dispatch import REQUIRED_ARGS, SUPPORTED_METHODS, WebApi
from bot.slacksim.webapi.errors import SlackError

__all__ = ["REQUIRED_ARGS", "SUPPORTED_METHODS", "SlackError", "WebApi", "normalize_args"]
