"""MiniLAP: a tiny prescribing software (LAP), the one the tutorial tests (docs/tutorial.md).

It keeps its prescriptions in memory and talks to the teleservice (EP4 créer, EP3 consulter,
EP2 rechercher) over the simulator's JSON API. A real LAP has its own database, screens and
printer; this one has just enough to be tested."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

import httpx

SOFTWARE = {"logiciel": "MiniLAP", "version": "1.0", "editeur": "Tutoriel"}
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # base 32 without I, L, O, U
POSOLOGIE_MAX = 100  # the database's posologie column (the tutorial's bug: the contract allows 500)
LINE_TYPES = ["medicament", "dispositifMedical", "acteBiologieMedicale", "acteInfirmier",
              "acteKinesitherapie", "acteOrthophonie", "acteOrthoptie", "actePedicurie"]


class Refused(Exception):
    """An input MiniLAP refuses, or a refusal from the teleservice: status, rule, detail."""

    def __init__(self, status: int, rule: str | None, detail: str) -> None:
        super().__init__(detail)
        self.status, self.rule, self.detail = status, rule, detail


class MiniLap:
    """The prescribing software: prescribe, consult, search."""

    def __init__(self, teleservice_url: str) -> None:
        self.teleservice = httpx.Client(base_url=teleservice_url, timeout=10)
        self.prescriptions: dict[str, dict[str, Any]] = {}

    def call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """One teleservice call; its refusal becomes ours."""
        answer = self.teleservice.post(path, json={"contexte": SOFTWARE, **body})
        if answer.status_code >= 500:
            raise Refused(503, None, f"teleservice unavailable (HTTP {answer.status_code})")
        if answer.status_code >= 400:
            problem = answer.json()
            raise Refused(answer.status_code, problem.get("rule"), problem.get("detail", ""))
        return dict(answer.json())

    def prescribe(self, rx: dict[str, Any]) -> str:
        """Check the prescription, give it an id, register it (EP4) and keep it. Sent again
        with its id (a retry), it is the same prescription: nothing new is registered."""
        if rx.get("id") in self.prescriptions:
            return str(rx["id"])
        name = rx["patient"]["nomFamille"]
        if not name.strip() or len(name) > 100:
            raise Refused(422, "EF_EP04.01", "the patient's family name: 1 to 100 characters")
        for line in rx["lignes"]:
            if line["type"] not in LINE_TYPES:
                raise Refused(422, "HORS_PERIMETRE", f"MiniLAP cannot prescribe {line['type']}")
            if line.get("posologie"):
                line["posologie"] = line["posologie"][:POSOLOGIE_MAX]
        rx = {**rx, "id": rx.get("id") or "".join(secrets.choice(ALPHABET) for _ in range(18))}
        rx.setdefault("dateOrdonnance", dt.date.today().isoformat())
        self.call("/ep4/prescriptions", {"prescription": rx})
        self.prescriptions[rx["id"]] = rx
        return str(rx["id"])

    def requester(self, rpps: str, am: str | None, finess: str | None) -> dict[str, Any]:
        """Who asks (EP3, EP2): the AM number defaults to the one MiniLAP knows for this RPPS."""
        known = [rx["prescripteur"] for rx in self.prescriptions.values()
                 if rx["prescripteur"]["rpps"] == rpps]
        if not am and not finess and known:
            am, finess = known[0].get("am"), known[0].get("finess")
        return {"rpps": rpps, "am": am, "finess": finess}

    def consult(self, pid: str, rpps: str | None, am: str | None, finess: str | None) -> dict[str, Any]:
        """EP3, as the prescriber unless another doctor is named."""
        if pid not in self.prescriptions:
            raise Refused(404, None, f"no prescription {pid}")
        who = self.requester(rpps or self.prescriptions[pid]["prescripteur"]["rpps"], am, finess)
        if not who["am"] and not who["finess"]:
            raise Refused(403, "EF_EP3_E303_03", "the requester's AM or FINESS is required")
        return self.call("/ep3/consultation", {"id": pid, "demandeur": who})

    def search(self, rpps: str, patient: str | None, du: str | None, au: str | None) -> list[Any]:
        """EP2: the doctor's prescriptions, for one patient and a period when given."""
        found = self.call("/ep2/recherche", {"demandeur": self.requester(rpps, None, None),
                                              "patient": patient, "du": du, "au": au})
        return list(found["resultats"])
