"""Thousands of malformed or mutated scenario files: every one loads or ends in a located
ScenarioError (exit 2 in the CLI), never another exception."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.checks import REGISTRY
from conformance.paths import BUNDLED_SCENARIOS
from conformance.scenario import Fixtures, ScenarioError, load_file

pytestmark = pytest.mark.slow

BUNDLED = sorted(BUNDLED_SCENARIOS.rglob("*.yaml"))
TEXTS = [p.read_text(encoding="utf-8") for p in BUNDLED]
YAMLISH = st.sampled_from(list(":-[]{}&*!|>'\"%@`#,?\t\n \x00\r\ufeffé"))
TOKENS = st.sampled_from(["${", "${id", "&a ", "*a", "<<: ", "!!python/object/apply:os.system ['x']",
                          "? ", "--- ", "...\n", "%YAML 1.2\n", "0x1F", "2026-01-01", "~", "{{}}"])
LOCATED = re.compile(r"--> .+:\d+:\d+")


def _load(tmp: Path, text: str, fixtures: Fixtures) -> None:
    path = tmp / "fuzz.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        load_file(path, fixtures, REGISTRY)
    except ScenarioError as exc:
        rendered = exc.render()
        assert rendered.startswith("error: ") and LOCATED.search(rendered), rendered


FUZZ = settings(max_examples=1500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(text=st.text(alphabet=st.one_of(YAMLISH, st.characters(codec="utf-8")), max_size=300))
def test_arbitrary_text(text: str, tmp_path: Path, fixtures: Fixtures) -> None:
    _load(tmp_path, text, fixtures)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(TEXTS))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(("delete", "insert", "dup-line", "drop-line", "swap", "indent")))
        lines = text.split("\n")
        i = draw(st.integers(0, max(0, len(text) - 1)))
        n = draw(st.integers(0, max(0, len(lines) - 1)))
        if op == "delete":
            text = text[:i] + text[i + draw(st.integers(1, 5)):]
        elif op == "insert":
            text = text[:i] + draw(st.one_of(YAMLISH, TOKENS)) + text[i:]
        elif op == "dup-line":
            text = "\n".join(lines[:n + 1] + lines[n:])
        elif op == "drop-line":
            text = "\n".join(lines[:n] + lines[n + 1:])
        elif op == "swap" and len(lines) > 1:
            m = draw(st.integers(0, len(lines) - 1))
            lines[n], lines[m] = lines[m], lines[n]
            text = "\n".join(lines)
        elif op == "indent":
            lines[n] = " " * draw(st.integers(1, 3)) + lines[n]
            text = "\n".join(lines)
    return text


@FUZZ
@given(text=mutated())
def test_mutated_bundled_scenarios(text: str, tmp_path: Path, fixtures: Fixtures) -> None:
    _load(tmp_path, text, fixtures)


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", ".hidden", "..\\x"])
def test_fixture_names_cannot_leave_the_fixtures_root(name: str, tmp_path: Path,
                                                      fixtures: Fixtures) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"id: X\ntitle: t\ngiven: {{patient: '{name}'}}\nsteps:\n  - consult: {{id: A}}\n",
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match="unknown patient fixture"):
        load_file(path, fixtures, REGISTRY)
