"""Languages: German first, English available; each package keeps its own catalog."""

import functools
import os
from contextlib import contextmanager

from flask import Flask, current_app, has_request_context, request, session
from flask_babel import force_locale

from app import PROJECT_ROOT
from app.extensions import babel

# Every folder with a translations/ catalog; Flask-Babel merges them.
CATALOG_PACKAGES = ("app", "schools", "inventory", "reports", "api")


def translation_directories() -> list[str]:
    return [str(PROJECT_ROOT / package / "translations") for package in CATALOG_PACKAGES]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # a job or command outside cli_messages(): the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("language")
    if chosen in languages:
        return chosen
    if request.path.startswith("/api/"):
        return (
            request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def cli_locale() -> str:
    """The terminal's language (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, as gettext reads
    them) when the app has it; else the default (German). "C" and "POSIX" name none."""
    languages = current_app.config["LANGUAGES"]
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for value in os.environ.get(variable, "").split(":"):
            code = value.split(".")[0].split("@")[0].split("_")[0].lower()
            if code and code not in ("c", "posix"):
                return code if code in languages else current_app.config["BABEL_DEFAULT_LOCALE"]
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@contextmanager
def cli_messages():
    """Messages in the terminal's language outside a request (CLI commands); see
    messages_context()."""
    with messages_context(), force_locale(cli_locale()):
        yield


def translated(command):
    """A CLI command's callback that speaks the terminal's language (see cli_messages)."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with cli_messages():
            return command(*args, **kwargs)

    return run


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", ";".join(translation_directories()))
    babel.init_app(app, locale_selector=select_locale)


@contextmanager
def messages_context():
    """Outside a request (CLI, jobs) messages are in the default language (German): the
    locale selector and the forms' translations need a request, so give them a bare one."""
    if has_request_context():
        yield
    else:
        with current_app.test_request_context():
            yield
