"""The inventory: devices, network links, offerings, and the Excel/CSV import."""

from flask import Blueprint, Flask

# The package's one blueprint; its view modules add their routes to it.
bp = Blueprint("inventory", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the blueprint with its pages: devices, links, offerings, import, labels,
    stock-taking, loans, funding programmes."""
    from inventory import (  # noqa: F401  (their routes on bp)
        import_views,
        label_views,
        loan_views,
        programme_views,
        stocktake_views,
        views,
    )

    app.register_blueprint(bp)
