"""Reading the inventory: dashboard, Excel exports, the gigabit rule, alerts."""

from flask import Blueprint, Flask

# The package's one blueprint; its view modules add their routes to it.
bp = Blueprint("reports", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the blueprint with its pages: dashboard, downloads, proof of use,
    replacement, notifications."""
    from reports import (  # noqa: F401  (their routes on bp)
        download_views,
        notification_views,
        proof_views,
        replacement_views,
        views,
    )

    app.register_blueprint(bp)
