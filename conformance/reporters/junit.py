"""junit.xml for GitLab: one testcase per check, unique classname+name, no control characters."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from pathlib import Path

from conformance.engine.results import CheckResult, RunResult, ScenarioResult
from conformance.evidence.layout import step_dir
from conformance.messages import Message, Messages, Text, render
from conformance.reporters.i18n import labels

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: object) -> str:
    """Text safe for XML 1.0."""
    return _CONTROL.sub("", str(text))


def shown(value: object) -> str:
    """A value as a reader expects it: text as it is, anything else as JSON (not a Python repr)."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    return json.dumps(value, ensure_ascii=False, default=str)


JUNIT = Messages("junit", {
    "outside": Text("le dossier du rapport {folder} est hors du répertoire de travail {here} : GitLab "
                    "y résout les pièces jointes, il ne pourra pas les montrer",
                    "the report folder {folder} is outside the working directory {here}: GitLab "
                    "resolves attachments from there, so it cannot show them"),
})


def attachment_base(folder: Path, cwd: Path | None = None) -> tuple[str, Message | None]:
    """The run folder as GitLab resolves attachments (relative to the job's working directory),
    and a warning when it lies outside it (then the path stays absolute)."""
    here = (cwd or Path.cwd()).resolve()
    try:
        return folder.resolve().relative_to(here).as_posix(), None
    except ValueError:
        return str(folder), JUNIT("outside", folder=str(folder), here=str(here))


def _detail(c: CheckResult, t: dict[str, str]) -> str:
    lines = [c.message, f"{t['location']}: {c.location}"]
    if c.expected is not None or c.observed is not None:
        lines += [f"{t['expected']}: {shown(c.expected)}", f"{t['observed']}: {shown(c.observed)}"]
    lines += [d for d in c.diff if d not in c.message]  # a diff the message already says, once
    if c.hint:
        lines.append(f"{t['fix']}: {c.hint}")
    return clean("\n".join(lines))


def build(result: RunResult, bundle: str | None = None, warning: str | None = None) -> ET.Element:
    """The <testsuites> element; ``bundle`` (the run folder, as GitLab's job sees it) adds the
    printed page as an attachment to each failing paper check."""
    root = _root(result, warning)
    for sc in result.scenarios:
        root.append(testsuite(sc, result.lang, bundle))
    return root


def _root(result: RunResult, warning: str | None) -> ET.Element:
    root = ET.Element("testsuites", name="epresc-conformance", time=f"{result.duration:.3f}")
    # run-wide: what the set-up left out (a pipeline's reader sees why CDA-09/10 were skipped)
    said = [("notice", render(notice, result.lang)) for notice in result.notices()]
    if warning:
        said.append(("warning", render(warning, result.lang)))
    if said:
        properties = ET.SubElement(root, "properties")
        for name, value in said:
            ET.SubElement(properties, "property", name=name, value=clean(value))
    return root


def testsuite(sc: ScenarioResult, lang: str, bundle: str | None = None) -> ET.Element:
    """One scenario's <testsuite>, one testcase per check. It is named by its scenario's id
    (stable: GitLab's test history follows it when a title changes); a step's time is shared
    by its checks' cases."""
    t = said = labels(lang)
    suite = ET.Element("testsuite", name=clean(sc.id), time=f"{sc.duration:.3f}")
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="title", value=clean(sc.title))
    cases = 0
    if not sc.steps:
        case = ET.SubElement(suite, "testcase", classname=clean(sc.id), name="scenario")
        ET.SubElement(case, "skipped", message=clean(sc.reason or "skipped"))
        cases = 1
    for st in sc.steps:
        prefix = f"{st.index + 1:02d}-{st.kind}" + (f" {st.title}" if st.kind == "fuzz" else "")
        share = f"{st.duration / max(1, len(st.checks)):.4f}"
        if not st.checks:
            case = ET.SubElement(suite, "testcase", classname=clean(sc.id), name=prefix,
                                 time=f"{st.duration:.3f}")
            if st.status == "skip":
                ET.SubElement(case, "skipped", message=clean(st.message))
            elif st.status == "error":
                ET.SubElement(case, "error", message=clean(st.message))
            cases += 1
        for c in st.checks:
            case = ET.SubElement(suite, "testcase", classname=clean(sc.id),
                                 name=clean(f"{prefix} {c.requirement} {c.check}"), time=share)
            cases += 1
            detail = _detail(c, t)
            if c.status == "fail" and c.baselined:  # known: shown, never failing the pipeline
                ET.SubElement(case, "skipped",
                              message=clean(f"baseline: {c.baselined} — {c.message}"))
            elif c.status == "fail":
                el = ET.SubElement(case, "failure", message=clean(f"[{t[c.severity]}] {c.message}"),
                                   type=c.requirement)
                el.text = detail
                if bundle and st.kind == "paper":
                    page = f"{bundle}/{step_dir(sc.id, st.index, st.kind)}/page-1-annotated.png"
                    ET.SubElement(case, "system-out").text = f"[[ATTACHMENT|{page}]]"
            elif c.status == "error":
                ET.SubElement(case, "error", message=clean(c.message)).text = detail
            elif c.status == "skip":  # for the pipeline's reader: why this check does not count
                kind = said.get(str(c.skip), "") if c.skip else ""
                sep = " : " if lang == "fr" else ": "
                why = c.message if not kind or c.message.startswith(kind) else f"{kind}{sep}{c.message}"
                ET.SubElement(case, "skipped", message=clean(why))
            elif c.status == "warn":
                ET.SubElement(case, "system-out").text = clean(f"{t['warn']}: {c.message}")
    suite.set("tests", str(cases))
    for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        suite.set(attr, str(len(suite.findall(f"testcase/{tag}"))))
    return suite


def suite_text(sc: ScenarioResult, lang: str, bundle: str | None = None) -> str:
    """One scenario's <testsuite> as junit.xml shows it (indented at its depth)."""
    suite = testsuite(sc, lang, bundle)
    ET.indent(suite, level=1)
    return ET.tostring(suite, encoding="unicode")


def write_streamed(result: RunResult, suites: Iterable[str], path: Path,
                   warning: str | None = None) -> None:
    """Write junit.xml from the run's counts and its suites' texts (``suite_text``, spooled as
    the scenarios finished): the same bytes as ``write_junit``, never every case in memory."""
    root = _root(result, warning)
    mark = ET.SubElement(root, "spooled")
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    before, after = text.split("<spooled />")
    tmp = path.with_suffix(".xml.tmp")
    with tmp.open("w", encoding="utf-8", buffering=1 << 20) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        first = True
        for suite in suites:
            out.write((before if first else "\n  ") + suite)
            first = False
        if first:  # no scenario: the element as ElementTree writes it then
            root.remove(mark)
            ET.indent(root)
            out.write(ET.tostring(root, encoding="unicode"))
        else:
            out.write(after)
        out.write("\n")
    tmp.replace(path)


def write_junit(result: RunResult, path: Path, redact: Callable[[str], str] = str,
                bundle: str | None = None, warning: str | None = None) -> None:
    """Write junit.xml, every text through ``redact``."""
    root = build(result, bundle, warning)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + redact(text) + "\n", encoding="utf-8")
