"""What people taught cash application, kept in the store: payer accounts and names.

When a clerk confirms a proposal (or applies a payment by hand), the payer's bank account
and name are remembered for the customer, so the next payment from them is identified at
once. The latest confirmation wins: a payer confirmed for another customer moves there.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from arcore.cashapp.payers import PayerMemory
from arcore.store.schema import payer_memory
from arcore.store.sql import SqlStore

__all__ = ["load_payer_memory", "remember_payer"]


def load_payer_memory(store: SqlStore, company_id: str) -> PayerMemory:
    """Everything learnt for ``company_id``, ready for [`match`][arcore.cashapp.match]."""
    t = payer_memory
    memory = PayerMemory()
    with store.session(company_id, write=False) as session:
        rows = session.connection.execute(
            select(t.c.kind, t.c.payer_key, t.c.customer_id).where(t.c.company_id == company_id)
        )
        for kind, key, customer_id in rows:
            (memory.accounts if kind == "account" else memory.names)[key] = customer_id
    return memory


def remember_payer(
    store: SqlStore,
    company_id: str,
    customer_id: str,
    *,
    payer_account: str = "",
    payer_name: str = "",
    actor: str,
    at: datetime,
) -> PayerMemory:
    """Remember that ``payer_account`` / ``payer_name`` paid for ``customer_id``.

    Returns what was learnt (empty when both are blank). Saved in one transaction.
    """
    learnt = PayerMemory()
    learnt.learn(customer_id, payer_account=payer_account, payer_name=payer_name)
    rows = [
        {"kind": "account", "payer_key": key, "payer": payer_account} for key in learnt.accounts
    ] + [{"kind": "name", "payer_key": key, "payer": payer_name} for key in learnt.names]
    if not rows:
        return learnt
    t = payer_memory
    with store.session(company_id) as session:
        for row in rows:
            session.connection.execute(
                delete(t).where(
                    t.c.company_id == company_id,
                    t.c.kind == row["kind"],
                    t.c.payer_key == row["payer_key"],
                )
            )
        session.connection.execute(
            t.insert(),
            [
                {
                    **row,
                    "company_id": company_id,
                    "customer_id": customer_id,
                    "learnt_by": actor,
                    "learnt_at": at,
                }
                for row in rows
            ],
        )
    return learnt
