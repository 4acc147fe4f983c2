"""Helpers shared by the tests: sessions against real loopback servers, run in-process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

from conformance.application import Settings, run_session
from conformance.embedded import EmbeddedWorld
from conformance.engine import RunResult
from conformance.paths import PROJECT
from conformance.scenario import Scenario
from conformance.vocabulary import Severity


def keeping_every_check() -> contextlib.AbstractContextManager[object]:
    """The run's result keeps every check (a run trims each scenario once its reports are
    spooled): for tests that read passing checks from the result rather than the reports."""
    return mock.patch("conformance.engine.results.trim", lambda scenario: scenario)


def run_suite(world: EmbeddedWorld, scenarios: list[Scenario], fail_on: str = "major",
              jobs: int = 1, **settings: Any) -> RunResult:
    """A session against ``world`` with no handler (nothing written, nothing printed); its
    result keeps every check."""
    base = Settings(target=world.target_url, teleservice=world.teleservice_url, handlers=(),
                    fail_on=Severity(fail_on), jobs=jobs, **settings)
    with keeping_every_check():
        return run_session(base, scenarios).result


def failing(result: RunResult) -> set[str]:
    """Requirement ids of the failed checks."""
    return {c.requirement for _, _, c in result.checks() if c.status == "fail"}


SAMPLES = PROJECT.parent / "shared" / "samples"
ENV = {**os.environ, "NO_COLOR": "1"}


def cli(*args: str, cwd: Path = PROJECT, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``conformance ARGS`` in a real subprocess (the process boundary: signals, exit codes)."""
    return subprocess.run([sys.executable, "-m", "conformance", *args], capture_output=True,
                          text=True, env=ENV, cwd=cwd, timeout=timeout)


def only_run(folder: Path) -> Path:
    """The one run folder under ``folder``."""
    runs = list(folder.iterdir())
    assert len(runs) == 1
    return runs[0]


def example_body() -> dict[str, Any]:
    """The create example of the adapter contract (what a new user posts first)."""
    import yaml

    spec = yaml.safe_load((PROJECT / "conformance/contract/adapter.openapi.yaml").read_text("utf-8"))
    body: dict[str, Any] = spec["paths"]["/prescriptions"]["post"]["requestBody"]["content"][
        "application/json"]["example"]
    return body


IDENTIFIER_FIELDS = {"ins": "nir", "nir": "nir", "rpps": "rpps", "am": "am", "finess": "finess"}
CODE_SYSTEMS = ("cip13", "ucd13", "lpp", "nabm")


