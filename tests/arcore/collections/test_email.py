"""The email channel against a real SMTP server (aiosmtpd) on 127.0.0.1: plain, STARTTLS, SSL."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import email.utils
import ipaddress
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from arcore.collections.channels import Attachment, Message, Recipient
from arcore.collections.email import EmailChannel
from arcore.errors import ConfigurationError, TransientError, ValidationError

HOST = "127.0.0.1"
# aiosmtpd sets its own deprecated Session.login_data while authenticating (its problem, not ours)
pytestmark = pytest.mark.filterwarnings(
    "ignore:Session.login_data is deprecated:DeprecationWarning"
)
PDF = b"%PDF-1.4\n% a statement\n"


@dataclass
class Inbox:
    """What the SMTP server received."""

    messages: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"ar", b"s3cret")
        if ok:
            self.logins.append(data.login)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert file, key file)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOST)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(HOST))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def server(
    request: pytest.FixtureRequest, certificate: tuple[Path, Path]
) -> Iterator[tuple[Inbox, int]]:
    mode: str = request.param
    inbox = Inbox()
    kwargs: dict[str, Any] = {}
    if mode == "starttls":
        kwargs = {
            "tls_context": _server_context(certificate),
            "require_starttls": True,
            "authenticator": inbox.authenticate,
            "auth_required": True,
            # smtplib falls back from PLAIN to LOGIN, where aiosmtpd stalls on a bad password
            "auth_exclude_mechanism": ["LOGIN"],
        }
    elif mode == "ssl":
        kwargs = {
            "ssl_context": _server_context(certificate),
            "authenticator": inbox.authenticate,
            # aiosmtpd only counts STARTTLS as TLS; the whole connection is TLS here
            "auth_require_tls": False,
            "auth_exclude_mechanism": ["LOGIN"],
        }
    port = _free_port()
    controller = Controller(inbox, hostname=HOST, port=port, **kwargs)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def _message(email_address: str | None = "ap@globex.example") -> Message:
    return Message(
        company_id="acme",
        customer_id="c-1",
        channel="email",
        step="first",
        recipient=Recipient(name="Ana Ruiz", email=email_address),
        subject="Payment reminder: 120.00 USD past due",
        body="Dear Globex,\n\nINV-1 is 7 days past due.\n",
        scheduled_at=dt.datetime(2026, 2, 9, 9, 0, tzinfo=dt.UTC),
        document_ids=("inv-1",),
        attachments=(
            Attachment(filename="statement-c-1.pdf", content_type="application/pdf", data=PDF),
        ),
    )


def _check_arrived(inbox: Inbox, reference: str) -> None:
    assert len(inbox.messages) == 1
    sender, recipients, raw = inbox.messages[0]
    assert sender == "ar@acme.example"
    assert recipients == ["ap@globex.example"]
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Subject"] == "Payment reminder: 120.00 USD past due"
    assert mail["Message-ID"] == reference
    assert mail["X-Arcore-Step"] == "first"
    body = mail.get_body(("plain",))
    assert body is not None
    assert "INV-1 is 7 days past due." in body.get_content()
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "statement-c-1.pdf"
    assert attachment.get_content() == PDF


@pytest.mark.parametrize("server", ["plain"], indirect=True)
def test_plain_smtp_round_trip(server: tuple[Inbox, int]) -> None:
    inbox, port = server
    channel = EmailChannel({"host": HOST, "port": str(port), "sender": "ar@acme.example"})
    delivery = channel.send(_message())
    assert delivery.contact == "ap@globex.example"
    _check_arrived(inbox, delivery.reference)


@pytest.mark.parametrize("server", ["starttls"], indirect=True)
def test_starttls_with_login(server: tuple[Inbox, int], certificate: tuple[Path, Path]) -> None:
    inbox, port = server
    settings = {
        "host": HOST,
        "port": str(port),
        "sender": "ar@acme.example",
        "security": "starttls",
        "username": "ar",
        "password": "s3cret",
        "ca_file": str(certificate[0]),
    }
    delivery = EmailChannel(settings).send(_message())
    _check_arrived(inbox, delivery.reference)
    assert inbox.logins == [b"ar"]
    with pytest.raises(ConfigurationError, match="refused the login"):
        EmailChannel({**settings, "password": "wrong"}).send(_message())
    assert len(inbox.messages) == 1


@pytest.mark.parametrize("server", ["ssl"], indirect=True)
def test_ssl_with_login(server: tuple[Inbox, int], certificate: tuple[Path, Path]) -> None:
    inbox, port = server
    settings = {
        "host": HOST,
        "port": str(port),
        "sender": "ar@acme.example",
        "security": "ssl",
        "username": "ar",
        "password": "s3cret",
        "ca_file": str(certificate[0]),
    }
    delivery = EmailChannel(settings).send(_message())
    _check_arrived(inbox, delivery.reference)
    assert inbox.logins == [b"ar"]


@pytest.mark.parametrize("server", ["starttls"], indirect=True)
def test_untrusted_certificate_is_refused(server: tuple[Inbox, int]) -> None:
    inbox, port = server
    channel = EmailChannel(
        {"host": HOST, "port": str(port), "sender": "ar@acme.example", "security": "starttls"}
    )
    with pytest.raises(TransientError):  # the system CAs do not know the test's certificate
        channel.send(_message())
    assert inbox.messages == []


def test_settings_and_address_are_checked() -> None:
    with pytest.raises(ConfigurationError, match="host"):
        EmailChannel({"sender": "ar@acme.example"})
    with pytest.raises(ConfigurationError, match="security"):
        EmailChannel({"host": HOST, "sender": "a@b.c", "security": "tls"})
    with pytest.raises(ConfigurationError, match="port"):
        EmailChannel({"host": HOST, "sender": "a@b.c", "port": "smtp"})
    with pytest.raises(ValidationError, match="no email address"):
        EmailChannel({"host": HOST, "sender": "a@b.c"}).send(_message(None))


def test_server_down_is_transient() -> None:
    channel = EmailChannel(
        {"host": HOST, "port": str(_free_port()), "sender": "ar@acme.example", "timeout": "2"}
    )
    with pytest.raises(TransientError, match="failed"):
        channel.send(_message())


def test_login_is_refused_over_a_plain_connection() -> None:
    with pytest.raises(ConfigurationError, match=r"starttls or email\.security=ssl") as refused:
        EmailChannel(
            {"host": HOST, "sender": "a@b.c", "username": "ar", "password": "hunter2-secret"}
        )
    assert refused.value.field == "security"
    assert "hunter2-secret" not in str(refused.value)
    # the same login over STARTTLS or SSL is accepted
    EmailChannel(
        {"host": HOST, "sender": "a@b.c", "username": "ar", "password": "x", "security": "ssl"}
    )


def test_message_id_is_stable_and_date_is_the_send_time() -> None:
    from arcore.collections.email import email_message

    sent_at = dt.datetime(2026, 2, 9, 10, 17, tzinfo=dt.UTC)
    message = _message().model_copy(update={"message_id": "dun-abc", "sent_at": sent_at})
    first, again = email_message(message, "ar@acme.example"), email_message(message, "ar@x.org")
    assert first["Message-ID"] == "<dun-abc@acme.example>"
    assert again["Message-ID"] == "<dun-abc@x.org>"
    assert email.utils.parsedate_to_datetime(str(first["Date"])) == sent_at


def _pdf_text(data: bytes) -> str:
    """The text drawn in a PDF written by fpdf2 with a core font (Flate streams)."""
    import re
    import zlib

    shown: list[str] = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(stream)
        except zlib.error:
            continue
        for literal in re.findall(rb"\((.*?)(?<!\\)\)\s*Tj", content, re.S):
            shown.append(re.sub(rb"\\([()\\])", rb"\1", literal).decode("cp1252"))
    return "\n".join(shown)


@pytest.mark.parametrize("server", ["plain"], indirect=True)
def test_dunning_run_end_to_end_through_smtp(
    server: tuple[Inbox, int], store: Any, ledger: Any
) -> None:
    from arcore.collections.channels import PhoneChannel
    from arcore.collections.policy import DEFAULT_POLICY, PolicySet
    from arcore.store.dunning import outbox, run_dunning

    from .conftest import AT, COMPANY

    inbox, port = server
    channels = {
        "email": EmailChannel({"host": HOST, "port": str(port), "sender": "ar@acme.example"}),
        "phone": PhoneChannel({}),
        "letter": PhoneChannel({}),  # not reached on 7 Feb
    }
    sent_at = AT + dt.timedelta(minutes=3)
    report = run_dunning(
        store,
        COMPANY,
        as_of=dt.date(2026, 2, 7),
        at=AT,
        clock=lambda: sent_at,
        policies=PolicySet(default=DEFAULT_POLICY),
        channels=channels,
        customer_ids={"c-1"},
    )
    (summary,) = report.messages
    (row,) = outbox(store, COMPANY, status="sent")
    assert len(inbox.messages) == 1
    sender, recipients, raw = inbox.messages[0]
    assert (sender, recipients) == ("ar@acme.example", ["ap@c-1.example"])
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Message-ID"] == f"<{row.id}@acme.example>" == summary.reference
    assert email.utils.parsedate_to_datetime(str(mail["Date"])) == sent_at
    assert mail["Subject"] == "Payment reminder: 1000.00 USD past due"
    body = mail.get_body(("plain",))
    assert body is not None
    assert "INV-1" in body.get_content()
    (attachment,) = list(mail.iter_attachments())
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    assert "Globex" in _pdf_text(pdf)
