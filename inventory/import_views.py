"""import views (routes on the inventory blueprint)"""

from inventory.views import bp  # noqa: F401
