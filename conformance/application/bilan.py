"""``conformance bilan`` and ``conformance traces generate``: the présérie bilan from
workstation traces (DESIGN §13), written as ``bilan.json``, ``bilan.md``, ``bilan.html`` and a
manifest signed like a run's. An input error writes nothing but its message (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conformance.application.settings import ApplicationError
from conformance.vocabulary import ExitCode, Lang


@dataclass(frozen=True, kw_only=True)
class BilanSettings:
    """What one bilan is computed from (no traces: the bundled demo présérie)."""

    traces: tuple[str, ...] = ()
    participants: str | None = None
    attestations: str | None = None
    questionnaire: str | None = None
    mapping: str | None = None
    run_reports: tuple[str, ...] = ()  # conformance run report.json files: evidence for C3
    since: dt.date | None = None
    until: dt.date | None = None
    profile: str = "public-2025"
    report_dir: Path = Path("reports")
    lang: Lang = Lang.FR
    sign: str | None = None
    demo_seed: int = 0
    memory: int | None = None  # DuckDB's limit in bytes, spilling to disk beyond (None: default)


@dataclass(frozen=True)
class BilanOutcome:
    bilan: dict[str, Any]
    folder: Path
    exit_code: ExitCode
    demo: bool = False
    warnings: tuple[str, ...] = field(default=())


def run_bilan(settings: BilanSettings) -> BilanOutcome:
    """Compute the bilan and write its folder; ApplicationError (exit 2) on any input error."""
    from conformance.application.session import load_profile
    from conformance.bilan.errors import BilanInputError

    profile = load_profile(settings.profile)
    with tempfile.TemporaryDirectory(prefix="bilan-demo-") as scratch:
        demo = not settings.traces
        if demo:
            settings = _demo(settings, Path(scratch))
        try:
            bilan = _compute(settings, profile)
        except BilanInputError as exc:
            raise ApplicationError(exc.render(), ExitCode.USAGE) from exc
        folder = _folder(settings.report_dir)
        if demo:
            shutil.copytree(scratch, folder / "demo")
        _write(folder, bilan, settings, demo)
    code = ExitCode.OK if bilan["met"] else ExitCode.ANOMALIES
    return BilanOutcome(bilan, folder, code, demo, tuple(bilan["warnings"]))


def console_summary(done: BilanOutcome, lang: Lang) -> list[str]:
    """What the terminal shows: each criterion and modality, every doctor below the 50 % line
    at once, the verdict and the files (text from the inputs escaped)."""
    from conformance.reporters.summary import printable

    en = lang is Lang.EN
    lines = []
    if done.demo:
        lines.append("demo: a synthetic présérie (conformance traces generate)" if en
                     else "démo : présérie synthétique (conformance traces generate)")
    for item in done.bilan["criteria"] + done.bilan["modalities"]:
        met = ("met" if en else "atteint") if item["met"] else ("NOT MET" if en else "NON ATTEINT")
        lines.append(f"  {item['id']:<18} {met}")
    for d in done.bilan["doctors"]:
        rate = d["tauxNumerique"]
        if rate is None or rate["valeur"] < 0.5:
            shown = f"{100 * rate['valeur']:.1f} %" if rate else "—"
            lines.append(f"  ⚠ {printable(d['rpps'])} ({d['situation']}): {shown} < 50 %")
    for warning in done.warnings[:10]:
        lines.append(f"  {'warning' if en else 'avertissement'}: {printable(warning)}")
    met = done.bilan["met"]
    lines.append(("Bilan: MET" if met else "Bilan: NOT MET") if en
                 else ("Bilan : ATTEINT" if met else "Bilan : NON ATTEINT"))
    lines.append(f"{'Reports' if en else 'Rapports'}: {done.folder / 'bilan.html'}, bilan.json, bilan.md, "
                 "manifest.json")
    return lines


def _demo(settings: BilanSettings, scratch: Path) -> BilanSettings:
    from dataclasses import replace

    from conformance.bilan.generate import Plan, generate

    files = generate(Plan(seed=settings.demo_seed), scratch)
    return replace(settings, traces=(str(files["traces"]),),
                   participants=settings.participants or str(files["participants"]),
                   attestations=settings.attestations or str(files["attestations"]),
                   questionnaire=settings.questionnaire or str(files["questionnaire"]))


def _compute(settings: BilanSettings, profile: Any) -> dict[str, Any]:
    from conformance.bilan.compute import Inputs, compute
    from conformance.bilan.errors import BilanInputError
    from conformance.bilan.inputs import load_attestations, load_participants, load_questionnaire
    from conformance.bilan.traces import Traces, connect, load_mapping, trace_files

    if settings.participants is None:
        raise BilanInputError("--participants", "the participants are required with --traces",
                              "give the présérie's doctors (YAML or CSV, DESIGN §13)")
    editor, people = load_participants(settings.participants)
    attestations: tuple[Any, ...] = ()
    if settings.attestations is not None:
        from_attestations, attestations = load_attestations(settings.attestations)
        editor = editor or from_attestations
    answers = load_questionnaire(settings.questionnaire) if settings.questionnaire else None
    reports = tuple(_run_report(path) for path in settings.run_reports)
    from conformance.bilan.inputs import Editor

    with connect(settings.memory) as con:
        traces = Traces(con, trace_files(settings.traces), load_mapping(settings.mapping),
                        settings.since, settings.until)
        inputs = Inputs(people, editor or Editor(), attestations, answers, reports,
                        settings.since, settings.until)
        bilan = compute(traces, inputs, profile)
    bilan["profil"] = profile.name
    bilan["entrees"] = {"traces": list(settings.traces), "participants": settings.participants,
                        "attestations": settings.attestations, "questionnaire": settings.questionnaire,
                        "mapping": settings.mapping, "rapports": list(settings.run_reports)}
    return bilan


def _run_report(path: str) -> dict[str, Any]:
    from conformance.bilan.errors import BilanInputError

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BilanInputError(path, f"not a conformance run report: {exc}",
                              "give the report.json of a conformance run") from exc
    if not isinstance(data, dict) or "verdict" not in data:
        raise BilanInputError(path, "not a conformance run report (no verdict)",
                              "give the report.json of a conformance run")
    return data


def _folder(report_dir: Path) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    folder = report_dir / f"bilan-{stamp}"
    n = 1
    while folder.exists():
        n += 1
        folder = report_dir / f"bilan-{stamp}-{n}"
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise ApplicationError(f"cannot create {folder}: {exc.strerror or exc}\n  = give a --report-dir "
                               "that can be written", ExitCode.USAGE) from exc
    return folder


def _write(folder: Path, bilan: dict[str, Any], settings: BilanSettings, demo: bool) -> None:
    from conformance import __version__
    from conformance.bilan.report import render_html, render_markdown
    from conformance.evidence.bundle import write_manifest

    lang = str(settings.lang)
    try:
        (folder / "bilan.json").write_text(json.dumps(bilan, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8")
        (folder / "bilan.md").write_text(render_markdown(bilan, lang), encoding="utf-8")
        (folder / "bilan.html").write_text(render_html(bilan, lang), encoding="utf-8")
        write_manifest(folder, {"kind": "bilan", "tool": f"epresc-conformance {__version__}",
                                "met": bilan["met"], "demo": demo},
                       Path(settings.sign) if settings.sign else None)
    except OSError as exc:
        raise ApplicationError(f"cannot write the bilan into {folder}: {exc.strerror or exc}\n  = check "
                               "the folder can be written (space, permissions)", ExitCode.USAGE) from exc


def generate_traces(folder: Path, doctors: int, weeks: int, seed: int, **plan: Any) -> dict[str, Path]:
    """``traces generate``: a synthetic présérie (traces, participants, attestations, questionnaire)."""
    from conformance.bilan.generate import Plan, generate

    if doctors < 1 or weeks < 1:
        raise ApplicationError("--doctors and --weeks must be at least 1", ExitCode.USAGE)
    try:
        return generate(Plan(doctors=doctors, weeks=weeks, seed=seed, **plan), folder)
    except OSError as exc:
        raise ApplicationError(f"cannot write into {folder}: {exc.strerror or exc}", ExitCode.USAGE) from exc


def journal_to_traces(teleservice: str, output: Path, timeout: float = 10.0) -> int:
    """``traces from-journal``: the simulator's journal as ``appel`` events (JSON Lines);
    returns how many were written."""
    from conformance.bilan.journal import journal_events
    from conformance.targets import TeleserviceControl
    from conformance.targets.teleservice import TeleserviceUnavailable

    control = TeleserviceControl(teleservice, timeout)
    count = 0
    partial = output.with_name(output.name + ".tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w", encoding="utf-8") as out:  # page by page: a présérie's journal is long
            entries = (entry for page in control.journal_pages(0) for entry in page)
            for event in journal_events(entries):
                out.write(json.dumps(event, ensure_ascii=False) + "\n")
                count += 1
        partial.replace(output)
    except TeleserviceUnavailable as exc:
        partial.unlink(missing_ok=True)
        raise ApplicationError(f"teleservice unreachable: {exc}\n  = give the simulator's URL "
                               "(conformance serve simulator)", ExitCode.UNREACHABLE) from exc
    except OSError as exc:
        raise ApplicationError(f"cannot write {output}: {exc.strerror or exc}", ExitCode.USAGE) from exc
    finally:
        control.close()
    return count
