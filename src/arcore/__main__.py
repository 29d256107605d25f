"""``python -m arcore``: the same as the ``arcore`` console script."""

from arcore.cli import main

main()
