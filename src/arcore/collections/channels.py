"""Notification channels: how a reminder reaches the customer (or the collector).

A channel is anything with a ``send(message) -> Delivery`` method
([`Channel`][arcore.collections.channels.Channel]). Plugins contribute channel *factories*
through the ``arcore_register_notification_channels`` hook: ``register(name, factory)``, where
``factory(settings)`` builds the channel from a mapping of strings (SMTP host, outbox folder...)
given on the command line or in code. Built in:

- ``email``: [`EmailChannel`][arcore.collections.email.EmailChannel], SMTP with the statement
  PDF attached;
- ``letter``: [`LetterChannel`][arcore.collections.channels.LetterChannel], a PDF letter (and
  the statement) written to an outbox folder for printing;
- ``phone``: [`PhoneChannel`][arcore.collections.channels.PhoneChannel], a call task: the
  interaction logged with a follow-up date puts it on the collector's worklist.

There is no built-in ``sms`` sender: a step using ``sms`` needs a plugin that registers one
(the dunning run refuses to start otherwise).

Messages are rendered from Jinja2 templates, one folder per language
(``arcore/collections/templates/<language>/<template>.txt``; the first line is
``Subject: ...``), falling back to English; a folder of your own templates takes precedence.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import jinja2
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from pydantic import AwareDatetime, BaseModel, ConfigDict

from arcore.errors import ConfigurationError, NotFoundError

__all__ = [
    "Attachment",
    "Channel",
    "ChannelFactory",
    "Delivery",
    "LetterChannel",
    "Message",
    "PhoneChannel",
    "Recipient",
    "builtin_factories",
    "render_message",
]


class Recipient(BaseModel):
    """Whom a message is for: a contact of the customer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    """The contact's (or the customer's) name."""
    email: str | None = None
    """Email address, if known."""
    phone: str | None = None
    """Phone number, if known."""


class Attachment(BaseModel):
    """A file sent with a message (the customer statement)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    filename: str
    """The file's name as the customer sees it."""
    content_type: str
    """Its MIME type (``application/pdf``)."""
    data: bytes
    """Its content."""


class Message(BaseModel):
    """One reminder to one customer, rendered and ready for a channel."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    company_id: str
    """The company sending."""
    customer_id: str
    """The customer."""
    channel: str
    """The channel's name."""
    step: str
    """The dunning step (or ``statement`` for a statement sent by hand)."""
    recipient: Recipient
    """Whom it is for."""
    subject: str
    """Subject line."""
    body: str
    """Plain-text body."""
    scheduled_at: AwareDatetime
    """When it is meant to go out (inside the team's working hours)."""
    sent_at: AwareDatetime | None = None
    """When it is actually sent (the email's ``Date:``); ``None``: the channel's clock."""
    message_id: str | None = None
    """A stable id for it, the same on every attempt (the dunning outbox row's id): a
    channel uses it to name the message (the email's ``Message-ID``, the letter's file)."""
    document_ids: tuple[str, ...] = ()
    """The items it is about."""
    attachments: tuple[Attachment, ...] = ()
    """Files sent with it."""


