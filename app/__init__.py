"""Gute Schule: the application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask

from app.config import DefaultConfig
from app.extensions import csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, instance/config.py, FLASK_* variables, then test_config."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("GUTE_SCHULE_INSTANCE", str(PROJECT_ROOT / "instance")),
        instance_relative_config=True,
    )
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env()
    if test_config:
        app.config.from_mapping(test_config)

    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_file = Path(app.instance_path) / "gute_schule.db"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_file}"
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))

    from app import input_guard

    # Before any route is added: every <int:...> is bounded, and type=int query numbers too.
    app.url_map.converters["int"] = input_guard.BoundedIntConverter
    app.request_class = input_guard.GuardedRequest

    _init_extensions(app)
    _register_blueprints(app)

    from app import cli, i18n, security, templating

    input_guard.init_app(app)
    security.init_app(app)
    i18n.init_app(app)
    cli.init_app(app)
    templating.init_app(app)

    from reports.replacement import service_lives

    service_lives(app.config)  # a bad SERVICE_LIFE_YEARS stops the start, not a page later
    return app


def _instance_secret_key(instance: Path) -> str:
    """Read the secret key from instance/secret_key, creating it on first start."""
    key_file = instance / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _init_extensions(app: Flask) -> None:
    from app import database

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    # Import every models module so the metadata (and Alembic) sees all tables.
    import api
    import inventory
    import inventory.loan_models  # noqa: F401
    import inventory.models  # noqa: F401
    import inventory.stocktake_models  # noqa: F401
    import reports
    import reports.models  # noqa: F401
    import schools
    import schools.models  # noqa: F401
    from app import audit, users  # noqa: F401
    from app.accessibility import bp as accessibility_bp
    from app.account import bp as account_bp
    from app.admin import bp as admin_bp
    from app.auth import bp as auth_bp

    for blueprint in (auth_bp, accessibility_bp, account_bp, admin_bp):
        app.register_blueprint(blueprint)
    # Each domain package registers its own blueprint with all of its pages.
    for package in (schools, inventory, reports, api):
        package.init_app(app)
