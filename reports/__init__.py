"""Reading the inventory: dashboard, Excel exports, the gigabit rule, alerts."""

from flask import Blueprint, Flask

# The package's one blueprint; its view modules add their routes to it.
bp = Blueprint("reports", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the blueprint with its pages: the dashboard, the downloads and the notifications page."""
    from reports import download_views, notification_views, views  # noqa: F401  (their routes on bp)

    app.register_blueprint(bp)
