"""Default configuration. Override in instance/config.py or with FLASK_<KEY> variables."""


class DefaultConfig:
    # Filled in by create_app(): SQLite in instance/, secret key from instance/secret_key.
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    # Password hashing (werkzeug); scrypt is slow on purpose.
    PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 (a method name, not a password)

    # Sessions and cookies
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None

    # Languages
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ["de", "en"]

    # Rate limits (Flask-Limiter). memory:// is per process; use redis:// with several workers.
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    API_RATE_LIMIT = "300 per minute"

    # Uploads and imports
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    IMPORT_MAX_ROWS = 100_000

    # The gigabit rule
    GIGABIT_MIN_DOWN_MBPS = 1000
    GIGABIT_MIN_UP_MBPS = 1000

    # Alerts
    ALERT_LEAD_DAYS = [84, 42, 14]
    ALERT_OVERDUE_WEEKS = 8
    ALERT_SCHEDULE = "30 6 * * *"
    ALERT_TIMEZONE = "Europe/Berlin"
    ALERT_RECIPIENTS: list[str] = []
    ALERT_MAX_ATTEMPTS = 5
    # Contract alerts: days before a link's notice date (contract end minus notice period).
    CONTRACT_ALERT_LEAD_DAYS = [90, 30]
    # Warranty alerts: days before a device's warranty ends (a number, or a list).
    WARRANTY_ALERT_DAYS = 60
    # Overdue-loan reminders: days after a loan's due date (inventory/loan_service.py).
    LOAN_OVERDUE_DAYS = [1, 14, 28]
    # Replacement planning: years of service per device category, over the defaults in
    # reports/replacement.py (e.g. {"laptop": 5, "interactive_display": 8}).
    SERVICE_LIFE_YEARS: dict = {}
    BASE_URL = "http://127.0.0.1:5000"

    # Mail (SMTP)
    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SENDER = "gute-schule@localhost"
    MAIL_SENDER_NAME = "Gute Schule"  # the display name in From: "Gute Schule <...>"
    MAIL_TIMEOUT = 30

    # Lists
    PER_PAGE = 50

    # Who runs this installation (header and footer), and the footer's legal links
    # (left out while unset).
    SITE_OPERATOR = "Stadt Bochum"
    IMPRINT_URL: str | None = None
    PRIVACY_URL: str | None = None

    # The accessibility statement at /accessibility (BITV 2.0 / BITV NRW).
    # Status: "full", "partial" or "none". Known limits: a list of sentences, None for
    # the shipped ones. Feedback is mailed to ACCESSIBILITY_CONTACT_EMAIL; without it the
    # statement shows no form.
    ACCESSIBILITY_STATUS = "partial"
    ACCESSIBILITY_KNOWN_LIMITS: list[str] | None = None
    ACCESSIBILITY_STATEMENT_DATE = "2026-12-02"
    ACCESSIBILITY_CONTACT_NAME = "Stadt Bochum, Schulverwaltungsamt, Team Schul-IT"
    ACCESSIBILITY_CONTACT_EMAIL: str | None = None
    ACCESSIBILITY_CONTACT_PHONE: str | None = None
    ACCESSIBILITY_ENFORCEMENT: str | None = None
    ACCESSIBILITY_FEEDBACK_RATE_LIMIT = "5 per hour"
