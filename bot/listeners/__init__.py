"""Thin Slack adapters, one package per surface."""

from slack_bolt import App

from bot.listeners import actions, commands, events, shortcuts, submissions
from bot.listeners.host_team import HostTeamOnly
from bot.runtime.deps import Deps


def register(app: App, deps: Deps) -> None:
    """Register every listener on the app; each gets `deps` bound to its last parameter.

    Events come first: Bolt tries a request on the listeners in registration order, and each try builds every
    keyword argument Bolt knows (about 8 microseconds). Channel messages are nearly all the traffic and the
    message listener is the first event listener, so a message matches at the first try instead of after all
    17 command, view, action and shortcut listeners (some 0.14 ms of the intake's hot path). No surface's
    listeners match another surface's requests, so the order changes nothing else.
    """
    app.use(HostTeamOnly(deps))  # people of another organisation run nothing (a polite line instead)
    events.register(app, deps)
    commands.register(app, deps)
    submissions.register(app, deps)
    actions.register(app, deps)
    shortcuts.register(app, deps)
