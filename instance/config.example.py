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
# ALERT_RECIPIENTS = ["schulverwaltungsamt@bochum.de"]
# RATELIMIT_STORAGE_URI = "redis://localhost:6379/0"   # shared limits with several workers
