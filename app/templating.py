"""Template helpers: the main navigation, the current locale, code labels."""

import datetime as dt

from flask import Flask, current_app
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import codes

# (endpoint, label, who sees it); entries whose view does not exist are left out.
NAVIGATION = [
    ("reports.dashboard", _l("Overview"), "all"),
    ("schools.school_list", _l("Schools"), "all"),
    ("inventory.imports", _l("Import"), "all"),
    ("reports.downloads", _l("Reports"), "all"),
    ("reports.notifications", _l("Notifications"), "department"),
    ("schools.school_years", _l("School years"), "department"),
    ("admin.users", _l("Users"), "admin"),
    ("account.account", _l("My account"), "all"),
]


def main_navigation():
    for endpoint, label, who in NAVIGATION:
        allowed = (
            who == "all"
            or (who == "department" and current_user.is_department)
            or (who == "admin" and current_user.is_admin)
        )
        yield endpoint, label, allowed and endpoint in current_app.view_functions


LANGUAGE_NAMES = {"de": "Deutsch", "en": "English"}


def language_names():
    """(code, the language's own name) for the language switch."""
    return [(code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["LANGUAGES"]]


def legal_links():
    """The footer's Impressum and Datenschutz links, as far as they are configured."""
    links = [
        (_l("Imprint"), current_app.config.get("IMPRINT_URL")),
        (_l("Privacy"), current_app.config.get("PRIVACY_URL")),
    ]
    return [(text, url) for text, url in links if url]


def label(vocabulary: str, code: str | None) -> str:
    """The UI label of a code, e.g. {{ label("DEVICE_CATEGORIES", device.category) }}."""
    if code is None or code == "":
        return ""
    return str(getattr(codes, vocabulary).get(code, code))


HISTORY_ACTIONS = {
    "create": _l("created"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "import": _l("imported"),
    "export": _l("exported"),
    "password": _l("password set"),
}
HISTORY_OBJECTS = {
    "schools": _l("School"),
    "sites": _l("Site"),
    "devices": _l("Device"),
    "network_links": _l("Network link"),
    "offerings": _l("Offering"),
    "school_years": _l("School year"),
    "users": _l("User"),
    "api_tokens": _l("API token"),
    "inventory_confirmations": _l("Inventory confirmation"),
    "stock_takes": _l("Stock-take"),
    "alert_recipients": _l("Alert recipient"),
}


def format_history_time(value) -> str:
    """UTC timestamps of the log, shown in the UI's time zone."""
    return format_datetime(value.replace(tzinfo=dt.UTC), "dd.MM.yyyy HH:mm") if value else ""


def _history_rows(entries):
    from app.history import describe

    return describe(entries)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        main_navigation=main_navigation,
        language_names=language_names,
        legal_links=legal_links,
        site_operator=lambda: current_app.config["SITE_OPERATOR"],
        current_locale=lambda: str(get_locale() or "de"),
        label=label,
        codes=codes,
        history_action=lambda code: str(HISTORY_ACTIONS.get(code, code)),
        history_object=lambda code: str(HISTORY_OBJECTS.get(code, code)),
        history_rows=_history_rows,
    )
    app.jinja_env.filters["format_history_time"] = format_history_time
