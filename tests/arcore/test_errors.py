"""The error tree: one root, builtin bases where they fit, structured data, messages with a hint."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

import arcore.errors
from arcore.errors import (
    AdapterNotInstalledError,
    ArcoreError,
    ConfigurationError,
    ConflictError,
    CurrencyError,
    CurrencyMismatchError,
    FloatAmountError,
    InvalidAmountError,
    NotFoundError,
    PluginError,
    TermsError,
    UnknownCurrencyError,
    ValidationError,
)

ERROR_CLASSES = [getattr(arcore.errors, name) for name in arcore.errors.__all__]
# Classes whose constructor takes the common (message, hint=, file=, row=, field=, value=) form.
PLAIN_CLASSES = [cls for cls in ERROR_CLASSES if cls is not AdapterNotInstalledError]


def test_all_is_sorted_and_complete() -> None:
    assert arcore.errors.__all__ == sorted(arcore.errors.__all__)
    defined = {
        name
        for name, obj in vars(arcore.errors).items()
        if isinstance(obj, type)
        and issubclass(obj, BaseException)
        and obj.__module__ == arcore.errors.__name__
    }
    assert defined == set(arcore.errors.__all__)


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_is_an_arcore_error(cls: type[Exception]) -> None:
    assert issubclass(cls, ArcoreError)
    assert cls.__doc__, f"{cls.__name__} needs a docstring saying when it is raised"


@pytest.mark.parametrize(
    ("cls", "builtin"),
    [
        (ValidationError, ValueError),
        (InvalidAmountError, ValueError),
        (FloatAmountError, ValueError),
        (FloatAmountError, TypeError),
        (TermsError, ValueError),
        (CurrencyError, ValueError),
        (UnknownCurrencyError, ValueError),
        (CurrencyMismatchError, ValueError),
        (NotFoundError, LookupError),
        (AdapterNotInstalledError, LookupError),
    ],
)
def test_leaves_inherit_the_matching_builtin(
    cls: type[Exception], builtin: type[Exception]
) -> None:
    # Callers that know nothing of arcore keep working with ``except ValueError`` etc.
    assert issubclass(cls, builtin)


@pytest.mark.parametrize(
    ("cls", "parent"),
    [
        (InvalidAmountError, ValidationError),
        (FloatAmountError, InvalidAmountError),
        (TermsError, ValidationError),
        (UnknownCurrencyError, CurrencyError),
        (CurrencyMismatchError, CurrencyError),
        (PluginError, ConfigurationError),
        (AdapterNotInstalledError, ConfigurationError),
    ],
)
def test_the_tree(cls: type[Exception], parent: type[Exception]) -> None:
    assert issubclass(cls, parent)


def test_not_found_and_conflict_are_not_validation_errors() -> None:
    # A caller handling bad input must not swallow a missing record or a stale write.
    assert not issubclass(NotFoundError, ValueError)
    assert not issubclass(ConflictError, ValueError)
    assert not issubclass(CurrencyError, ValidationError)


def test_message_renders_where_what_and_what_to_do() -> None:
    error = ValidationError(
        "amount is negative",
        hint="Use a credit memo instead",
        file="invoices.csv",
        row=12,
        field="amount",
        value="-5",
    )
    assert (
        str(error)
        == "invoices.csv, row 12, field 'amount': amount is negative. Use a credit memo instead"
    )
    assert error.message == "amount is negative"
    assert error.hint == "Use a credit memo instead"
    assert (error.file, error.row, error.field, error.value) == ("invoices.csv", 12, "amount", "-5")


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "bad"),
        ({"hint": "Fix it"}, "bad. Fix it"),
        ({"file": "a.csv"}, "a.csv: bad"),
        ({"row": 3}, "row 3: bad"),
        ({"row": 0}, "row 0: bad"),
        ({"field": "due"}, "field 'due': bad"),
        ({"file": "a.csv", "field": "due"}, "a.csv, field 'due': bad"),
        ({"row": 3, "field": "due", "hint": "Fix it"}, "row 3, field 'due': bad. Fix it"),
        ({"value": "x"}, "bad"),
    ],
)
def test_message_leaves_out_what_is_not_known(kwargs: dict[str, object], expected: str) -> None:
    assert str(ArcoreError("bad", **kwargs)) == expected  # type: ignore[arg-type]


def test_file_may_be_a_path_and_is_kept_as_a_string() -> None:
    error = NotFoundError("no invoice INV-9", file=Path("data") / "x.csv")
    assert error.file == str(Path("data") / "x.csv")
    assert str(error).startswith(str(Path("data") / "x.csv") + ": ")


@pytest.mark.parametrize("cls", PLAIN_CLASSES, ids=lambda cls: cls.__name__)
def test_every_error_carries_its_data(cls: type[ArcoreError]) -> None:
    error = cls("went wrong", hint="Do this", file="f.csv", row=2, field="x", value=[1, 2])
    assert (error.file, error.row, error.field, error.value) == ("f.csv", 2, "x", [1, 2])
    assert str(error) == "f.csv, row 2, field 'x': went wrong. Do this"
    with pytest.raises(ArcoreError):
        raise error


@pytest.mark.parametrize("cls", PLAIN_CLASSES, ids=lambda cls: cls.__name__)
def test_errors_survive_pickling(cls: type[ArcoreError]) -> None:
    error = cls("went wrong", hint="Do this", file="f.csv", row=2, field="x", value="v")
    for restored in (pickle.loads(pickle.dumps(error)), copy.copy(error)):
        assert type(restored) is cls
        assert str(restored) == str(error)
        assert (restored.message, restored.hint) == ("went wrong", "Do this")
        assert (restored.file, restored.row, restored.field, restored.value) == (
            "f.csv",
            2,
            "x",
            "v",
        )


def test_adapter_not_installed_names_the_extra_to_install() -> None:
    error = AdapterNotInstalledError("quickbooks", extra="quickbooks", installed=["xero", "sage"])
    assert error.adapter == "quickbooks"
    assert error.extra == "quickbooks"
    assert error.installed == ["xero", "sage"]
    assert error.field == "adapter"
    assert error.value == "quickbooks"
    assert "pip install 'arcore[quickbooks]'" in str(error)
    assert error.hint is not None
    assert "arcore[quickbooks]" in error.hint
    assert "xero, sage" in str(error)
    assert isinstance(error, ConfigurationError)
    assert isinstance(error, LookupError)


def test_adapter_not_installed_without_a_known_extra_explains_entry_points() -> None:
    error = AdapterNotInstalledError("netsuite", extra=None, installed=[], reason="typo?")
    assert "'netsuite'" in str(error)
    assert "arcore.adapters" in str(error)
    assert "pip install 'arcore[" not in str(error)
    assert "installed adapters: none" in str(error)
    assert "(typo?)" in str(error)


def test_adapter_not_installed_survives_pickling() -> None:
    error = AdapterNotInstalledError(
        "xero", extra="xero", installed=["sage"], reason="import failed"
    )
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is AdapterNotInstalledError
    assert str(restored) == str(error)
    assert (restored.adapter, restored.extra, restored.installed) == ("xero", "xero", ["sage"])
