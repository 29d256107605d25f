"""The arcore error tree.

Every error arcore raises on purpose is an [`ArcoreError`][arcore.errors.ArcoreError]. Each carries
the data a caller needs as attributes (``file``, ``row``, ``field``, ``value``) and a message that
ends with what to do next. Where a builtin exception fits, the leaf inherits it too, so
``except ValueError`` keeps working for callers that do not know arcore:

```text
ArcoreError
├── ValidationError (ValueError)          bad input: a field, a row, a file
│   ├── InvalidAmountError                not a usable money amount
│   │   └── FloatAmountError (TypeError)  a float where money was expected
│   ├── TermsError                        credit terms that cannot be parsed or applied
│   └── BankFileError                     a bank statement file that cannot be read
├── CurrencyError (ValueError)
│   ├── UnknownCurrencyError              not an ISO 4217 code with minor units
│   └── CurrencyMismatchError             arithmetic across two currencies
├── NotFoundError (LookupError)
├── ConflictError
│   └── IllegalTransitionError            a status change the document lifecycle forbids
└── ConfigurationError
    ├── PluginError                       a plugin failed to load or misbehaved
    └── AdapterNotInstalledError          the adapter's extra is not installed
```
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "AdapterNotInstalledError",
    "ArcoreError",
    "BankFileError",
    "ConfigurationError",
    "ConflictError",
    "CurrencyError",
    "CurrencyMismatchError",
    "FloatAmountError",
    "IllegalTransitionError",
    "InputRejectedError",
    "InvalidAmountError",
    "NotAllowedError",
    "NotFoundError",
    "PluginError",
    "RateLimitedError",
    "StaleVersionError",
    "TermsError",
    "TransientError",
    "UnknownCurrencyError",
    "ValidationError",
    "VendorAuthError",
    "VendorError",
    "VendorNotFoundError",
    "VendorValidationError",
    "WebhookSignatureError",
]


class ArcoreError(Exception):
    """Root of every error arcore raises on purpose.

    Args:
        message: What went wrong, in words a clerk or an integrator understands.
        hint: What to do next; appended to the message.
        file: The input file the problem was found in, if any.
        row: The 1-based row (line) of that file, if any.
        field: The field or column name, if any.
        value: The offending value as it was given, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.message = message
        self.hint = hint
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        self.value = value
        super().__init__(self._render())

    def __reduce__(self) -> tuple[Any, ...]:
        # Errors cross process boundaries (multiprocessing, pytest-xdist). The default
        # ``cls(*self.args)`` breaks for leaves whose ``__init__`` differs, so rebuild without
        # calling ``__init__`` and restore the attributes.
        return (_rebuild, (type(self), self.args), self.__dict__)

    def _render(self) -> str:
        where = [
            part
            for part in (
                self.file,
                f"row {self.row}" if self.row is not None else None,
                f"field {self.field!r}" if self.field is not None else None,
            )
            if part
        ]
        text = f"{', '.join(where)}: {self.message}" if where else self.message
        return f"{text}. {self.hint}" if self.hint else text


def _rebuild(cls: type[ArcoreError], args: tuple[object, ...]) -> ArcoreError:
    """Unpickle an error: ``BaseException.__new__`` sets ``args``; ``__setstate__`` the rest."""
    return cls.__new__(cls, *args)


class ValidationError(ArcoreError, ValueError):
    """Input that does not satisfy arcore's rules (a CSV cell, a CLI argument, an API payload)."""


class InvalidAmountError(ValidationError):
    """A value that is not a usable money amount (garbage text, NaN, infinity, a bool)."""


class FloatAmountError(InvalidAmountError, TypeError):
    """A ``float`` was given where money was expected.

    Binary floating point cannot hold most decimal amounts exactly (``0.1 + 0.2 != 0.3``), so
    arcore refuses it instead of guessing. Pass a ``Decimal``, an ``int`` or a string.
    """


class TermsError(ValidationError):
    """Credit terms that cannot be parsed, or that cannot be applied to the given dates."""


class CurrencyError(ArcoreError, ValueError):
    """A problem with a currency code or with mixing currencies."""


class UnknownCurrencyError(CurrencyError):
    """A code that is not an ISO 4217 currency with a defined minor unit."""


class CurrencyMismatchError(CurrencyError):
    """Arithmetic or comparison across two currencies; arcore never converts implicitly."""


class NotFoundError(ArcoreError, LookupError):
    """Something asked for by id or name does not exist."""


class ConflictError(ArcoreError):
    """The request conflicts with the current state (a stale version, an illegal transition)."""


class NotAllowedError(ConflictError):
    """Someone not allowed to tried to approve a limit or release a hold; nothing changed."""


class ConfigurationError(ArcoreError):
    """arcore, a plugin or an adapter is not set up the way the request needs."""


class PluginError(ConfigurationError):
    """A plugin failed to load, or registered something malformed."""


