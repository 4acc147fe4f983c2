"""Every state of a campaign, rebuilt from its journal alone (``status`` and ``close`` keep nothing
else), and the verdict rules of DESIGN §15."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.campaign.cards import Card, instructions
from conformance.campaign.plan import Plan, Step
from conformance.campaign.texts import VERDICT, shown, state_label
from conformance.vocabulary import Severity, Status, Verdict

DONE = ("judged", "confirmed", "skipped")


@dataclass
class StepState:
    """One step as the journal tells it."""

    step: Step
    text: str
    artefacts: list[dict[str, Any]] = field(default_factory=list)
    current: str | None = None  # SHA-256 of the artefact the step is judged on
    judgements: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # a dmp step: the SHA-256 of the source step's paper each artefact was judged against
    against: dict[str, str | None] = field(default_factory=dict)
    answer: dict[str, Any] | None = None
    reason: str | None = None

    @property
    def checks(self) -> list[dict[str, Any]]:
        """The checks of the current artefact's judgement (empty when not judged)."""
        return self.judgements.get(self.current or "", [])

    def state(self, current_step: bool) -> str:
        """pending, waiting, received, judged, awaiting-confirmation, confirmed or skipped."""
        if self.reason is not None:
            return "skipped"
        if self.step.kind == "confirm":
            return "confirmed" if self.answer is not None else "awaiting-confirmation"
        if self.current is not None:
            return "judged" if self.current in self.judgements else "received"
        return "waiting" if current_step else "pending"


@dataclass
class CampaignState:
    """The whole campaign rebuilt from its journal."""

    plan: Plan
    cards: dict[str, Card]
    steps: dict[str, StepState]
    started: dict[str, Any]
    unattributed: dict[str, dict[str, Any]] = field(default_factory=dict)
    received: dict[str, dict[str, Any]] = field(default_factory=dict)  # sha -> received entry
    closed: dict[str, Any] | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def current(self) -> StepState | None:
        """The first step not done (judged, confirmed or skipped)."""
        return next((s for s in self.steps.values() if s.state(False) not in DONE), None)

    def state_of(self, step: StepState) -> str:
        """The step's state, ``waiting`` for the current one."""
        return step.state(step is self.current)


def rebuild(plan: Plan, cards: dict[str, Card], entries: list[dict[str, Any]]) -> CampaignState:
    """Fold the journal into the campaign's state."""
    steps = {s.id: StepState(s, instructions(s, cards.get(s.id))) for s in plan.steps}
    state = CampaignState(plan, cards, steps, entries[0] if entries else {})
    for entry in entries:
        _apply(state, entry)
    return state


def _apply(state: CampaignState, entry: dict[str, Any]) -> None:
    event, step = entry.get("event"), state.steps.get(str(entry.get("step")))
    raw = entry.get("artefact")
    artefact: dict[str, Any] = raw if isinstance(raw, dict) else {}
    sha = str(artefact.get("sha256", ""))
    if event == "received":
        state.received[sha] = entry
    elif event == "unattributed":
        state.unattributed[sha] = {**artefact, "read": entry.get("read", {})}
    elif event in ("attributed", "replaced") and step is not None:
        state.unattributed.pop(sha, None)
        if not any(a["sha256"] == sha for a in step.artefacts):
            step.artefacts.append(artefact)
        if step.current is None or event == "replaced":
            step.current = sha
    elif event == "judged" and step is not None:
        step.judgements[sha] = list(entry.get("checks", []))
        source = entry.get("source")
        if isinstance(source, dict):
            step.against[sha] = source.get("sha256")
    elif event == "confirmed" and step is not None:
        step.answer = {"value": entry.get("answer"), "note": entry.get("note", ""),
                       "tester": entry.get("tester"), "at": entry.get("at"),
                       "question": step.step.question, "shownSha256": entry.get("shownSha256")}
    elif event == "skipped" and step is not None:
        step.reason = str(entry.get("note", ""))
    elif event == "accepted-change":
        state.changes.append(entry)
    elif event == "closed":
        state.closed = entry


def failed(check: dict[str, Any], fail_on: str) -> bool:
    """A failed check at or above the plan's threshold."""
    return check.get("status") == Status.FAIL and Severity(check.get("severity", "major")).at_least(fail_on)


def unverified(check: dict[str, Any]) -> bool:
    """A check that could not judge: an error, or not evaluated."""
    return check.get("status") == Status.ERROR or check.get("skip") == "not-evaluated"


def notices(state: CampaignState, lang: str = "fr") -> list[str]:
    """The distinct reasons, in the campaign's set-up, that made checks not applicable (the ANS
    kit not given at start): said beside the verdict, as a run does."""
    return list(dict.fromkeys(shown(c.get("message"), lang) for s in state.steps.values()
                              for c in s.checks if c.get("notice") and c.get("skip") == "not-applicable"))


def verdict(state: CampaignState, lang: str = "fr") -> tuple[Verdict, list[str]]:
    """The campaign's verdict and why, in ``lang``: failures first, then what keeps it incomplete."""
    fail_on = state.plan.fail_on
    failures: list[str] = []
    open_: list[str] = []

    def say(key: str, **params: Any) -> str:
        return VERDICT(key, **params).render(lang)

    for s in state.steps.values():
        sid = s.step.id
        for c in s.checks:
            if failed(c, fail_on):
                failures.append(say("failed", step=sid, requirement=c["requirement"],
                                    check=c.get("check", ""), message=shown(c.get("message"), lang)))
        if s.answer is not None and s.answer["value"] != "yes":
            failures.append(say("answered_no", step=sid, question=s.step.question))
        st = state.state_of(s)
        if st not in ("judged", "confirmed"):
            label = state_label(st, lang)
            open_.append(say("open_why", step=sid, state=label, why=s.reason) if s.reason
                         else say("open", step=sid, state=label))
        open_ += [say("not_evaluated", step=sid, requirement=c["requirement"],
                      message=shown(c.get("message"), lang)) for c in s.checks if unverified(c)]
    open_ += [say("unattributed", name=str(u.get("name")), sha=sha[:12])
              for sha, u in state.unattributed.items()]
    if failures:
        return Verdict.NON_CONFORME, failures + open_
    if open_:
        return Verdict.INCOMPLET, open_
    return Verdict.CONFORME, []
