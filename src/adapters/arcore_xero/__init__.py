"""Xero for arcore: the adapter (xero-python) and a simulator of the Xero Accounting API.

``arcore_xero.simulator`` is a loopback HTTP server of the Xero Accounting API (and its token
and connections endpoints) that the unmodified SDK talks to; integrators use it to test
without a Xero organisation.
"""
