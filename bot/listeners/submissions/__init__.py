"""Modal submissions."""

from slack_bolt import App

from bot.blocks.customers import ADD_CUSTOMER_CALLBACK
from bot.listeners.submissions.customer_modal import handle_add_customer_submission


def register(app: App) -> None:
    """Register every view submission."""
    app.view(ADD_CUSTOMER_CALLBACK)(handle_add_customer_submission)