class Delivery(BaseModel):
    """What a channel did with a message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: str
    """The channel."""
    reference: str
    """Where to find it: the SMTP message id, the letter's path, the task's description."""
    contact: str = ""
    """The address, phone or name it went to."""


@runtime_checkable
class Channel(Protocol):
    """Something that delivers a [`Message`][arcore.collections.channels.Message]."""

    def send(self, message: Message) -> Delivery:
        """Deliver ``message``; raise an ``ArcoreError`` subclass when it cannot be."""
        ...


ChannelFactory = Callable[[Mapping[str, str]], Channel]
"""What a plugin registers: builds a channel from its settings."""


def _environment(extra: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if extra is not None:
        loaders.append(jinja2.FileSystemLoader(extra))
    loaders.append(jinja2.PackageLoader("arcore.collections", "templates"))
    # Plain-text messages: HTML escaping would corrupt "&" in customer names.
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )


def render_message(
    template: str,
    language: str,
    context: Mapping[str, Any],
    *,
    template_dir: Path | None = None,
) -> tuple[str, str]:
    """Render ``template`` in ``language`` (falling back to ``en``): ``(subject, body)``.

    Raises:
        NotFoundError: no such template in the language or in English.
        ConfigurationError: the template does not start with ``Subject:`` or uses a name the
            context lacks.

    >>> from arcore.money import Money
    >>> subject, body = render_message("first", "de", {"customer_name": "Globex",
    ...     "as_of": "2026-03-01", "items": [], "total": Money("10.00", "EUR"), "fees": None,
    ...     "company_name": "Acme"})
    >>> subject
    'Zahlungserinnerung: 10.00 EUR überfällig'
    """
    env = _environment(template_dir)
    names = [f"{language}/{template}.txt", f"en/{template}.txt"]
    try:
        found = env.select_template(names)
    except jinja2.TemplatesNotFound as exc:
        raise NotFoundError(
            f"no template {template!r} for language {language!r} or 'en'",
            hint="Add templates/<language>/<name>.txt or fix the step's template name",
            field="template",
            value=template,
        ) from exc
    try:
        text = found.render(**context)
    except jinja2.UndefinedError as exc:
        raise ConfigurationError(
            f"template {found.name!r} uses a value the dunning run does not give: {exc}",
            hint="Use only the names listed in docs/reference/collections.md",
            field="template",
            value=template,
        ) from exc
    first, _, body = text.partition("\n")
    if not first.startswith("Subject:"):
        raise ConfigurationError(
            f"template {found.name!r} must start with a 'Subject: ...' line",
            hint="Put the subject on the first line",
            field="template",
            value=template,
        )
    return first.removeprefix("Subject:").strip(), body


class LetterChannel:
    """Writes each reminder as a PDF letter (plus the statement) into an outbox folder.

    Settings: ``outbox`` (folder, created if missing).
    """

    def __init__(self, settings: Mapping[str, str]) -> None:
        """Build from settings; see the class documentation."""
        folder = settings.get("outbox")
        if not folder:
            raise ConfigurationError(
                "the letter channel needs an outbox folder",
                hint="Pass --channel-setting letter.outbox=PATH",
                field="outbox",
            )
        self.outbox = Path(folder)

    def send(self, message: Message) -> Delivery:
        """Write ``<customer>-<step>-<date>-<message id>.pdf`` (and attachments) into the outbox.

        The message id (the dunning outbox row) makes each letter's file its own: a later
        letter never overwrites an earlier one, and a retried letter rewrites its own file.
        Without one, a number is added until the name is free.
        """
        self.outbox.mkdir(parents=True, exist_ok=True)
        stem = f"{message.customer_id}-{message.step}-{message.scheduled_at.date().isoformat()}"
        if message.message_id is not None:
            stem = f"{stem}-{message.message_id}"
        else:
            base, counter = stem, 1
            while (self.outbox / f"{_safe_name(stem)}.pdf").exists():
                counter += 1
                stem = f"{base}-{counter}"
        path = self.outbox / f"{_safe_name(stem)}.pdf"
        _letter_pdf(message, path)
        for attachment in message.attachments:
            (self.outbox / _safe_name(f"{stem}-{attachment.filename}")).write_bytes(attachment.data)
        return Delivery(channel="letter", reference=str(path), contact=message.recipient.name)


class PhoneChannel:
    """A call task for the collector: nothing leaves the building.

    The dunning run logs the task as an interaction with a follow-up on the scheduled day,
    which puts the call on the worklist. No settings.
    """

    def __init__(self, settings: Mapping[str, str]) -> None:
        """Build (``settings`` is ignored)."""
        del settings

    def send(self, message: Message) -> Delivery:
        """Return the task: whom to call and why."""
        phone = message.recipient.phone or "no phone on file"
        return Delivery(
            channel="phone",
            reference=f"call {message.recipient.name} ({phone}): {message.subject}",
            contact=message.recipient.phone or message.recipient.name,
        )


def _safe_name(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; other characters become "?" rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def _letter_pdf(message: Message, path: Path) -> None:
    pdf = FPDF(format="A4")
    pdf.set_creator("arcore")
    pdf.set_title(message.subject)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.multi_cell(0, 6, _latin1(message.recipient.name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.multi_cell(0, 6, _latin1(message.subject), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 10)
    for line in message.body.splitlines():
        pdf.multi_cell(0, 5, _latin1(line) or " ", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.output(str(path))


def builtin_factories() -> Sequence[tuple[str, ChannelFactory]]:
    """The built-in channels, as the builtin plugin registers them."""
    from arcore.collections.email import EmailChannel

    return (("email", EmailChannel), ("letter", LetterChannel), ("phone", PhoneChannel))
