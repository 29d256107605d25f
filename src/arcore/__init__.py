"""arcore: accounts receivable, exact.

The names most programs need are re-exported here; everything else lives in the module named
for the concept it holds (``arcore.money``, ``arcore.terms``, ``arcore.plugins``...).
"""

from importlib.metadata import PackageNotFoundError, version

from arcore.adapter import AdapterInfo, Capabilities, RateLimit
from arcore.errors import (
    AdapterNotInstalledError,
    ArcoreError,
    BankFileError,
    ConfigurationError,
    ConflictError,
    CurrencyError,
    CurrencyMismatchError,
    FloatAmountError,
    InputRejectedError,
    InvalidAmountError,
    NotFoundError,
    PluginError,
    TermsError,
    UnknownCurrencyError,
    ValidationError,
)
from arcore.money import Money, allocate, parse_amount, parse_money
from arcore.plugins import Plugins, plugin_manager
from arcore.plugins.hookspecs import hookimpl, hookspec

try:
    __version__ = version("arcore")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    from arcore._version import __version__

__all__ = [
    "AdapterInfo",
    "AdapterNotInstalledError",
    "ArcoreError",
    "BankFileError",
    "Capabilities",
    "ConfigurationError",
    "ConflictError",
    "CurrencyError",
    "CurrencyMismatchError",
    "FloatAmountError",
    "InputRejectedError",
    "InvalidAmountError",
    "Money",
    "NotFoundError",
    "PluginError",
    "Plugins",
    "RateLimit",
    "TermsError",
    "UnknownCurrencyError",
    "ValidationError",
    "__version__",
    "allocate",
    "hookimpl",
    "hookspec",
    "parse_amount",
    "parse_money",
    "plugin_manager",
]
