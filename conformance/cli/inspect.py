"""``conformance inspect paper|qr|identifier``: a printout, a code 2D or an identifier, no target."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from conformance.cli.common import EXIT_ANOMALIES, EXIT_OK, fail

MAX_FILE = 50_000_000
STANDALONE = ("qr_present", "qr_payload", "same_id", "qr_position", "qr_size", "qr_quiet_zone",
              "number_under_qr", "data_mention", "consent_mention", "consent_matches",
              "legal_right_of_qr", "page_numbers", "qr_degraded", "substitution_motive")


def _read(path: str) -> bytes:
    file = Path(path)
    try:
        if file.stat().st_size > MAX_FILE:
            fail(f"{path}: larger than {MAX_FILE} bytes")
        return file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def _pages(data: bytes, path: str) -> list[Any]:
    from conformance.paper import PaperError, analyse_bytes

    try:
        return analyse_bytes(data)
    except PaperError as exc:
        fail(f"{path}: {exc}\n  = give a PDF or a PNG/JPEG scan of the printed ordonnance")


def _profile(name: str) -> Any:
    from conformance.profiles import ProfileError, load_profile

    try:
        return load_profile(name)
    except ProfileError as exc:
        fail(str(exc))


def _payload_id(pages: list[Any]) -> str | None:
    for page in pages:
        for code in page.codes:
            try:
                return str(json.loads(code.text)["D"]["ID"])
            except (ValueError, KeyError, TypeError):
                continue
    return None


def _run_checks(names: tuple[str, ...], file: str, data: bytes, pages: list[Any], profile: Any,
                created: dict[str, Any] | None, expect_id: str | None) -> list[dict[str, Any]]:
    """Run registered paper checks on a file, as the engine would on a ``paper`` step."""
    from conformance.checks import REGISTRY, CheckContext, Failed, ScenarioState, Skipped, StepData
    from conformance.targets import Exchange

    state = ScenarioState(created=created, created_id=expect_id)
    step = StepData("paper", {}, [Exchange("GET", file, None, 200, {}, data, 0.0)], paper_pages=pages)
    results = []
    for name in names:
        spec = REGISTRY[name]
        details: tuple[str, ...] = ()
        try:
            status, message = "pass", spec.fn(CheckContext(step, state, profile))
        except Failed as exc:
            status, message = ("warn" if type(exc).__name__ == "Warned" else "fail"), exc.message
            details = exc.diff
        except Skipped as exc:
            status, message = "skip", str(exc)
        results.append({"requirement": spec.requirement, "check": name, "severity": spec.severity,
                        "status": status, "message": message, "details": list(details)})
    return results


@click.group()
def inspect() -> None:
    """Check a printed ordonnance or a code 2D, without a target."""


@inspect.command("paper")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--expect-id", help="The prescription id the paper must carry.")
@click.option("--consent", type=click.Choice(["yes", "no"]),
              help="yes: the patient does not object; no: the patient objects.")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def paper(file: str, expect_id: str | None, consent: str | None, profile_name: str,
          as_json: bool) -> None:
    """Run every paper check that needs no teleservice on a PDF or an image."""
    profile = _profile(profile_name)
    data = _read(file)
    pages = _pages(data, file)
    created = {"consentement": {"opposition": consent == "no"}} if consent else None
    results = _run_checks(STANDALONE, file, data, pages, profile, created,
                          expect_id or _payload_id(pages))
    if as_json:
        click.echo(json.dumps({"file": file, "pages": len(pages), "results": results},
                              ensure_ascii=False, indent=2))
    else:
        for r in results:
            click.echo(f"{r['status']:<5} {r['requirement']:<7} {r['check']:<16} {r['message']}")
    sys.exit(EXIT_ANOMALIES if any(r["status"] == "fail" for r in results) else EXIT_OK)


@inspect.command("qr")
@click.argument("image", type=click.Path(dir_okay=False))
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def qr(image: str, profile_name: str, as_json: bool) -> None:
    """Decode and validate the code 2D of an image or PDF."""
    profile = _profile(profile_name)
    data = _read(image)
    pages = _pages(data, image)
    codes = [c for p in pages for c in p.codes]
    if not codes:
        fail(f"{image}: no decodable code 2D\n  = check the image shows the whole code with its margin")
    code = codes[0]
    report: dict[str, Any] = {"file": image, "codes": len(codes), "modules": code.modules,
                              "ecLevel": code.ec_level, "text": code.text, "problems": [], "info": []}
    verdict = _run_checks(("qr_payload",), image, data, pages, profile, None, None)[0]
    if verdict["status"] == "fail":  # the QR-02 check itself: UTF-8, JSON, schema (every error)
        report["problems"] += [f"QR-02: {line}" for line in verdict["details"] or [verdict["message"]]]
    try:
        payload = json.loads(code.text)
    except ValueError:
        payload = None
    if payload is not None:
        report["payload"] = payload
        names = (payload.get("D") or {}).get("P") or {} if isinstance(payload, dict) else {}
        for key in ("N", "P"):
            value = names.get(key) if isinstance(names, dict) else None
            if isinstance(value, str) and value != value.rstrip():
                report["info"].append(f"{key} right-padded with spaces to {len(value)} characters")
    _print_qr(report, as_json)
    sys.exit(EXIT_ANOMALIES if report["problems"] else EXIT_OK)


def _print_qr(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    payload = report.get("payload") or {}
    d = payload.get("D", {}) if isinstance(payload, dict) else {}
    version = (payload.get("S") or {}).get("V") if isinstance(payload, dict) else None
    click.echo(f"code 2D: {report['modules']} modules, EC level {report['ecLevel'] or '?'}")
    click.echo(f"schema version: {version}   ID: {d.get('ID') if isinstance(d, dict) else None}")
    verdict = "fail" if report["problems"] else "pass"
    click.echo(f"{verdict:<5} QR-02   payload {'invalid' if report['problems'] else 'valid'}")
    for line in report["problems"]:
        click.echo(f"  {line}")
    for line in report["info"]:
        click.echo(f"info  {line}")


@inspect.command("identifier")
@click.argument("value")
@click.option("--kind", type=click.Choice(["nir", "rpps", "am", "finess", "cip13", "ucd13", "lpp",
                                           "nabm", "prescription-id"]),
              help="The identifier's kind (guessed from its shape when omitted).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def identifier(value: str, kind: str | None, as_json: bool) -> None:
    """Validate a national identifier and say why it is invalid (exit 0 valid, 1 invalid)."""
    from conformance.identifiers import guess_kind, validate

    chosen = kind or guess_kind(value)
    if chosen is None:
        fail(f"cannot tell what kind of identifier {value!r} is ({len(value)} characters)\n"
             "  = give --kind nir|rpps|am|finess|cip13|ucd13|lpp|nabm|prescription-id")
    verdict = validate(chosen, value.strip())
    if as_json:
        click.echo(json.dumps({"value": verdict.value, "kind": chosen, "guessed": kind is None,
                               "valid": verdict.valid, "reason": verdict.reason}, ensure_ascii=False))
    else:
        how = " (kind guessed from its shape)" if kind is None else ""
        state = "valid" if verdict.valid else f"invalid: {verdict.reason}"
        click.echo(f"{verdict.value}: {chosen}{how}: {state}")
    sys.exit(EXIT_OK if verdict.valid else EXIT_ANOMALIES)
