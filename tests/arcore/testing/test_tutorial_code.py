"""The code the "Write an adapter" guide shows is the code of docs/examples/demobooks, exactly.

Every block with a ``title`` (a path in the example) must appear, character for character, in
that file: change the example and the guide together.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[3]
GUIDE = ROOT / "docs" / "how-to" / "write-an-adapter.md"
EXAMPLE = ROOT / "docs" / "examples" / "demobooks"
BLOCK = re.compile(r'^```\w+ title="(?P<path>[^"]+)"\n(?P<code>.*?)^```$', re.MULTILINE | re.DOTALL)

SHOWN = [(match["path"], match["code"]) for match in BLOCK.finditer(GUIDE.read_text())]


def test_the_guide_shows_every_part_of_the_adapter() -> None:
    shown = {path for path, _ in SHOWN}
    assert shown >= {
        "pyproject.toml",
        "arcore_demobooks/plugin.py",
        "arcore_demobooks/adapter.py",
        "arcore_demobooks/client.py",
        "arcore_demobooks/customers.py",
        "arcore_demobooks/invoices.py",
        "arcore_demobooks/webhooks.py",
        "arcore_demobooks/harness.py",
        "tests/test_demobooks.py",
    }


@pytest.mark.parametrize(
    ("path", "code"), SHOWN, ids=[f"{p}:{i}" for i, (p, _) in enumerate(SHOWN)]
)
def test_each_block_is_the_example_code(path: str, code: str) -> None:
    assert code in (EXAMPLE / path).read_text(), f"the guide's {path} block differs from the file"


@pytest.mark.parametrize(
    "path",
    [
        "pyproject.toml",
        "arcore_demobooks/plugin.py",
        "arcore_demobooks/customers.py",
        "arcore_demobooks/webhooks.py",
        "tests/test_demobooks.py",
    ],
)
def test_files_shown_whole_are_shown_whole(path: str) -> None:
    assert (EXAMPLE / path).read_text() in [code for shown, code in SHOWN if shown == path]
