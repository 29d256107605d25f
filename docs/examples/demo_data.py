"""Write the demo's sample company: customers, invoices, and a camt.053 bank statement.

``python docs/examples/demo_data.py OUT_DIR`` writes ``customers.csv`` and ``documents.csv``
(the formats of ``arcore import``) and ``statement.xml`` (an ISO 20022 camt.053.001.02 bank
statement, as a bank would send it) into ``OUT_DIR``. The same files every time (seeded).

The statement's credits are what customers paid in November 2026, written the way payers
write: invoice numbers with or without prefixes and zeros, combined payments, early payments
less their discount, a short pay, a payer nobody knows; and one bank charge.
"""

from __future__ import annotations

import csv
import random
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from xml.sax.saxutils import escape

NAMES = (
    "Globex", "Initech", "Umbrella Supply", "Stark Components", "Wayne Logistics",
    "Acme Industrial", "Hooli Services", "Vandelay Imports", "Soylent Foods", "Tyrell Systems",
    "Cyberdyne Parts", "Wonka Confections", "Oscorp Chemicals", "Gringotts Trading",
    "Monarch Paper", "Dunder Paper Supply", "Pied Piper Data", "Bluth Construction",
    "Prestige Worldwide", "Sterling Cooper", "Los Pollos Hermanos", "Krusty Foods",
    "Aperture Labs", "Black Mesa Research", "Massive Dynamic", "Nakatomi Trading",
    "Oceanic Freight", "Virtucon Metals", "Wernham Hogg", "Strickland Propane",
)  # fmt: skip
LEGAL = ("Inc", "LLC", "Corp", "Ltd", "Co")
TERMS = ("Net 30", "2/10 Net 30", "Net 45", "Net 15")
START = date(2026, 5, 1)
STATEMENT_END = date(2026, 11, 24)


@dataclass
class Invoice:
    number: str
    customer: str
    day: date
    cents: int
    terms: str


def _money(cents: int) -> str:
    return str(Decimal(cents).scaleb(-2))


def main(out: Path) -> None:
    """Write the three files into ``out``."""
    rng = random.Random(20261125)
    out.mkdir(parents=True, exist_ok=True)
    customers = []
    for index, name in enumerate(NAMES, start=1):
        iban = f"US{rng.randrange(10, 99)}BANK{rng.randrange(10**11, 10**12)}" if index % 2 else ""
        customers.append(
            {
                "customer_id": f"C{index:03d}",
                "name": f"{name} {rng.choice(LEGAL)}",
                "aliases": "",
                "bank_accounts": iban,
                "parent_id": "",
                "currency": "USD",
                "terms": rng.choice(TERMS),
                "credit_limit": _money(rng.randrange(20_000, 200_000) * 100),
            }
        )
    invoices = []
    number = 10_000
    for customer in customers:
        for _ in range(rng.randrange(6, 24)):
            number += rng.randrange(1, 4)
            day = START + timedelta(days=rng.randrange(0, 200))
            invoices.append(
                Invoice(
                    f"INV-{number}",
                    customer["customer_id"],
                    day,
                    rng.randrange(150_00, 25_000_00),
                    customer["terms"],
                )
            )
    invoices.sort(key=lambda i: (i.day, i.number))
    paid, statement = _payments(rng, invoices, customers)
    with (out / "customers.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(customers[0]))
        writer.writeheader()
        writer.writerows(customers)
    with (out / "documents.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["document_no", "kind", "customer_id", "document_date", "due_date", "terms",
             "currency", "amount", "open_amount"]
        )  # fmt: skip
        for invoice in invoices:
            # Paid before November: imported as history, with nothing left open.
            settled = invoice.number in paid
            writer.writerow(
                [invoice.number, "invoice", invoice.customer, invoice.day.isoformat(), "",
                 invoice.terms, "USD", _money(invoice.cents), "0" if settled else ""]
            )  # fmt: skip
        for index, customer in enumerate(customers[:6], start=1):
            writer.writerow(
                [f"CM-{index}", "credit_memo", customer["customer_id"], "2026-10-15", "", "",
                 "USD", _money(rng.randrange(50_00, 400_00)), ""]
            )  # fmt: skip
    (out / "statement.xml").write_text(statement, encoding="utf-8")


