"""Execute one step against the target (and the simulator's control API): no checks here."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from zoneinfo import ZoneInfo

from conformance.checks import ScenarioState, StepData
from conformance.engine.variables import interpolate
from conformance.messages import Messages, Text
from conformance.scenario import Scenario, Step
from conformance.scenario.model import create_body
from conformance.targets import HttpTarget, TeleserviceControl

PHARMACIST = {"rpps": "10000000124", "nomFamille": "PHARMACIEN", "prenom": "Test",
              "profession": "pharmacien"}


def paris_day() -> str:
    """Today in Europe/Paris, where the prescriber dates the ordonnance."""
    return dt.datetime.now(ZoneInfo("Europe/Paris")).date().isoformat()


class NotApplicable(Exception):
    """The step cannot run in this set-up: the message says what it needs."""


NEEDS = Messages("steps", {
    "fault": Text("le simulateur de téléservice pour injecter une faute (--teleservice)",
                  "the teleservice simulator to inject a fault (--teleservice)"),
    "dispense": Text("le simulateur de téléservice pour délivrer par EP1 (--teleservice)",
                     "the teleservice simulator to dispense through EP1 (--teleservice)"),
    "ep1_refused": Text("une exécution EP1, que le simulateur a refusée : HTTP {status}",
                        "an EP1 execution, which the simulator refused: HTTP {status}"),
})


def run_step(step: Step, sc: Scenario, state: ScenarioState, target: HttpTarget,
             control: TeleserviceControl | None) -> StepData:
    """Send the step's request(s); interpolation errors propagate (MissingVariable)."""
    params: dict[str, Any] = interpolate(step.params, state.variables)
    since = control.cursor() if control is not None else None
    data = StepData(step.kind, params, [], journal_since=since)
    if step.kind == "create":
        _create(data, sc, state, target)
    elif step.kind == "consult":
        query = {k: params.get(k) for k in ("rpps", "am", "finess")}
        data.exchanges.append(target.send("GET", f"/prescriptions/{params['id']}", params=query))
    elif step.kind == "search":
        _search(data, state, target)
    elif step.kind == "paper":
        data.exchanges.append(target.send("GET", f"/prescriptions/{params['id']}/paper"))
    elif step.kind == "dmp":
        data.exchanges.append(target.send("GET", f"/prescriptions/{params['id']}/dmp"))
    elif step.kind == "teleservice":
        if control is None:
            raise NotApplicable(NEEDS("fault"))
        control.fault(params)
    elif step.kind == "dispense":
        if control is None:
            raise NotApplicable(NEEDS("dispense"))
        body = {"contexte": {"logiciel": "epresc-conformance (pharmacien)"}, "id": params["id"],
                "executant": params.get("executant", PHARMACIST), "lignes": params.get("lignes", [])}
        response = control.dispense(body)
        if response.status_code >= 300:
            raise NotApplicable(NEEDS("ep1_refused", status=response.status_code))
        state.dispensed = True
    return data


def _create(data: StepData, sc: Scenario, state: ScenarioState, target: HttpTarget) -> None:
    params = data.params
    if "raw" in params:
        data.sent = params["raw"]
        data.exchanges.append(target.send("POST", "/prescriptions", body=data.sent))
        return
    body = create_body(params, sc.fixtures, state.variables.get("generated"))
    data.sent = body
    state.created_days = {paris_day()}
    repeat = int(params.get("repeat", 1))
    if repeat == 1:
        data.exchanges.append(target.send("POST", "/prescriptions", body=body))
    else:
        with ThreadPoolExecutor(max_workers=min(repeat, 16)) as pool:
            futures = [pool.submit(target.send, "POST", "/prescriptions", body)
                       for _ in range(repeat)]
            data.exchanges.extend(f.result() for f in futures)
    state.created_days.add(paris_day())  # a creation that straddled midnight: either day
    state.created = body
    state.variables["patient"] = body.get("patient")
    state.variables["prescriber"] = body.get("prescripteur")
    first = data.exchanges[0]
    try:
        answer = first.json() if first.status in (200, 201) else None
    except ValueError:
        answer = None
    state.created_id = answer.get("id") if isinstance(answer, dict) else None


def _search(data: StepData, state: ScenarioState, target: HttpTarget) -> None:
    params = dict(data.params)
    if "prescripteur" not in params:
        prescriber = state.variables.get("prescriber") or {}
        params["prescripteur"] = prescriber.get("rpps") if isinstance(prescriber, dict) else None
    data.params = params
    data.exchanges.append(target.send("GET", "/prescriptions", params=params))
