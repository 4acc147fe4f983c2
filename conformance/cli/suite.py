"""``conformance validate`` and ``conformance list``: no target needed."""

from __future__ import annotations

import sys

import click

from conformance.cli.common import EXIT_OK, load


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fixtures", type=click.Path(file_okay=False), help="Fixtures folder.")
def validate(paths: tuple[str, ...], fixtures: str | None) -> None:
    """Lint scenario files: schema, steps, checks, fixtures, variables."""
    scenarios = load(paths, fixtures)
    click.echo(f"ok: {len(scenarios)} scenario(s) valid")
    sys.exit(EXIT_OK)


@click.command("list")
@click.argument("what", type=click.Choice(["scenarios", "checks", "requirements"]),
                default="scenarios")
@click.argument("paths", nargs=-1, type=click.Path())
def list_cmd(what: str, paths: tuple[str, ...]) -> None:
    """List scenarios, checks or requirements."""
    from conformance.checks import DEFAULTS, REGISTRY

    if what == "checks":
        for spec in sorted(REGISTRY.values(), key=lambda s: (s.requirement, s.name)):
            default = [k for k, names in DEFAULTS.items() if spec.name in names]
            click.echo(f"{spec.name:<22} {spec.requirement:<7} {spec.severity:<9} "
                       f"{'/'.join(spec.steps):<28} {spec.title}"
                       + (f"  (default on {', '.join(default)})" if default else ""))
        return
    scenarios = load(paths, None)
    if what == "scenarios":
        for sc in scenarios:
            click.echo(f"{sc.id:<24} {sc.title}  [{', '.join(sc.tags)}]")
        return
    covered: dict[str, list[str]] = {}
    for sc in scenarios:
        for req in sc.requirements:
            covered.setdefault(req, []).append(sc.id)
    from conformance.fuzz import REQUIREMENTS as FUZZED

    titles = {s.requirement: s.title for s in REGISTRY.values()}
    fuzzed = {req: f"{title} (conformance fuzz)" for req, title in FUZZED.values()}
    for req in sorted(set(titles) | set(covered) | set(fuzzed)):
        title = titles.get(req) or fuzzed.get(req) or "(no check yet)"
        where = "run --fuzz" if req in fuzzed and req not in titles else \
            f"{len(covered.get(req, []))} scenario(s)"
        click.echo(f"{req:<7} {title:<60} {where}")
