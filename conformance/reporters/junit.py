"""junit.xml for GitLab: one testcase per check, unique classname+name, no control characters."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from conformance.engine.results import RunResult
from conformance.evidence.layout import step_dir

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def clean(text: object) -> str:
    """Text safe for XML 1.0."""
    return _CONTROL.sub("", str(text))


def build(result: RunResult, bundle: str | None = None) -> ET.Element:
    """The <testsuites> element; ``bundle`` (the run folder, as GitLab's job sees it) adds the
    printed page as an attachment to each failing paper check."""
    root = ET.Element("testsuites", name="epresc-conformance", time=f"{result.duration:.3f}")
    for sc in result.scenarios:
        suite = ET.SubElement(root, "testsuite", name=clean(f"{sc.id} — {sc.title}"),
                              time=f"{sc.duration:.3f}")
        cases = 0
        if not sc.steps:
            case = ET.SubElement(suite, "testcase", classname=clean(sc.id), name="scenario")
            ET.SubElement(case, "skipped", message=clean(sc.reason or "skipped"))
            cases = 1
        for st in sc.steps:
            prefix = f"{st.index + 1:02d}-{st.kind}"
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
                                     name=clean(f"{prefix} {c.requirement} {c.check}"))
                cases += 1
                detail = clean(f"{c.message}\nat: {c.location}\nexpected: {c.expected}\n"
                               f"observed: {c.observed}\n"
                               + "\n".join(c.diff) + (f"\nfix: {c.hint}" if c.hint else ""))
                if c.status == "fail" and c.baselined:  # known: shown, never failing the pipeline
                    ET.SubElement(case, "skipped", message=clean(f"baseline: {c.baselined} — {c.message}"))
                elif c.status == "fail":
                    el = ET.SubElement(case, "failure", message=clean(f"[{c.severity}] {c.message}"),
                                       type=c.requirement)
                    el.text = detail
                    if bundle and st.kind == "paper":
                        page = f"{bundle}/{step_dir(sc.id, st.index, st.kind)}/page-1.png"
                        ET.SubElement(case, "system-out").text = f"[[ATTACHMENT|{page}]]"
                elif c.status == "error":
                    ET.SubElement(case, "error", message=clean(c.message)).text = detail
                elif c.status == "skip":
                    ET.SubElement(case, "skipped", message=clean(c.message))
                elif c.status == "warn":
                    ET.SubElement(case, "system-out").text = clean(f"warning: {c.message}")
        suite.set("tests", str(cases))
        for tag, attr in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
            suite.set(attr, str(len(suite.findall(f"testcase/{tag}"))))
    return root


def write_junit(result: RunResult, path: Path, redact: Callable[[str], str] = str,
                bundle: str | None = None) -> None:
    """Write junit.xml, every text through ``redact``."""
    root = build(result, bundle)
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n' + redact(text) + "\n", encoding="utf-8")
