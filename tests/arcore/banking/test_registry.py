from __future__ import annotations

from pathlib import Path

import pytest

from arcore.banking import FORMATS, read_statements
from arcore.errors import BankFileError
from arcore.plugins import plugin_manager


def test_builtin_parsers_are_plugins() -> None:
    parsers = plugin_manager(entry_points=False).statement_parsers()
    assert dict(parsers) == dict(FORMATS)


# Real files the format's library refuses (see each format's tests for why).
REFUSED = {
    "moov_sample2.bai2",
    "moov_sample3.bai2",
    "moov_sample4-continuations-newline-delimited.bai2",
    "moov_sample5-issue113.bai2",
    "wolph_cmxl_mt940.sta",
    "ofxparse_checking.ofx",
}


@pytest.mark.parametrize(
    ("folder", "format_name"),
    [("camt", "camt0"), ("bai2", "bai2"), ("mt940", "mt940"), ("ofx", "ofx")],
)
def test_auto_picks_the_format(bank_data: Path, folder: str, format_name: str) -> None:
    parsers = plugin_manager(entry_points=False).statement_parsers()
    for path in sorted((bank_data / folder).iterdir()):
        if path.suffix == ".yml":
            continue
        if path.name in REFUSED:
            with pytest.raises(BankFileError, match=path.name):
                read_statements(path, parsers=parsers)
            continue
        statements = read_statements(path, parsers=parsers)
        assert statements
        assert all(s.format.startswith(format_name) for s in statements), path.name


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_text("x")
    with pytest.raises(BankFileError, match="qif"):
        read_statements(path, "qif")
