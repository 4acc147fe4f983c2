"""benchmarks/memory.py's inputs, at tiny size (the benchmark itself runs whole processes)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from conformance.application import Selection, load_scenarios

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _memory() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_memory", BENCHMARKS / "memory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


def test_the_generated_suite_is_the_bundled_scenario_at_the_size_asked(tmp_path: Path) -> None:
    suite = _memory().generated_suite(tmp_path / "gen", 2000)
    [scenario] = load_scenarios(Selection(paths=(str(suite),)))
    assert scenario.generate == 2000 and scenario.id == "GEN-ALLER-RETOUR"


def test_the_suite_copies_have_ids_and_patients_of_their_own(tmp_path: Path) -> None:
    runs = _memory().inputs(tmp_path, [2], [])
    suite, _, fixtures = runs["bundled suite ×2"]
    scenarios = load_scenarios(Selection(paths=(suite,), fixtures=fixtures))
    ids = [sc.id for sc in scenarios]
    assert len(ids) == len(set(ids)) and any(i.endswith("-C01") for i in ids)
    patients = {sc.fixtures["patient"]["ins"] for sc in scenarios if "patient" in sc.fixtures}
    assert len(patients) >= 2


def test_a_whole_process_is_measured() -> None:
    usage = _memory().measured([sys.executable, "-c", "bytearray(30 << 20)"], BENCHMARKS.parent)
    assert usage.rss >= 30 and usage.wall > 0
