"""requestid replay, the fault plan, batch, and throttling on the injectable clock."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import requests
from quickbooks.batch import batch_create, batch_delete, batch_update
from quickbooks.exceptions import SevereException, ValidationException
from quickbooks.objects.customer import Customer
from quickbooks.objects.invoice import Invoice

from arcore_quickbooks.simulator import Fault, QuickBooksSimulator


def customer(name: str) -> Customer:
    made = Customer()
    made.DisplayName = name
    return made


def invoice_for(customer_id: str, doc_number: str) -> Invoice:
    made = Invoice()
    made.CustomerRef = {"value": customer_id}
    made.DocNumber = doc_number
    return made


def test_requestid_replay_after_the_connection_dropped_post_commit(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    owner = customer("Payer").save(qb=qb)
    simulator.add_fault(Fault(kind="drop_after_commit", path_contains="/invoice", method="POST"))
    draft = invoice_for(owner.Id, "R-1")

    with pytest.raises(requests.exceptions.ConnectionError):
        draft.save(qb=qb, request_id="create-R-1")
    assert len(simulator.objects(realm, "Invoice")) == 1  # it did happen

    again = invoice_for(owner.Id, "R-1").save(qb=qb, request_id="create-R-1")

    invoices = simulator.objects(realm, "Invoice")
    assert [inv["Id"] for inv in invoices] == [again.Id]
    assert simulator.requests[-2].status == 0  # the dropped one


def test_requestid_replays_the_first_response_without_writing_again(
    qb: Any, simulator: QuickBooksSimulator, realm: str, make_qb: Any
) -> None:
    first = qb.create_object("Customer", json.dumps({"DisplayName": "Once"}), request_id="r1")
    second = qb.create_object("Customer", json.dumps({"DisplayName": "Once"}), request_id="r1")

    assert first == second
    assert len(simulator.objects(realm, "Customer")) == 1
    other_realm = make_qb(simulator, realm="77")
    other_realm.create_object("Customer", json.dumps({"DisplayName": "Once"}), request_id="r1")
    assert len(simulator.objects("77", "Customer")) == 1


def test_http_500_fault_writes_nothing(qb: Any, simulator: QuickBooksSimulator, realm: str) -> None:
    simulator.add_fault(Fault(kind="http_500", method="POST"))

    with pytest.raises(SevereException) as caught:
        customer("Nope").save(qb=qb)
    assert caught.value.error_code == 10000
    assert simulator.objects(realm, "Customer") == []
    customer("Nope").save(qb=qb)  # the plan is consumed
    assert simulator.pending_faults == []


def test_latency_fault_delays_then_answers(qb: Any, simulator: QuickBooksSimulator) -> None:
    simulator.add_fault(Fault(kind="latency", seconds=0.05, times=2))

    started = time.monotonic()
    Customer.all(qb=qb)
    Customer.all(qb=qb)

    assert time.monotonic() - started >= 0.1


def test_throttle_fault_is_3001_with_optional_retry_after(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    simulator.add_fault(Fault(kind="throttle"))
    simulator.add_fault(Fault(kind="throttle", seconds=7))
    url = f"{simulator.api_url}/company/{realm}/customer/1"

    with pytest.raises(ValidationException) as caught:
        Customer.all(qb=qb)
    assert caught.value.error_code == 3001
    response = qb.session.get(url, params={"minorversion": 75})
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"


def test_rate_limit_per_realm_on_the_clock(sim_clock: Any, make_qb: Any, realm: str) -> None:
    with QuickBooksSimulator(clock=sim_clock, requests_per_minute=3) as sim:
        qb = make_qb(sim)
        for _ in range(3):
            Customer.all(qb=qb)
        sim_clock.advance(seconds=20)

        with pytest.raises(ValidationException) as caught:
            Customer.all(qb=qb)
        assert caught.value.error_code == 3001
        limited = qb.session.post(
            f"{sim.api_url}/company/{realm}/query",
            data="SELECT * FROM Customer",
            params={"minorversion": 75},
        )
        assert limited.status_code == 429
        assert limited.headers["Retry-After"] == "40"
        assert limited.json()["Fault"]["Error"][0]["Message"].startswith("message=ThrottleExceeded")
        Customer.all(qb=make_qb(sim, realm="other-realm"))  # limits are per realm

        sim_clock.advance(seconds=40)
        assert Customer.all(qb=qb) == []


def test_concurrency_limit_per_realm(sim_clock: Any, make_qb: Any, realm: str) -> None:
    with QuickBooksSimulator(clock=sim_clock, max_concurrent=1) as sim:
        qb = make_qb(sim)
        slow = make_qb(sim, refresh_token="slow")
        sim.add_fault(Fault(kind="latency", seconds=0.5))
        worker = threading.Thread(target=lambda: Customer.all(qb=slow))
        worker.start()
        deadline = time.monotonic() + 5
        while sim.pending_faults and time.monotonic() < deadline:
            time.sleep(0.005)  # wait until the slow request is in flight

        busy = qb.session.get(
            f"{sim.api_url}/company/{realm}/customer/1", params={"minorversion": 75}
        )
        worker.join()

        assert busy.status_code == 429
        assert busy.headers["Retry-After"] == "1"
        assert Customer.all(qb=qb) == []


def test_batch_create_update_delete_with_per_item_faults(
    qb: Any, simulator: QuickBooksSimulator, realm: str
) -> None:
    created = batch_create([customer("B1"), customer("B2"), customer("B1")], qb=qb)
    assert sorted(c.DisplayName for c in created.successes) == ["B1", "B2"]
    assert [f.Error[0].code for f in created.faults] == ["6240"]

    stale = Customer.get(created.successes[0].Id, qb=qb)
    fresh = Customer.get(created.successes[1].Id, qb=qb)
    fresh.Notes = "updated"
    stale.Notes = "updated"
    stale.SyncToken = "7"
    updated = batch_update([fresh, stale], qb=qb)
    assert [c.Notes for c in updated.successes] == ["updated"]
    assert [f.Error[0].code for f in updated.faults] == ["5010"]

    owner = created.successes[0].Id
    invoices = [invoice_for(owner, f"B-{n}").save(qb=qb) for n in range(2)]
    deleted = batch_delete(invoices, qb=qb)
    assert deleted.faults == []
    assert simulator.objects(realm, "Invoice") == []


def test_batch_query_item(qb: Any, simulator: QuickBooksSimulator, realm: str) -> None:
    simulator.seed(realm, "Customer", {"DisplayName": "Q"})
    body = {"BatchItemRequest": [{"bId": "q1", "Query": "SELECT COUNT(*) FROM Customer"}]}

    answer = qb.batch_operation(json.dumps(body))

    assert answer["BatchItemResponse"] == [{"bId": "q1", "QueryResponse": {"totalCount": 1}}]


def test_concurrent_clients_get_distinct_ids(
    simulator: QuickBooksSimulator, make_qb: Any, realm: str
) -> None:
    clients = [make_qb(simulator, refresh_token=f"t{n}") for n in range(4)]
    failures: list[BaseException] = []

    def create_many(qb: Any, worker: int) -> None:
        try:
            for n in range(8):
                customer(f"W{worker}-{n}").save(qb=qb)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    threads = [threading.Thread(target=create_many, args=(qb, n)) for n, qb in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    ids = [c["Id"] for c in simulator.objects(realm, "Customer")]
    assert sorted(ids, key=int) == [str(n) for n in range(1, 33)]


def test_stop_is_idempotent_and_closes_the_port(sim_clock: Any) -> None:
    sim = QuickBooksSimulator(clock=sim_clock).start()
    url = sim.discovery_url
    assert requests.get(url, timeout=5).status_code == 200

    sim.stop()
    sim.stop()

    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=5)
    with pytest.raises(RuntimeError):
        _ = sim.url


def test_requests_are_recorded_with_clock_time(
    qb: Any, simulator: QuickBooksSimulator, sim_clock: Any, realm: str
) -> None:
    Customer.all(qb=qb)

    last = simulator.requests[-1]
    assert (last.method, last.path, last.status) == ("POST", f"/v3/company/{realm}/query", 200)
    assert last.query == {"minorversion": "75"}
    assert last.at == sim_clock.now
