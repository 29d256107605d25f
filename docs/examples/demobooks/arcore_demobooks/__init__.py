"""arcore adapter for DemoBooks, the example of the "Writing an adapter" tutorial."""

__version__ = "0.1.0"
