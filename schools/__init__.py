"""The school registry: schools, sites, school years."""

from flask import Blueprint, Flask

# The package's one blueprint; its view modules add their routes to it.
bp = Blueprint("schools", __name__, template_folder="templates")


def init_app(app: Flask) -> None:
    """Register the blueprint with its pages: the school list and page, the school and site forms, the school years."""
    from schools import school_year_views, views  # noqa: F401  (their routes on bp)

    app.register_blueprint(bp)
