"""Griffe extension used by the docs build: render bare doctests as Python console blocks.

arcore's docstrings put doctest examples directly in their text (``>>> ...`` lines). griffe's
Google-style parser turns doctests into code only inside an ``Examples:`` section; elsewhere
they stay Markdown, render as nested quotes, and an output line such as
``['3.34 USD', '3.33 USD']`` right after a line ending in ``]`` reads as a reference link
(a strict-mode warning). This extension wraps every run of unindented doctest lines, up to
the next blank line, in a ``pycon`` fence. Doctests already inside a fence or an indented
``Examples:`` section are left alone.

Loaded from ``mkdocs.yml`` (``plugins.mkdocstrings.handlers.python.options.extensions``);
``exclude_docs`` keeps this file out of the built site.
"""

from __future__ import annotations

from typing import Any

import griffe

FENCE = "```"


def fence_doctests(text: str) -> str:
    """Return ``text`` with each top-level doctest block wrapped in a ``pycon`` fence."""
    out: list[str] = []
    in_fence = False
    in_doctest = False
    for line in text.split("\n"):
        if in_doctest:
            if line.strip():
                out.append(line)
                continue
            out.append(FENCE)
            in_doctest = False
        if line.lstrip().startswith(FENCE):
            in_fence = not in_fence
        elif not in_fence and line.startswith(">>>"):
            out.append(f"{FENCE}pycon")
            in_doctest = True
        out.append(line)
    if in_doctest:
        out.append(FENCE)
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    """Fence the doctests of every object's docstring once the object tree is complete."""

    def on_object(self, *, obj: griffe.Object, loader: griffe.GriffeLoader, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring in place."""
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
