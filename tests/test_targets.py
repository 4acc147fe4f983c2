"""The target's client pool: bounded by the requests in flight, reused, released."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from conformance.targets import HttpTarget
from conformance.targets.http import Limits


def _ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


def test_requests_one_after_another_from_many_threads_share_one_client() -> None:
    target = HttpTarget("http://fake", transport=httpx.MockTransport(_ok))
    for _ in range(20):  # a new thread each time, as the runner's scenario threads are
        thread = threading.Thread(target=target.send, args=("GET", "/about"))
        thread.start()
        thread.join()
    assert target.clients == 1
    target.close()
    assert target.clients == 0


def test_clients_are_bounded_by_the_requests_in_flight_together() -> None:
    together = threading.Barrier(4)

    def held(request: httpx.Request) -> httpx.Response:
        together.wait(timeout=10)  # four requests in flight at once
        return _ok(request)

    target = HttpTarget("http://fake", transport=httpx.MockTransport(held))
    with ThreadPoolExecutor(4) as pool:
        for _ in range(5):  # five rounds of four concurrent requests
            statuses = list(pool.map(lambda _: target.send("GET", "/about").status, range(4)))
            assert statuses == [200] * 4
    assert target.clients == 4
    target.close()


def test_a_client_closed_under_a_request_is_not_lent_again() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        threading.Event().wait(0.5)  # longer than the deadline: the watchdog closes the client
        raise httpx.ReadError("connection closed", request=request)

    target = HttpTarget("http://fake", limits=Limits(timeout=0.1), transport=httpx.MockTransport(slow))
    exchange = target.send("GET", "/about")
    assert exchange.error_kind == "timeout"
    assert target.clients == 0  # the aborted client was dropped, not put back
    target.close()


def test_a_long_json_answer_is_cut_in_the_run_record_and_whole_for_the_evidence() -> None:
    import json

    from conformance.targets.http import REPORT_BODY_LIMIT, REPORT_PREVIEW, Exchange

    answer = {"resultats": [{"id": f"{n:018d}", "lignes": ["x" * 100]} for n in range(500)]}
    body = json.dumps(answer).encode()
    exchange = Exchange("GET", "http://fake/prescriptions", None, 200,
                        {"content-type": "application/json"}, body, 0.01)
    assert len(body) > REPORT_BODY_LIMIT
    assert exchange.summary()["response"] == answer  # the evidence keeps it whole
    cut = exchange.summary(REPORT_BODY_LIMIT)["response"]
    assert isinstance(cut, str) and f"<{len(body)} bytes of JSON" in cut
    assert len(cut) < REPORT_PREVIEW + 200
    small = Exchange("GET", "http://fake/about", None, 200, {"content-type": "application/json"},
                     b'{"ok": true}', 0.01)
    assert small.summary(REPORT_BODY_LIMIT)["response"] == {"ok": True}
