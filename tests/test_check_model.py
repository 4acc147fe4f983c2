"""The check model: one declaration per check, the requirement catalogue, messages by id in
both languages, facts and consequences (DESIGN §5)."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from conformance.checks import REGISTRY, defaults, run_wide, standalone
from conformance.checks.registry import check
from conformance.fuzz import REQUIREMENTS as FUZZED
from conformance.messages import TEMPLATES, Message, Messages, Text
from conformance.paths import PACKAGE
from conformance.requirements import catalogue
from conformance.vocabulary import Severity, StepKind

RAISING = {"Failed", "Warned", "Skipped", "NotEvaluated", "ExchangeFailed"}


def test_every_check_names_a_catalogued_requirement_and_speaks_both_languages() -> None:
    for spec in REGISTRY.values():
        assert spec.requirement in catalogue(), spec.name
        for text in (spec.title, spec.hint):
            assert text.fr.strip() and text.en.strip(), spec.name
        assert set(spec.defaults) <= set(spec.steps), spec.name


def test_a_check_naming_an_unknown_requirement_fails_at_declaration() -> None:
    with pytest.raises(ValueError, match="XX-99 is not in the catalogue"):
        check("nowhere", "XX-99", Severity.MAJOR, title=Text("a", "a"), hint=Text("b", "b"),
              steps=(StepKind.CREATE,))(lambda ctx: "")
    assert "nowhere" not in REGISTRY


def test_the_catalogue_severity_is_the_highest_of_its_checks() -> None:
    by_requirement: dict[str, list[Severity]] = {}
    for spec in REGISTRY.values():
        by_requirement.setdefault(spec.requirement, []).append(spec.severity)
    for requirement, severities in by_requirement.items():
        assert catalogue()[requirement].severity == min(severities, key=lambda s: s.rank), requirement


def test_the_catalogue_is_versioned_and_sourced() -> None:
    cat = catalogue()
    assert cat.version
    for req in cat.requirements.values():
        assert req.source and req.confidence in ("high", "medium", "low"), req.id
        assert req.title.fr and req.title.en


def test_defaults_standalone_and_run_wide_come_from_the_declarations() -> None:
    assert defaults(StepKind.CREATE)[:2] == ("answer_conforms", "created")  # the contract, RT-01
    assert "created" in defaults(StepKind.CREATE)
    assert "qr_present" in standalone(StepKind.PAPER) and "created" not in standalone(StepKind.CREATE)
    assert set(run_wide()) == {"journal_reconciled", "announced_registered"}


def _check_functions() -> list[tuple[Path, ast.FunctionDef, str]]:
    found = []
    for file in sorted((PACKAGE / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef):
                for dec in node.decorator_list:
                    if isinstance(dec, ast.Call) and getattr(dec.func, "id", "") == "check":
                        found.append((file, node, str(ast.literal_eval(dec.args[0]))))
    return found


def test_every_message_a_check_asks_for_is_declared_by_it() -> None:
    for file, fn, name in _check_functions():
        for node in ast.walk(fn):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "msg" and node.args and isinstance(node.args[0], ast.Constant)):
                key = node.args[0].value
                assert key in REGISTRY[name].messages.keys, (file.name, name, key)


def test_no_check_writes_a_text_in_place() -> None:
    """Messages are ids with parameters: a string or f-string given to an outcome, or returned
    as a pass message, would be English in a French report."""
    offending = []
    for file in sorted((PACKAGE / "checks").glob("*.py")):
        for node in ast.walk(ast.parse(file.read_text("utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", None) in RAISING and node.args
                    and isinstance(node.args[0], ast.Constant | ast.JoinedStr)):
                offending.append(f"{file.name}:{node.lineno}")
    for file, fn, _ in _check_functions():
        for node in ast.walk(fn):
            if isinstance(node, ast.Return) and isinstance(node.value, ast.Constant | ast.JoinedStr):
                offending.append(f"{file.name}:{node.lineno}")
    assert offending == []


def test_a_message_renders_by_id_in_either_language_and_survives_pickling() -> None:
    table = Messages("test_model", {"n": Text("{count} trouvé(s) : {what}", "{count} found: {what}"),
                                    "w": Text("le mot", "the word")})
    message = table("n", count=3, what=table("w"))
    assert message == "3 found: the word" and isinstance(message, str)
    assert message.render("fr") == "3 trouvé(s) : le mot"
    again = pickle.loads(pickle.dumps(message))
    assert isinstance(again, Message) and again.render("fr") == "3 trouvé(s) : le mot"
    with pytest.raises(KeyError):
        table("n", count=1)  # a parameter missing
    with pytest.raises(ValueError, match="different parameters"):
        Messages("test_model_bad", {"x": Text("{a}", "{b}")})


def test_the_fuzzer_checks_speak_both_languages() -> None:
    for name, requirement in FUZZED.items():
        assert f"fuzz.{name}" in TEMPLATES and requirement in catalogue()
        assert TEMPLATES[f"fuzz.hint.{requirement}"].fr != TEMPLATES[f"fuzz.hint.{requirement}"].en
