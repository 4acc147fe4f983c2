"""One language per report: the catalogue covers every title, hint and message of the checks."""

from __future__ import annotations

import ast

import pytest

from conformance.catalogue import FUZZ_TITLES_EN, HINTS_FR, MESSAGES_FR, TITLES_EN, known, translate
from conformance.checks import REGISTRY
from conformance.paths import PACKAGE

RAISING = {"Failed", "Warned", "Skipped", "NotEvaluated", "ExchangeFailed"}


def _templates(node: ast.expr) -> list[str]:
    """The message templates of a string, an f-string, or either branch of a conditional."""
    if isinstance(node, ast.IfExp):
        return _templates(node.body) + _templates(node.orelse)
    template = _template(node)
    return [template] if template is not None else []


def _template(node: ast.expr) -> str | None:
    """The message template of a string or f-string ({0}, {1}… for its values)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.replace("{", "{{").replace("}", "}}")
    if isinstance(node, ast.JoinedStr):
        parts, n = [], 0
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value).replace("{", "{{").replace("}", "}}"))
            else:
                parts.append(f"{{{n}}}")
                n += 1
        return "".join(parts)
    return None


def _check_messages() -> set[str]:
    found = set()
    for file in (PACKAGE / "checks").glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in RAISING and node.args:
                found.update(_templates(node.args[0]))
            elif isinstance(node, ast.Return) and node.value is not None:
                found.update(_templates(node.value))
    return found


def test_every_check_has_an_english_title_and_a_french_hint() -> None:
    assert set(TITLES_EN) == set(REGISTRY) == set(HINTS_FR)


def test_every_message_written_in_a_check_is_in_the_catalogue() -> None:
    missing = sorted(m for m in _check_messages() if m not in MESSAGES_FR)
    assert missing == []


@pytest.mark.parametrize(("english", "french"), [
    ("not evaluated: unexpected HTTP status 500: boom (RT-01 created reports it)",
     "non évalué : statut HTTP inattendu 500 : boom (RT-01 created le signale)"),
    ("not evaluated: ${id} was not captured by an earlier step (step 1 (create) failed)",
     "non évalué : ${id} n'a été capturé par aucune étape précédente (l'étape 1 (create) a échoué)"),
    ("01S2TBPZ2JCNZZYGHZ created and registered", "01S2TBPZ2JCNZZYGHZ créée et enregistrée"),
    ("a message nobody wrote", "a message nobody wrote"),
])
def test_messages_translate_with_their_variable_parts(english: str, french: str) -> None:
    assert translate(english, "fr") == french
    assert translate(english, "en") == english


def test_the_catalogue_templates_are_well_formed() -> None:
    for english, french in MESSAGES_FR.items():
        count = english.count("{") - 2 * english.count("{{")
        assert french.count("{") - 2 * french.count("{{") == count, english
        assert known(english.replace("{{", "{").replace("}}", "}")) or "{" in english, english


def test_the_fuzzer_checks_speak_both_languages() -> None:
    from conformance.fuzz import HINTS, REQUIREMENTS

    assert set(REQUIREMENTS) == set(FUZZ_TITLES_EN)
    assert all(translate(text, "fr") != text for text in HINTS.values())
