"""notification views (routes on the reports blueprint)"""

from reports.views import bp  # noqa: F401
