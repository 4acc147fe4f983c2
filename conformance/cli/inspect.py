"""``conformance inspect paper|qr|identifier``: a printout, a code 2D or an identifier, no target."""

from __future__ import annotations

import json

import click

from conformance import application as app
from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import IDENTIFIER_KINDS, ExitCode


@click.group()
def inspect() -> None:
    """Check a printed ordonnance, a code 2D or a DMP copy, without a target."""


@inspect.command("paper")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--expect-id", help="The prescription id the paper must carry.")
@click.option("--consent", type=click.Choice(["yes", "no"]),
              help="yes: the patient does not object; no: the patient objects.")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--dpi", type=float, help="A scan's resolution, when its file does not state it "
              "(otherwise its sizes are not evaluated).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@application_errors
def paper(file: str, expect_id: str | None, consent: str | None, profile_name: str,
          dpi: float | None, as_json: bool) -> None:
    """Run every paper check that needs no teleservice on a PDF or an image (exit 0 conforming,
    1 anomalies, 4 incomplete: something could not be judged, e.g. text on a scan)."""
    found = app.inspection.inspect_paper(file, expect_id, None if consent is None else consent == "yes",
                                         profile_name, dpi)
    if as_json:
        results = [{"requirement": r.requirement, "check": r.check, "severity": r.severity,
                    "status": r.status, "message": r.message, "details": list(r.diff)}
                   for r in found.results]
        click.echo(json.dumps({"file": file, "pages": found.pages, "results": results},
                              ensure_ascii=False, indent=2))
    else:
        for r in found.results:
            click.echo(f"{r.status:<5} {r.requirement:<7} {r.check:<16} {r.message}")
        if found.unverified and not found.failed:
            click.echo(f"incomplete: {len(found.unverified)} check(s) could not judge this printout "
                       f"({', '.join(r.requirement for r in found.unverified)})")
    code = (ExitCode.ANOMALIES if found.failed
            else ExitCode.INCOMPLETE if found.unverified else ExitCode.OK)
    exit_with(code)


@inspect.command("cda")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--expect-id", help="The prescription id the document must name (CDA-02).")
@click.option("--paper", type=click.Path(dir_okay=False),
              help="The printed ordonnance (PDF): the PDF copy must carry its very code 2D.")
@click.option("--cda-rules", type=click.Path(file_okay=False), metavar="DIR",
              help="A checkout of ansforge/TestContenuCDA-3-0: also run its schematron and schema.")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@application_errors
def cda(file: str, expect_id: str | None, paper: str | None, cda_rules: str | None,
        profile_name: str, as_json: bool) -> None:
    """Run every DMP-copy check that needs no teleservice on a CDA document (exit 0 conforming,
    1 anomalies, 4 incomplete, 2 unreadable)."""
    found = app.inspection.inspect_cda(file, expect_id, paper, cda_rules, profile_name)
    if as_json:
        results = [{"requirement": r.requirement, "check": r.check, "severity": r.severity,
                    "status": r.status, "message": r.message, "details": list(r.diff)}
                   for r in found.results]
        click.echo(json.dumps({"file": file, "ansRules": found.rules or None,
                               "ansEngine": found.engine or None, "results": results},
                              ensure_ascii=False, indent=2))
    else:
        for r in found.results:
            click.echo(f"{r.status:<5} {r.requirement:<7} {r.check:<19} {r.message}")
            for line in r.diff if r.status in ("fail", "warn") else ():
                click.echo(f"        {line}")
        if found.rules:
            click.echo(f"ANS rules: {found.rules}, schematron run by {found.engine or 'nothing'}")
        else:
            click.echo("ANS rules not supplied: --cda-rules")
        if found.unverified and not found.failed:
            click.echo(f"incomplete: {len(found.unverified)} check(s) could not judge this document "
                       f"({', '.join(r.requirement for r in found.unverified)})")
    code = (ExitCode.ANOMALIES if found.failed
            else ExitCode.INCOMPLETE if found.unverified else ExitCode.OK)
    exit_with(code)


@inspect.command("qr")
@click.argument("image", type=click.Path(dir_okay=False))
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@application_errors
def qr(image: str, profile_name: str, as_json: bool) -> None:
    """Decode and validate the code 2D of an image or PDF."""
    found = app.inspection.inspect_qr(image, profile_name)
    if as_json:
        report = {"file": found.file, "codes": found.codes, "modules": found.modules,
                  "ecLevel": found.ec_level, "text": found.text, "problems": list(found.problems),
                  "info": list(found.info)}
        if found.payload is not None:
            report["payload"] = found.payload
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        payload = found.payload if isinstance(found.payload, dict) else {}
        d = payload.get("D", {})
        version = (payload.get("S") or {}).get("V")
        click.echo(f"code 2D: {found.modules} modules, EC level {found.ec_level or '?'}")
        click.echo(f"schema version: {version}   ID: {d.get('ID') if isinstance(d, dict) else None}")
        verdict = "fail" if found.problems else "pass"
        click.echo(f"{verdict:<5} QR-02   payload {'invalid' if found.problems else 'valid'}")
        for line in found.problems:
            click.echo(f"  {line}")
        for line in found.info:
            click.echo(f"info  {line}")
    exit_with(ExitCode.ANOMALIES if found.problems else ExitCode.OK)


@inspect.command("identifier")
@click.argument("value")
@click.option("--kind", type=click.Choice(IDENTIFIER_KINDS),
              help="The identifier's kind (guessed from its shape when omitted).")
@click.option("--profile", "profile_name", default="public-2025", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@application_errors
def identifier(value: str, kind: str | None, profile_name: str, as_json: bool) -> None:
    """Validate a national identifier and say why it is invalid (exit 0 valid, 1 invalid)."""
    found = app.inspection.inspect_identifier(value, kind, profile_name)
    if as_json:
        click.echo(json.dumps({"value": found.value, "kind": found.kind, "guessed": found.guessed,
                               "valid": found.valid, "reason": found.reason,
                               "warnings": list(found.warnings)}, ensure_ascii=False))
    else:
        how = " (kind guessed from its shape)" if found.guessed else ""
        state = "valid" if found.valid else f"invalid: {found.reason}"
        click.echo(f"{found.value}: {found.kind}{how}: {state}")
        for warning in found.warnings:
            click.echo(f"warning: {warning}")
    exit_with(ExitCode.OK if found.valid else ExitCode.ANOMALIES)
