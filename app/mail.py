"""Sending mail over SMTP (standard library only), all settings from the app config.

One Mailer is one SMTP connection: a job opens it once, sends all its mails through
it and closes it. It connects on the first send, so a run with nothing to send never
touches the mail server.
"""

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app


class MailError(Exception):
    """A mail could not be handed to the SMTP server (the text says why)."""


def build_message(
    *,
    subject: str,
    recipient: str,
    text: str,
    html: str | None = None,
    attachments: list[tuple[str, str, bytes]] = (),
    sender: str | None = None,
) -> EmailMessage:
    """A mail with a plain-text body, an optional HTML alternative and attachments
    given as (filename, MIME type, content)."""
    sender = sender or current_app.config["MAIL_SENDER"]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, mime_type, content in attachments:
        maintype, _, subtype = mime_type.partition("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


class Mailer:
    """One SMTP connection for many mails: `with Mailer() as mailer: mailer.send(msg)`."""

    def __init__(self, config=None):
        config = config if config is not None else current_app.config
        self.server = config["MAIL_SERVER"]
        self.port = int(config["MAIL_PORT"])
        self.use_tls = bool(config["MAIL_USE_TLS"])
        self.use_ssl = bool(config["MAIL_USE_SSL"])
        self.username = config.get("MAIL_USERNAME")
        self.password = config.get("MAIL_PASSWORD")
        self.timeout = float(config["MAIL_TIMEOUT"])
        self._smtp: smtplib.SMTP | None = None
        # Once connecting has failed, every further send fails at once with the same
        # reason instead of waiting for the timeout again.
        self._connect_error: str | None = None

    def __enter__(self) -> "Mailer":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def _connect(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        if self._connect_error is not None:
            raise MailError(self._connect_error)
        context = ssl.create_default_context()
        try:
            if self.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    self.server, self.port, timeout=self.timeout, context=context
                )
            else:
                smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
            try:
                if self.use_tls and not self.use_ssl:
                    smtp.starttls(context=context)
                if self.username:
                    smtp.login(self.username, self.password or "")
            except BaseException:
                smtp.close()
                raise
        except (OSError, smtplib.SMTPException) as exc:
            self._connect_error = (
                f"SMTP {self.server}:{self.port}: {type(exc).__name__}: {exc}".strip()
            )
            raise MailError(self._connect_error) from exc
        self._smtp = smtp
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one mail to the server; raises MailError when it was not accepted."""
        smtp = self._connect()
        try:
            refused = smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"{type(exc).__name__}: {exc}") from exc
        if refused:
            raise MailError(f"refused recipients: {refused}")

    def close(self) -> None:
        if self._smtp is None:
            return
        try:
            self._smtp.quit()
        except (OSError, smtplib.SMTPException):
            self._smtp.close()
        self._smtp = None


def send_mail(message: EmailMessage) -> None:
    """Send a single mail on its own connection."""
    with Mailer() as mailer:
        mailer.send(message)
