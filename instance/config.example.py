# Copy to instance/config.py and adjust. Environment variables FLASK_<KEY> override these.
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://gute_schule@localhost/gute_schule"
# SECRET_KEY = "..."   # default: generated into instance/secret_key on first start
# SESSION_COOKIE_SECURE = True   # behind HTTPS
# BASE_URL = "https://gute-schule.bochum.de"   # links in mails, QR codes on inventory labels
# MAIL_SERVER = "smtp.bochum.de"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "gute-schule"
# MAIL_PASSWORD = "..."
# MAIL_SENDER = "gute-schule@bochum.de"
# MAIL_SENDER_NAME = "Stadt Bochum, Schul-IT"   # display name in From (default: Gute Schule)
# ALERT_RECIPIENTS = ["schulverwaltungsamt@bochum.de"]
# RATELIMIT_STORAGE_URI = "redis://localhost:6379/0"   # shared limits with several workers

# Replacement planning: years of service per device category (the defaults: 3 years for
# laptops, tablets, desktops, printers and document cameras; none for the others).
# SERVICE_LIFE_YEARS = {"laptop": 5, "tablet": 4, "interactive_display": 8, "projector": 6}
