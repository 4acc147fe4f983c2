"""The round-trip, identifier, consent, name and national-identifier checks speak both report
languages: each message by id, the target's data kept as it is, the English unchanged."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from conformance.checks import ScenarioState, StepData
from conformance.checks.compare import diff
from conformance.engine.checking import CheckEnvironment, run_check
from conformance.engine.results import CheckResult
from conformance.identifiers import validate
from conformance.messages import Message
from conformance.paths import PACKAGE
from conformance.profiles import load_profile
from conformance.reporters.localisation import localise
from conformance.targets import Exchange
from conformance.vocabulary import Status

PID = "01S2TBPZ2JCNZZYGHZ"
MODULES = ("roundtrip", "identifier", "consent", "names", "national", "compare")
RAISING = {"Failed", "Warned", "Skipped", "NotEvaluated", "ExchangeFailed"}


def _answer(status: int, body: bytes) -> Exchange:
    return Exchange("GET", "/prescriptions", None, status, {"content-type": "application/json"},
                    body, 0.0)


def _run(name: str, kind: str, answer: Exchange, state: ScenarioState, arg: Any = None,
         journal: list[dict[str, Any]] | None = None, **params: Any) -> CheckResult:
    reader = (lambda since: journal) if journal is not None else None
    step = StepData(kind, params, [answer], journal_since=0 if journal is not None else None)
    return run_check(name, arg, "here", step, state, CheckEnvironment(load_profile(), reader))


def _created(**fields: Any) -> ScenarioState:
    body = {"patient": {"nomFamille": "Lefèvre", "prenom": "Zoé"},
            "consentement": {"opposition": False}, **fields}
    return ScenarioState(created=body, created_id=PID)


@pytest.mark.parametrize("module", MODULES)
def test_no_check_of_the_module_says_a_text_of_its_own(module: str) -> None:
    """What a check raises or returns is a message by id, never a literal or f-string."""
    tree = ast.parse((PACKAGE / "checks" / f"{module}.py").read_text("utf-8"))
    literal = []
    for node in ast.walk(tree):
        said = (node.args[0] if isinstance(node, ast.Call) and getattr(node.func, "id", None)
                in RAISING and node.args else node.value if isinstance(node, ast.Return) else None)
        if isinstance(said, ast.JoinedStr) or (isinstance(said, ast.Constant)
                                               and isinstance(said.value, str)):
            literal.append(node.lineno)
    assert literal == []


def test_a_changed_field_reads_in_french_with_its_path_and_values_as_data() -> None:
    state = _created()
    answer = _answer(200, b'{"patient": {"nomFamille": "LEFEVRE", "prenom": "Zo\\u00e9"}, '
                          b'"consentement": {"opposition": false}}')
    result = _run("same_as_created", "consult", answer, state)
    assert result.status is Status.FAIL
    assert result.message == "1 field(s) differ between the creation and consult"
    assert result.observed == "patient.nomFamille: expected 'Lefèvre', observed 'LEFEVRE'"
    french = localise(result.message, "fr"), localise(result.expected, "fr"), localise(
        result.diff, "fr")
    assert french == ("1 champ(s) diffèrent entre la création et la consultation",
                      "chaque champ créé inchangé",
                      ("patient.nomFamille : attendu 'Lefèvre', observé 'LEFEVRE'",))


def test_a_missing_field_and_a_short_list_in_french() -> None:
    found = diff({"lignes": [1, 2], "patient": {"prenom": "Zoé"}}, {"lignes": [1]})
    assert found == ["lignes: expected 2 items, observed 1", "patient: missing (expected "
                     "{'prenom': 'Zoé'})"]
    assert [m.render("fr") for m in found] == [
        "lignes : 2 éléments attendus, 1 observés",
        "patient : absent (attendu {'prenom': 'Zoé'})"]


def test_an_invalid_key_is_one_message_in_both_languages_and_english_as_before() -> None:
    reason = validate("nir", "185057800608458").reason
    assert isinstance(reason, Message)
    assert reason == "wrong key 58: expected 91 (97 - number mod 97)"
    assert reason.render("fr") == "clé erronée 58 : attendu 91 (97 - nombre mod 97)"
    assert validate("rpps", "123").reason.render("fr") == "un RPPS compte 11 chiffres, reçu '123'"


def test_a_valid_identifier_has_no_reason() -> None:
    from conformance.identifiers.keys import luhn_complete

    verdict = validate("rpps", luhn_complete("1000000000"))
    assert verdict.valid and verdict.reason == ""


def test_an_invalid_printed_identifier_nests_its_reason_in_french() -> None:
    from conformance.checks.national import _verdict
    from conformance.checks.registry import Failed
    from conformance.messages import Messages, Text

    where = Messages("test-national", {"at": Text("page 1 rpps", "page 1 rpps")})("at")
    with pytest.raises(Failed) as caught:
        _verdict([(where, "rpps", "12345678901")], set(), Message("national.printed"))
    failure = caught.value
    assert failure.message.startswith("invalid identifier printed: page 1 rpps '12345678901' "
                                      "(wrong Luhn key: last digit should be ")
    assert localise(failure.message, "fr").startswith(
        "identifiant invalide imprimé(s) : page 1 rpps '12345678901' (clé de Luhn erronée : "
        "le dernier chiffre devrait être ")
    assert localise(failure.diff, "fr")[0].startswith("page 1 rpps : '12345678901' : clé de Luhn")


def test_the_consent_flag_in_french() -> None:
    answer = _answer(200, b'{"consentement": {"opposition": true}}')
    result = _run("consent_flag", "consult", answer, _created())
    assert (result.status, result.expected, result.observed) == (
        Status.FAIL, "opposition: false", "opposition: true")
    assert localise([result.message, result.expected], "fr") == [
        "la consultation restitue un autre consentement", "opposition : false"]


def test_a_not_evaluated_reason_keeps_its_cause_in_both_languages() -> None:
    answer = Exchange("POST", "/prescriptions", None, 400, {"content-type": "application/json"},
                      b'{"rule": "R-12"}', 0.0)
    step = StepData("create", {}, [answer], sent={"lignes": []})
    result = run_check("rejected", "R-12", "here", step, ScenarioState(),
                       CheckEnvironment(load_profile()))
    assert result.skip == "not-evaluated"
    assert result.message.startswith("rejected with R-12; that nothing reached the teleservice "
                                     "is not verifiable: no teleservice journal")
    assert localise(result.message, "fr").startswith(
        "refusée avec R-12 ; que rien n'ait atteint le téléservice n'est pas vérifiable : pas de "
        "journal du téléservice")


def test_a_changed_name_counts_code_points_in_french() -> None:
    journal = [{"operation": "EP4", "status": 201, "id": PID, "request": {"prescription": {
        "id": PID, "patient": {"nomFamille": "Lefe\u0300vre", "prenom": "Zoé"}}}}]
    answer = Exchange("POST", "/prescriptions", None, 201, {"content-type": "application/json"},
                      b'{"id": "' + PID.encode() + b'", "statut": "enregistree"}', 0.0)
    result = _run("names_intact", "create", answer, _created(), journal=journal)
    assert result.status is Status.FAIL
    assert localise(result.observed, "fr") == (
        "patient.nomFamille dans EP4 : attendu 'Lefèvre' (7 points de code), observé "
        "'Lefe\u0300vre' (8 points de code)")