def identifiers_in(node: object, path: str = "") -> list[tuple[str, str, str]]:
    """(path, kind, value) of every identifier-looking field of a fixture or a body."""
    out: list[tuple[str, str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in IDENTIFIER_FIELDS and isinstance(value, str):
                out.append((f"{path}.{key}", IDENTIFIER_FIELDS[key], value))
            elif (key == "code" and isinstance(value, dict)
                  and str(value.get("systeme")).lower() in CODE_SYSTEMS):
                out.append((f"{path}.code", str(value["systeme"]).lower(), str(value["valeur"])))
            else:
                out += identifiers_in(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            out += identifiers_in(item, f"{path}[{i}]")
    return out


def campaign_pid(step: str) -> str:
    """The prescription id ``campaign_page`` prints for ``step`` (as the teleservice gave it)."""
    import hashlib

    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    return "".join(alphabet[b % 32] for b in hashlib.sha256(step.encode()).digest()[:18])


def campaign_cda(card: Any, today: str, paper: bytes, rx: dict[str, Any] | None = None,
                 copy: bytes | None = None) -> bytes:
    """The DMP copy a software sends for ``card``'s prescription (or ``rx``), written with
    ``specimens_cda``'s string templates (not the reference's lxml tree), carrying the printed
    ``paper`` (or ``copy``) as its PDF."""
    import datetime as dt

    from conformance.specimens_cda import document

    return document(rx or card.expected, campaign_pid(card.step), copy or paper, structured=False,
                    day=dt.date.fromisoformat(today))


def campaign_page(card: Any, today: str, defect: str | None = None) -> bytes:
    """A conforming printout of a campaign card drawn by fpdf2 (not the reference's ReportLab),
    as a prescribing software would print it; ``defect`` leaves one thing out ('no-nr': the NR
    of a non-reimbursable line; 'no-data': the paragraph on the data sent) or prints other
    identifiers than the code 2D's ('other-ids': number, RPPS and the patient's NIR)."""
    import datetime as dt
    import json

    import segno
    from fpdf import FPDF

    from conformance.specimens import CONSENT, DATA, OBJECTING, _font

    rx, p = card.expected, card.patient
    doctor = rx["prescripteur"]
    replaced = doctor.get("remplace")
    pid = campaign_pid(card.step)
    fr = dt.date.fromisoformat
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.add_font("DejaVu", fname=_font())
    pdf.set_font("DejaVu", size=10)
    pdf.text(20, 20, f"Dr {doctor['prenom']} {doctor['nomFamille']} — {doctor['specialite']}")
    rpps = "10000000025" if defect == "other-ids" else doctor["rpps"]
    pdf.text(20, 25, f"RPPS {rpps} — AM {doctor['am']}")
    pdf.text(20, 30, f"{doctor['adresse']} — Tél. {doctor['telephone']}")
    if replaced:
        pdf.text(20, 35, f"Remplaçant du Dr {replaced['prenom']} {replaced['nomFamille']} "
                         f"(RPPS {replaced['rpps']})")
    pdf.text(140, 45, f"Le {fr(today):%d/%m/%Y}")
    civility = "Mme" if p["sexe"] == "F" else "M."
    pdf.text(20, 55, f"{civility} {p['nomFamille']} {p['prenom']}")
    weight = f" — Poids : {p['poids']} kg" if "poids" in p else ""
    pdf.text(20, 60, f"Sexe : {p['sexe']} — né(e) le {fr(p['dateNaissance']):%d/%m/%Y}{weight}")
    if defect == "other-ids":
        pdf.text(20, 65, "NIR 2 84 05 78 006 084 39")
    y = 75.0
    lines = rx["lignes"]
    ald = [ln for ln in lines if ln.get("ald")]
    ordered = ald + [ln for ln in lines if not ln.get("ald")] if ald else lines
    for n, line in enumerate(ordered):
        if ald and n == len(ald):
            pdf.text(20, y, "Prescriptions SANS RAPPORT avec l'affection de longue durée")
            y += 10
        label = line["libelle"]
        if line.get("nonRembourse") and defect != "no-nr":
            label += "   NR"
        if line.get("nonSubstituable"):
            label += f"   Non substituable {line['motifNonSubstitution']}"
        pdf.text(20, y, label)
        if line.get("posologie"):
            pdf.text(25, y + 5, line["posologie"])
        amount = line.get("duree") or line.get("quantite")
        renewals = f" — Renouvellements : {line['renouvellements']}" if line.get("renouvellements") else ""
        if amount or renewals:
            pdf.text(25, y + 10, f"{'Durée : ' + amount if amount else ''}{renewals}")
        y += 22
    x0, size, qy = 15.0, 36.0, 225.0
    if not rx.get("degrade"):
        payer = replaced or doctor
        m = {"RPPS": payer["rpps"], **({"AM": payer["am"]} if payer.get("am") else {})}
        if replaced:
            m["RPPS2"] = doctor["rpps"]
        payload = {"S": {"V": 2}, "D": {"ID": pid, "P": {"N": p["nomFamille"], "P": p["prenom"],
                                                         "D": p["dateNaissance"]}, "M": m}}
        text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        qr = segno.make(text, error="l", micro=False, encoding="utf-8")
        module = size / len(qr.matrix)
        for r, row in enumerate(qr.matrix):
            for c, bit in enumerate(row):
                if bit:
                    pdf.rect(x0 + c * module, qy + r * module, module, module, style="F")
        pdf.set_font("DejaVu", size=9)
        pdf.text(x0, qy + size + 6, "e-prescription")
        pdf.text(x0, qy + size + 10, f"N°{pid[::-1] if defect == 'other-ids' else pid}")
    pdf.set_font("DejaVu", size=9)
    pdf.text(x0, qy + size + 15, "Page 1/1")
    if not rx.get("degrade"):
        pdf.set_font("DejaVu", size=7.5)
        pdf.set_xy(60, qy)
        consent = OBJECTING if rx["consentement"]["opposition"] else CONSENT
        for paragraph in (consent,) if defect == "no-data" else (consent, DATA):
            pdf.set_x(60)
            pdf.multi_cell(120, 3.4, paragraph, align="J")
            pdf.ln(2)
    return bytes(pdf.output())


def phone_photo(pdf: bytes) -> bytes:
    """A phone-like photo of a printout: a 200 dpi picture seen in perspective, unevenly lit, JPEG."""
    import io

    import numpy as np
    from PIL import Image

    from conformance.specimens import scan

    image = Image.open(io.BytesIO(scan(pdf, dpi=200))).convert("L")
    w, h = image.size
    # the page seen from slightly above and to the left: a keystone, then a light gradient
    coeffs = _perspective([(0, 0), (w, 0), (w, h), (0, h)],
                          [(int(0.04 * w), int(0.02 * h)), (int(0.97 * w), 0), (w, h), (0, int(0.98 * h))])
    seen = image.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC,
                           fillcolor=90)
    light = np.linspace(0.65, 1.0, w)[None, :] * np.linspace(0.85, 1.0, h)[:, None]
    lit = Image.fromarray((np.asarray(seen, dtype=np.float64) * light).astype("uint8"))
    out = io.BytesIO()
    lit.save(out, format="JPEG", quality=85)
    return out.getvalue()


def _perspective(target: list[tuple[int, int]], source: list[tuple[int, int]]) -> list[float]:
    """PIL's 8 perspective coefficients mapping ``target`` corners to ``source`` ones."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, dtype=float)
    b = np.array([c for pair in source for c in pair], dtype=float)
    return [float(v) for v in np.linalg.solve(a, b)]


# Every form a credential takes in a target's free text: (text, the secret, what must remain).
FREE_TEXT_SECRETS = [
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Authorization: "),
    ("authorization: basic YTpi (refused)", "YTpi", "(refused)"),  # any case, the shortest pair
    ("Proxy-Authorization: Digest username=\"u\", response=\"6629fae4\", nonce=\"n0\"", "6629fae4", ""),
    ("Authorization: Token abc123", "abc123", ""),
    ('{"Authorization": "Bearer q1w2e3"}', "q1w2e3", '{"Authorization": '),
    ("header was Bearer tok3n", "tok3n", "header was Bearer "),  # short tokens too
    ("credentials Basic dXNlcjpwYXNz in a log", "dXNlcjpwYXNz", "in a log"),
    ("retry https://alice:pa55w0rd@host/x", "pa55w0rd", "@host/x"),
    ("https://ghp_t0k3n@host/repo", "ghp_t0k3n", "@host/repo"),  # a token as the URL's user
    ("GET /x?user=a&password=hunter2&y=1", "hunter2", "&y=1"),
    ("/login?passwd=hunter3", "hunter3", "/login?passwd="),
    ("pwd=hunter4; path=/", "hunter4", "path=/"),
    ("?token=abcd&api_key=zz9", "abcd", "api_key="),
    ("?token=abcd&api_key=zz9", "zz9", "?token="),
    ("client.secret: 's e c r e t'", "s e c r e t", "client.secret: '"),
    ('{"userPassword": "two words"}', "two words", '"userPassword": "'),
    ("X-Auth-Token: t0k", "t0k", "X-Auth-Token: "),
    ("Set-Cookie: session=s3ss; HttpOnly", "s3ss", "Set-Cookie: "),
    ("id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc end", "eyJzdWIiOiIxIn0", " end"),
    ("unsigned eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "eyJzdWIiOiIxIn0", "unsigned "),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEcut", "MIIEcut", ""),  # cut short: masked still
]


SMALL_PLAN = """\
id: petite-campagne
version: "1"
title: Petite campagne <de test>
steps:
  - id: simple
    kind: produce
    title: Médicament simple
    instructions: Rédigez l'ordonnance de la fiche, imprimez-la et déposez le PDF.
    patient: {age: [30, 60]}
    prescription:
      lignes:
        - produit: paracetamol
  - id: signale
    kind: confirm
    title: Mode dégradé signalé
    instructions: Répondez d'après ce que votre logiciel a affiché.
    question: Le logiciel a-t-il signalé que l'ordonnance n'était pas enregistrée ?
  - id: biologie
    kind: produce
    title: Biologie
    instructions: Prescrivez l'acte de biologie de la fiche, imprimez et déposez.
    patient: {age: [30, 70]}
    prescription:
      lignes:
        - {produit: nfs, motsCles: [Hémogramme]}
"""


def small_campaign_plan(folder: Path) -> Path:
    """A three-step campaign plan (produce, confirm, produce) written in ``folder``."""
    path = folder / "petite.yaml"
    path.write_text(SMALL_PLAN, encoding="utf-8")
    return path