class AdapterNotInstalledError(ConfigurationError, LookupError):
    """An adapter was asked for by name but is not installed.

    Attributes:
        adapter: The adapter name that was asked for.
        extra: The ``arcore`` extra that installs it, when arcore knows one.
    """

    def __init__(
        self, adapter: str, *, extra: str | None, installed: list[str], reason: str = ""
    ) -> None:
        self.adapter = adapter
        self.extra = extra
        self.installed = installed
        if extra is not None:
            hint = f"Install it with: pip install 'arcore[{extra}]'"
        else:
            hint = (
                "A third-party adapter registers itself in the 'arcore.adapters' entry-point "
                "group; install its distribution"
            )
        known = ", ".join(installed) if installed else "none"
        detail = f" ({reason})" if reason else ""
        super().__init__(
            f"no adapter named {adapter!r} is installed{detail}; installed adapters: {known}",
            hint=hint,
            field="adapter",
            value=adapter,
        )


class IllegalTransitionError(ConflictError):
    """A status change the document's lifecycle forbids (``paid`` to ``void``, out of ``void``).

    Raised by ``arcore.documents.transition``; ``field`` is ``"status"`` and
    ``value`` the status asked for.

    Attributes:
        document_id: The id of the document whose status was to change.
        from_status: Its current status.
        to_status: The status asked for.
        legal: The statuses it may go to from ``from_status``, sorted (empty when final).
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
        document_id: str | None = None,
        from_status: str | None = None,
        to_status: str | None = None,
        legal: tuple[str, ...] = (),
    ) -> None:
        self.document_id = document_id
        self.from_status = from_status
        self.to_status = to_status
        self.legal = legal
        super().__init__(message, hint=hint, file=file, row=row, field=field, value=value)


class InputRejectedError(ValidationError):
    """An input (a set of CSV files) with bad rows, refused whole: nothing was written.

    The message lists the problems (the first :attr:`SHOWN` of them); :attr:`problems`
    holds every one, each an [`ArcoreError`][arcore.errors.ArcoreError] naming the file,
    row, column and value.

    Attributes:
        problems: Every problem found, in file then row order.
    """

    SHOWN = 50
    """How many problems the message lists."""

    def __init__(
        self,
        message: str,
        *,
        problems: Sequence[ArcoreError] = (),
        hint: str | None = None,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
        value: object = None,
    ) -> None:
        self.problems = tuple(problems)
        super().__init__(message, hint=hint, file=file, row=row, field=field, value=value)

    @classmethod
    def listing(cls, problems: Sequence[ArcoreError]) -> InputRejectedError:
        """The error for ``problems``, its message listing the first :attr:`SHOWN`."""
        lines = [f"  - {problem}" for problem in problems[: cls.SHOWN]]
        if len(problems) > cls.SHOWN:
            lines.append(f"  - ... and {len(problems) - cls.SHOWN} more")
        noun = "problem" if len(problems) == 1 else "problems"
        return cls(
            f"{len(problems)} {noun}, so nothing was imported; fix these rows and run "
            "the import again:\n" + "\n".join(lines),
            problems=problems,
        )


class BankFileError(ValidationError):
    """A bank statement file (camt, BAI2, MT940, OFX, CSV) that cannot be read.

    ``file`` names the file; ``row`` the 1-based line for line formats, or ``field`` the XML
    element path (``Stmt[1]/Ntry[3]/Amt``) for camt; ``value`` the offending text. Nothing
    of a file that raises it is returned.
    """


class VendorError(ArcoreError):
    """An accounting system (through its adapter) refused or failed a request.

    Adapters translate their SDK's exceptions into the subclasses below, so the sync engine
    decides what to do (retry, wait, refresh, hold) without knowing the vendor.

    Attributes:
        system: The adapter's name (``quickbooks``, ``xero``...).
        detail: What the vendor said, as it said it (never a token or secret).
    """

    def __init__(self, message: str, *, system: str = "", detail: str = "", **where: Any) -> None:
        self.system = system
        self.detail = detail
        super().__init__(message, **where)


class VendorAuthError(VendorError):
    """The vendor refused the credentials: the token expired, was revoked, or lacks a scope."""


class WebhookSignatureError(VendorAuthError):
    """A webhook delivery's signature is missing or wrong: it was not sent by the vendor.

    Answer it with HTTP 401 and do nothing else; a real delivery is retried by the vendor.
    """


class RateLimitedError(VendorError):
    """The vendor's rate limit was hit; wait ``retry_after`` seconds (None: not said).

    Attributes:
        retry_after: Seconds the vendor asked to wait, if it said.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,  # float-ok: seconds, not money
        **context: Any,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, **context)


class StaleVersionError(VendorError, ConflictError):
    """The object changed in the vendor since the version the write expected."""


class VendorNotFoundError(VendorError, NotFoundError):
    """The vendor has no object with that id (or it was deleted)."""


class VendorValidationError(VendorError, ValidationError):
    """The vendor refused the object's content (``detail`` says what it objected to)."""


class TransientError(VendorError):
    """A failure worth retrying: a timeout, a dropped connection, a 5xx."""
