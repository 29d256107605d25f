"""The built-in email channel: SMTP through the standard library's ``smtplib``.

Settings (strings, e.g. ``--channel-setting email.host=smtp.example.com``):

- ``host`` (required) and ``port`` (default 25, or 465 with ``security=ssl``);
- ``security``: ``none`` (default), ``starttls`` (upgrade a plain connection) or ``ssl``
  (TLS from the first byte);
- ``username`` and ``password``: log in when given (after TLS is up); refused with
  ``security=none``, which would send the password in plain text;
- ``sender`` (required): the ``From`` address;
- ``ca_file``: a CA bundle to verify the server with (default: the system's);
- ``timeout``: seconds (default 30).

The customer statement PDF travels as an attachment. Each message gets a ``Message-ID``,
returned as the delivery's reference so the interaction log can name it. A message with a
``message_id`` (every dunning message: its outbox row) gets ``<message_id@sender's domain>``,
the same on every attempt, so if a run stops between sending and recording and the next run
sends it again, the recipient's mail system can recognise the duplicate. The ``Date:`` is the
real send time (``message.sent_at``, else now), not the time it was scheduled for.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from arcore.collections.channels import Delivery, Message
from arcore.errors import ConfigurationError, TransientError, ValidationError

__all__ = ["EmailChannel", "email_message"]

_SECURITY = ("none", "starttls", "ssl")


def _setting_int(settings: Mapping[str, str], name: str, default: int) -> int:
    raw = settings.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(
            f"email setting {name}={raw!r} is not a whole number",
            hint=f"Give email.{name} as digits, e.g. 587",
            field=name,
            value=raw,
        ) from exc


def email_message(message: Message, sender: str) -> EmailMessage:
    """The MIME message sent for ``message``: text body, attachments, headers.

    Raises:
        ValidationError: the recipient has no email address.
    """
    if not message.recipient.email:
        raise ValidationError(
            f"customer {message.customer_id!r} has no email address for {message.recipient.name!r}",
            hint="Add an email to the customer's contact, or use another channel for the step",
            field="email",
            value=message.recipient.email,
        )
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = message.recipient.email
    mail["Subject"] = message.subject
    domain = sender.rpartition("@")[2] or "arcore.invalid"
    mail["Date"] = format_datetime(message.sent_at or datetime.now(UTC))
    mail["Message-ID"] = (
        make_msgid(domain=domain)
        if message.message_id is None
        else f"<{message.message_id}@{domain}>"
    )
    mail["X-Arcore-Customer"] = message.customer_id
    mail["X-Arcore-Step"] = message.step
    mail.set_content(message.body)
    for attachment in message.attachments:
        maintype, _, subtype = attachment.content_type.partition("/")
        mail.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return mail


class EmailChannel:
    """Sends reminders by SMTP; see the module documentation for the settings."""

    def __init__(self, settings: Mapping[str, str]) -> None:
        """Build from settings.

        Raises:
            ConfigurationError: a required setting is missing or one is malformed.
        """
        self.host = settings.get("host", "")
        self.sender = settings.get("sender", "")
        for name, value in (("host", self.host), ("sender", self.sender)):
            if not value:
                raise ConfigurationError(
                    f"the email channel needs the {name} setting",
                    hint=f"Pass --channel-setting email.{name}=...",
                    field=name,
                )
        self.security = settings.get("security", "none")
        if self.security not in _SECURITY:
            raise ConfigurationError(
                f"email security {self.security!r} is not one of {', '.join(_SECURITY)}",
                hint="Use none, starttls or ssl",
                field="security",
                value=self.security,
            )
        self.port = _setting_int(settings, "port", 465 if self.security == "ssl" else 25)
        self.timeout = _setting_int(settings, "timeout", 30)
        self.username = settings.get("username", "")
        self.password = settings.get("password", "")
        self.ca_file = settings.get("ca_file") or None
        if (self.username or self.password) and self.security == "none":
            raise ConfigurationError(
                "the email channel would send the SMTP password unencrypted (security=none)",
                hint="Set email.security=starttls or email.security=ssl to log in",
                field="security",
                value=self.security,
            )

    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self._context()
            )
        client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            client.starttls(context=self._context())
        return client

    def send(self, message: Message) -> Delivery:
        """Send ``message``; return its ``Message-ID``.

        Raises:
            ValidationError: the recipient has no email address.
            ConfigurationError: the server refused the login or the sender.
            TransientError: the server could not be reached or dropped the connection.
        """
        mail = email_message(message, self.sender)
        try:
            with self._connect() as client:
                if self.username:
                    client.login(self.username, self.password)
                client.send_message(mail)
        except smtplib.SMTPAuthenticationError as exc:
            raise ConfigurationError(
                f"the SMTP server {self.host} refused the login of {self.username!r}",
                hint="Check email.username and email.password",
                field="username",
                value=self.username,
            ) from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise ValidationError(
                f"the SMTP server refused the recipient {message.recipient.email!r}",
                hint="Correct the contact's email address",
                field="email",
                value=message.recipient.email,
            ) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientError(
                f"sending to {message.recipient.email} through {self.host}:{self.port} "
                f"failed: {exc}",
                hint="Check the SMTP settings and that the server is up, then run again",
                system="smtp",
                field="host",
                value=self.host,
            ) from exc
        return Delivery(channel="email", reference=str(mail["Message-ID"]), contact=str(mail["To"]))
