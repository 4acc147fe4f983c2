"""Per-document cost of the DMP copy's analysis: safe parsing, our rules, the facts, and the
cross-checks (CDA-01…06, 08), on the reference's document and ANS's two examples. Compilation
(the rules' XPath, once per process) is excluded by a warm-up; CDA-07's PDF reading is the
paper sandbox's and is measured apart. A stripped-down measure (the functions, in-process),
not a whole ``inspect cda`` process.

    python benchmarks/cda.py [ROUNDS]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import statistics
import sys
import time
from zoneinfo import ZoneInfo

import yaml

from conformance.cda.analyse import analyse_cda
from conformance.checks import cda
from conformance.paths import PROJECT
from conformance.reference import dmp, printing

KIT = PROJECT.parent / "shared" / "samples" / "ans-testcontenucda" / "ExemplesCDA"


def _reference_document() -> tuple[bytes, cda.Registered]:
    def load(kind: str, name: str) -> dict[str, object]:
        data: dict[str, object] = yaml.safe_load((PROJECT / "fixtures" / kind / f"{name}.yaml")
                                                 .read_text())
        return data

    rx = {"prescripteur": load("prescribers", "generaliste"), "patient": load("patients", "adulte"),
          "consentement": {"opposition": False}, "dateOrdonnance": "2026-03-02",
          "lignes": [load("products", n) for n in ("metformine", "bandelettes", "paracetamol")]}
    pid = "0123456789ABCDEFGH"
    pdf = printing.render(rx, printing.PaperOptions(printing.qr_payload(rx, pid), pid, "2026-03-02"))
    now = dt.datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("Europe/Paris"))
    return dmp.build(rx, pid, pdf, now), cda.Registered(pid, rx, frozenset({"2026-03-02"}))


def _once(data: bytes, registered: cda.Registered) -> None:
    record = analyse_cda(data)
    cda.structure(record)
    for check in (cda.service_event, cda.patient, cda.author, cda.lines, cda.validity):
        with contextlib.suppress(cda.NotJudged):
            check(record, registered)
    cda.identity(record)


def main(rounds: int = 50) -> None:
    """Print the median and spread per document."""
    documents = {"reference": _reference_document()}
    for name in ("PosoStruct", "PosoNonStruct"):
        path = KIT / f"eP-MED-DM_2024.01_{name}.xml"
        if path.is_file():
            documents[name] = (path.read_bytes(), cda.Registered("01S2TBPZ2JCNZZYGHZ"))
    for name, (data, registered) in documents.items():
        _once(data, registered)  # warm-up: compiled XPath, imports
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            _once(data, registered)
            times.append((time.perf_counter() - start) * 1000)
        print(f"{name:14} {len(data) / 1024:7.0f} KB  median {statistics.median(times):6.2f} ms"
              f"  min {min(times):6.2f}  max {max(times):6.2f}  ({rounds} rounds)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50)