def _payments(
    rng: random.Random, invoices: list[Invoice], customers: list[dict[str, str]]
) -> tuple[set[str], str]:
    """Invoices settled before November, and the November statement paying others."""
    names = {c["customer_id"]: c["name"] for c in customers}
    accounts = {c["customer_id"]: c["bank_accounts"] for c in customers}
    old = [i for i in invoices if i.day < date(2026, 9, 1)]
    paid = {i.number for i in old if rng.random() < 0.8}
    open_ = [i for i in invoices if i.number not in paid and i.day < date(2026, 11, 10)]
    rng.shuffle(open_)
    entries = []
    for invoice in open_[:90]:
        booked = max(invoice.day + timedelta(days=rng.randrange(5, 40)), date(2026, 11, 2))
        if booked > STATEMENT_END:
            continue
        cents, reference = invoice.cents, _written(rng, invoice.number)
        if invoice.terms.startswith("2/10") and booked <= invoice.day + timedelta(days=10):
            cents -= (cents * 2 + 50) // 100  # paid early, less the 2 % discount
        payer = names[invoice.customer].upper()
        entries.append((booked, cents, payer, accounts[invoice.customer], reference))
    for customer in customers[::7]:  # one payment for two invoices
        theirs = [i for i in open_[90:] if i.customer == customer["customer_id"]][:2]
        if len(theirs) == 2:
            entries.append(
                (date(2026, 11, 20), theirs[0].cents + theirs[1].cents, customer["name"].upper(),
                 customer["bank_accounts"], f"{theirs[0].number} {theirs[1].number}")
            )  # fmt: skip
    entries.append((date(2026, 11, 18), 1234_56, "UNKNOWN TRADER 4471", "", "THANK YOU"))
    entries.sort()
    return paid, _camt(entries)


def _written(rng: random.Random, number: str) -> str:
    digits = number.removeprefix("INV-")
    return rng.choice(
        (f"INV {digits}", f"inv-{digits}", f"Invoice {number}", f"#{digits}", f"PMT {digits}")
    )


def _camt(entries: list[tuple[date, int, str, str, str]]) -> str:
    rows = []
    for index, (booked, cents, payer, account, reference) in enumerate(entries, start=1):
        debtor_account = (
            f"<DbtrAcct><Id><Othr><Id>{escape(account)}</Id></Othr></Id></DbtrAcct>"
            if account
            else ""
        )
        rows.append(
            f"""    <Ntry>
      <Amt Ccy="USD">{_money(cents)}</Amt>
      <CdtDbtInd>CRDT</CdtDbtInd>
      <Sts>BOOK</Sts>
      <BookgDt><Dt>{booked.isoformat()}</Dt></BookgDt>
      <ValDt><Dt>{booked.isoformat()}</Dt></ValDt>
      <AcctSvcrRef>DEMO{index:06d}</AcctSvcrRef>
      <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
      <NtryDtls><TxDtls>
        <RltdPties><Dbtr><Nm>{escape(payer)}</Nm></Dbtr>{debtor_account}</RltdPties>
        <RmtInf><Ustrd>{escape(reference)}</Ustrd></RmtInf>
      </TxDtls></NtryDtls>
    </Ntry>"""
        )
    rows.append(
        """    <Ntry>
      <Amt Ccy="USD">35.00</Amt>
      <CdtDbtInd>DBIT</CdtDbtInd>
      <Sts>BOOK</Sts>
      <BookgDt><Dt>2026-11-24</Dt></BookgDt>
      <AcctSvcrRef>DEMOFEE</AcctSvcrRef>
      <AddtlNtryInf>ACCOUNT MAINTENANCE FEE</AddtlNtryInf>
    </Ntry>"""
    )
    body = "\n".join(rows)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>DEMO-2026-11</MsgId><CreDtTm>2026-11-24T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>DEMO-2026-11</Id>
      <CreDtTm>2026-11-24T18:00:00</CreDtTm>
      <Acct><Id><IBAN>US00DEMO0000000000000001</IBAN></Id><Ccy>USD</Ccy></Acct>
{body}
    </Stmt>
  </BkToCstmrStmt>
</Document>
"""


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-output/input"))
