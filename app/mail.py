"""Sending mail over SMTP (standard library only), all settings from the app config.

One Mailer is one SMTP connection: a job opens it once, sends all its mails through
it and closes it. It connects on the first send, so a run with nothing to send never
touches the mail server.
"""

import email.errors
import re
import smtplib
import ssl
import unicodedata
from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid, parseaddr

from flask import current_app

# Longest subject we send; longer ones are cut (the outbox keeps 300 characters).
SUBJECT_MAX_LENGTH = 250
# Longest address header value (a line may have 998 characters, RFC 5322 2.1.1).
ADDRESS_MAX_LENGTH = 500


class MailError(Exception):
    """A mail could not be handed to the SMTP server (the text says why).

    `permanent` says that sending the same mail again cannot succeed (a message no
    header can carry, a recipient the server refuses for good)."""

    permanent = False

    def __init__(self, message: str, *, permanent: bool | None = None):
        super().__init__(message)
        if permanent is not None:
            self.permanent = permanent


class BadMessageError(MailError):
    """The data make no valid mail; retrying would fail the same way."""

    permanent = True


def header_text(value, max_length: int = SUBJECT_MAX_LENGTH) -> str:
    """A header value on one line: line breaks and other control characters become
    spaces, runs of white space one space, and text beyond max_length is cut ("…")."""
    text = "".join(
        " " if unicodedata.category(char) in ("Cc", "Zl", "Zp") else char for char in str(value)
    )
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


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
    given as (filename, MIME type, content).

    Header values come from data (a school's name is in the subject), so each is put on
    one line and length-limited: no value can add a header or break the mail. Raises
    BadMessageError when the data still make no valid mail."""
    sender = header_text(sender or current_app.config["MAIL_SENDER"], ADDRESS_MAX_LENGTH)
    sender_name = header_text(current_app.config.get("MAIL_SENDER_NAME") or "", 100)
    if sender_name and not parseaddr(sender)[0]:
        # The display name is quoted or encoded as needed ("Stadt Bochum, Schul-IT").
        sender = formataddr((sender_name, sender))
    try:
        message = EmailMessage()
        message["Subject"] = header_text(subject)
        message["From"] = sender
        message["To"] = header_text(recipient, ADDRESS_MAX_LENGTH)
        message["Date"] = formatdate(localtime=True)
        message["Message-ID"] = make_msgid(domain=_msgid_domain(sender))
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        if html is not None:
            message.add_alternative(html, subtype="html")
        for filename, mime_type, content in attachments:
            maintype, _, subtype = mime_type.partition("/")
            message.add_attachment(
                content, maintype=maintype, subtype=subtype, filename=header_text(filename)
            )
    except (ValueError, TypeError, email.errors.MessageError) as exc:
        raise BadMessageError(f"{type(exc).__name__}: {exc}") from exc
    return message


def _msgid_domain(sender: str) -> str | None:
    domain = sender.rpartition("@")[2].strip(" >")
    return domain if re.fullmatch(r"[A-Za-z0-9.-]{1,253}", domain) else None


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
        except smtplib.SMTPRecipientsRefused as exc:
            # 5xx: the server will never take this address; 4xx: try again later.
            permanent = all(code >= 500 for code, _text in exc.recipients.values())
            raise MailError(f"refused recipients: {exc.recipients}", permanent=permanent) from exc
        except (ValueError, TypeError, email.errors.MessageError) as exc:
            # Raised while the message is written out, before anything reaches the server.
            raise BadMessageError(f"{type(exc).__name__}: {exc}") from exc
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
