"""QuickBooks Online for arcore: the adapter (python-quickbooks + intuit-oauth) and a simulator.

``arcore_quickbooks.simulator`` is a loopback HTTP server of the QuickBooks Online v3 API that the
unmodified SDK talks to; integrators use it to test without a sandbox company.
"""
