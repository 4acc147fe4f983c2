"""``conformance campaign start|status|watch|attach|confirm|skip|close``: the real software, no adapter."""

from __future__ import annotations

import json

import click

from conformance import application as app
from conformance.cli.common import application_errors, exit_with
from conformance.vocabulary import ExitCode

_TESTER = click.option("--tester", help="Who does this (default: the tester named at start).")
_ACCEPT = click.option("--accept-change", is_flag=True,
                       help="Go on although the plan, prescriber or harness changed since start (journaled).")


@click.group()
def campaign() -> None:
    """A guided, resumable test campaign of a prescribing software operated by a person."""


@campaign.command("start")
@click.argument("plan", required=False)
@click.option("-d", "--dir", "folder", required=True, type=click.Path(file_okay=False),
              help="The campaign folder to create.")
@click.option("--prescriber", required=True, type=click.Path(dir_okay=False, exists=True),
              help="Your test prescriber (YAML: rpps, am or finess, nomFamille, prenom, specialite, "
                   "adresse, telephone).")
@click.option("--tester", help="Your name, written in the journal (default: the user's login).")
@click.option("--seed", type=int, hidden=True, help="Patients drawn from this seed (tests).")
@click.option("--cda-rules", type=click.Path(file_okay=False), metavar="DIR",
              help="A checkout of the ANS kit (TestContenuCDA-3-0): the DMP copies are also held to "
                   "its schematron and CDA schema (CDA-09/10; else not applicable).")
@application_errors
def start(plan: str | None, folder: str, prescriber: str, tester: str | None, seed: int | None,
          cda_rules: str | None) -> None:
    """Create DIR: the plan's copy, the patient cards, depot/ and the journal (PLAN: a file or a
    bundled plan's name; default cnda-prescripteur)."""
    done = app.campaign.start(plan, folder, prescriber, tester, seed, cda_rules)
    click.echo(f"campaign created in {done.folder}: {done.steps} step(s); cards in {done.folder}/cards/")
    click.echo(f"drop each printout in {done.folder}/depot/ and run "
               f"'conformance campaign watch {done.folder}'")
    click.echo("")
    click.echo(done.first)


@campaign.command("status")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="The schema of DESIGN §15.")
@application_errors
def status(folder: str, as_json: bool) -> None:
    """Every step's state, rebuilt from the journal; the current step's instructions."""
    doc = app.campaign.status(folder)
    if as_json:
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        exit_with(ExitCode.OK)
    click.echo(f"campaign {doc['campaign']} (plan v{doc['plan']['version']}): {doc['verdict']}")
    for step in doc["steps"]:
        failed = [c["requirement"] for c in step["checks"] if c["status"] == "fail"]
        extra = f"  fail: {', '.join(failed)}" if failed else ""
        click.echo(f"  {step['state']:<22} {step['id']}{extra}")
    for item in doc["unattributed"]:
        click.echo(f"  not attributed: {item['name']} ({item['sha256'][:12]})")
    current = next((s for s in doc["steps"] if s["state"] in ("waiting", "awaiting-confirmation")), None)
    if current is not None and doc["verdict"] == "en-cours":
        click.echo("")
        click.echo(current["instructions"])
    exit_with(ExitCode.OK)


@campaign.command("watch")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--once", is_flag=True, help="Take what is in depot/ now, then stop.")
@click.option("--settle", type=float, default=2.0, hidden=True, help="Seconds a file must stay untouched.")
@click.option("--serve", type=click.IntRange(0, 65535), is_flag=False, flag_value=0, default=None,
              metavar="[PORT]", help="Also serve the tester's page on 127.0.0.1 (PORT, or a free one).")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="The page's language.")
@_TESTER
@_ACCEPT
@application_errors
def watch(folder: str, once: bool, settle: float, serve: int | None, lang: str, tester: str | None,
          accept_change: bool) -> None:
    """Judge every file that lands in DIR/depot/ (stop with Ctrl-C; 'watch' again resumes); with
    --serve, the tester's web page: steps, cards, upload, confirm and skip, judged pages."""
    if once and serve is not None:
        raise click.UsageError("--serve keeps watching: it does not go with --once")
    if not once:
        click.echo(f"watching {folder}/depot/ (Ctrl-C stops; nothing is lost)")
    try:
        left = app.campaign.watch(folder, click.echo, once=once, settle=settle,
                                  accept_change=accept_change, tester=tester, serve=serve, lang=lang)
    except KeyboardInterrupt:
        click.echo("watch stopped: nothing is lost ('watch' again resumes from the journal)", err=True)
        exit_with(ExitCode.INTERRUPTED)
    exit_with(ExitCode.OK if not left else ExitCode.INCOMPLETE)


@campaign.command("attach")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("step")
@click.argument("file")
@_TESTER
@_ACCEPT
@application_errors
def attach(folder: str, step: str, file: str, tester: str | None, accept_change: bool) -> None:
    """Give FILE (or an unattributed file's SHA-256) to STEP: it replaces the step's file; both stay."""
    app.campaign.attach(folder, step, file, click.echo, tester, accept_change)
    exit_with(ExitCode.OK)


@campaign.command("confirm")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("step")
@click.option("--yes/--no", "yes", default=None, help="Your answer to the step's question.")
@click.option("--note", help="What you saw.")
@_TESTER
@_ACCEPT
@application_errors
def confirm(folder: str, step: str, yes: bool | None, note: str | None, tester: str | None,
            accept_change: bool) -> None:
    """Answer a confirm step (bound to the exact question shown)."""
    if yes is None:
        raise click.UsageError("give --yes or --no")
    question = app.campaign.confirm(folder, step, yes, note, tester, accept_change)
    click.echo(f"{step}: « {question} » → {'yes' if yes else 'no'}")
    exit_with(ExitCode.OK)


@campaign.command("skip")
@click.argument("folder", type=click.Path(file_okay=False))
@click.argument("step")
@click.option("--reason", required=True, help="Why the step is not done.")
@_TESTER
@_ACCEPT
@application_errors
def skip(folder: str, step: str, reason: str, tester: str | None, accept_change: bool) -> None:
    """Skip STEP (the campaign is then incomplet)."""
    app.campaign.skip(folder, step, reason, tester, accept_change)
    click.echo(f"{step}: skipped ({reason})")
    exit_with(ExitCode.OK)


@campaign.command("close")
@click.argument("folder", type=click.Path(file_okay=False))
@click.option("--sign", type=click.Path(dir_okay=False), help="Ed25519 private key: signs manifest.json.")
@click.option("--lang", type=click.Choice(["fr", "en"]), default="fr", show_default=True,
              help="The reports' language.")
@_TESTER
@_ACCEPT
@application_errors
def close(folder: str, sign: str | None, lang: str, tester: str | None, accept_change: bool) -> None:
    """The verdict and the reports (exit 0 conforme, 1 non conforme, 4 incomplet)."""
    done = app.campaign.close(folder, sign, tester, accept_change, lang)
    for line in done.lines():
        click.echo(line)
    exit_with(done.exit_code)
