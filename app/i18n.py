"""Languages: German first, English available; each package keeps its own catalog."""

import contextlib

from flask import Flask, current_app, has_request_context, request, session

from app import PROJECT_ROOT
from app.extensions import babel

# Every folder with a translations/ catalog; Flask-Babel merges them.
CATALOG_PACKAGES = ("app", "schools", "inventory", "reports", "api")


def translation_directories() -> list[str]:
    return [str(PROJECT_ROOT / package / "translations") for package in CATALOG_PACKAGES]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    if request.path.startswith("/api/"):
        return (
            request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale)


@contextlib.contextmanager
def messages_context():
    """Outside a request (CLI, jobs) messages are German: the locale selector needs a
    request, so give them a bare one."""
    if has_request_context():
        yield
    else:
        with current_app.test_request_context():
            yield
