"""Makes the DemoBooks example (docs/examples/demobooks) importable by the kit's tests."""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLE = Path(__file__).parents[3] / "docs" / "examples" / "demobooks"

for folder in (EXAMPLE, EXAMPLE / "tests"):
    if str(folder) not in sys.path:
        sys.path.append(str(folder))
