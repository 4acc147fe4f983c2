"""``conformance adapter check``: each operation of the contract probed, with the fix."""

from __future__ import annotations

import httpx
import pytest
from click.testing import CliRunner

from conformance.application import ApplicationError
from conformance.application.adapter import Outcome, check_adapter
from conformance.cli.main import cli
from conformance.embedded import EmbeddedWorld
from tests.fakes import PID, FakeTarget

OPERATIONS = ["GET /about", "POST /prescriptions", "GET /prescriptions/{id}",
              "GET /prescriptions?prescripteur=…&patient=…", "GET /prescriptions/{id}/paper"]


def test_the_reference_answers_every_operation_as_the_contract_says(world: EmbeddedWorld) -> None:
    probes = check_adapter(world.target_url)
    assert [p.operation for p in probes] == OPERATIONS
    assert [p.outcome for p in probes] == [Outcome.OK] * 5, probes
    assert not any(p.fix for p in probes)


def test_each_wrong_answer_is_named_with_its_fix() -> None:
    def paper_as_json(request: httpx.Request) -> httpx.Response | None:
        if request.url.path.endswith("/paper"):
            return httpx.Response(200, json={"pdf": "JVBERi0="})
        return None

    probes = {p.operation: p for p in check_adapter("http://lap.test", transport=FakeTarget(
        paper_as_json).transport)}
    about = probes["GET /about"]  # the fake says "contrat", the contract "versionContrat"
    assert about.outcome is Outcome.PROBLEM
    assert "'versionContrat' is a required property" in about.detail
    assert "components/schemas/About" in about.fix
    paper = probes["GET /prescriptions/{id}/paper"]
    assert paper.outcome is Outcome.PROBLEM and "application/json" in paper.detail
    assert "application/pdf" in paper.fix
    assert probes["POST /prescriptions"].outcome is Outcome.OK


def test_a_refused_create_leaves_the_rest_not_tried_and_shows_the_refusal() -> None:
    def refuse(request: httpx.Request) -> httpx.Response | None:
        if request.method == "POST":
            return httpx.Response(422, json={"title": "Refus", "status": 422, "rule": "EF_X",
                                             "detail": "motif manquant"})
        return None

    probes = check_adapter("http://lap.test", transport=FakeTarget(refuse).transport)
    created = probes[1]
    assert created.outcome is Outcome.PROBLEM
    assert created.detail == "HTTP 422 (EF_X — Refus — motif manquant), expected 201"
    assert "create example" in created.fix
    assert [p.outcome for p in probes[2:]] == [Outcome.NOT_TRIED] * 3


def test_a_5xx_points_at_the_adapter_log_and_its_teleservice() -> None:
    def crash(request: httpx.Request) -> httpx.Response | None:
        return httpx.Response(500, text="Internal Server Error") if request.method == "POST" else None

    created = check_adapter("http://lap.test", transport=FakeTarget(crash).transport)[1]
    assert created.detail == "HTTP 500, expected 201" and "adapter's log" in created.fix


def test_search_must_find_what_was_just_created() -> None:
    def empty(request: httpx.Request) -> httpx.Response | None:
        if request.method == "GET" and request.url.path == "/prescriptions":
            return httpx.Response(200, json={"resultats": [], "total": 0})
        return None

    search = check_adapter("http://lap.test", transport=FakeTarget(empty).transport)[3]
    assert search.outcome is Outcome.PROBLEM and PID in search.detail


def test_unreachable_is_exit_3_and_a_url_without_scheme_exit_2() -> None:
    with pytest.raises(ApplicationError) as unreachable:
        check_adapter("http://127.0.0.1:9", timeout=2)
    assert unreachable.value.code == 3 and "start the adapter" in unreachable.value.message
    result = CliRunner().invoke(cli, ["adapter", "check", "--target", "localhost:8080"])
    assert result.exit_code == 2
    assert "= write the scheme: --target http://localhost:8080" in result.stderr


def test_the_command_prints_one_line_per_operation_and_exits_1_on_a_problem(
        world: EmbeddedWorld) -> None:
    ok = CliRunner().invoke(cli, ["adapter", "check", "--target", world.target_url], env={"NO_COLOR": "1"})
    assert ok.exit_code == 0, ok.output
    assert [line.split("  ")[0] for line in ok.stdout.splitlines()[:5]] == [f"✓ {op}" for op in OPERATIONS]
    assert "next, conformance run --target" in ok.stdout
    wrong = CliRunner().invoke(cli, ["adapter", "check", "--target", world.teleservice_url])
    assert wrong.exit_code == 1
    assert "2 of 5 operations do not answer as the contract says (3 not tried)" in wrong.stdout
