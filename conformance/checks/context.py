"""What a check sees: the step's exchanges, the scenario state, the journal, the paper."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from conformance.checks.registry import ExchangeFailed, NotEvaluated
from conformance.paper import PaperError, PaperPage, PaperReader
from conformance.profiles import Profile
from conformance.targets import Exchange

# what the anomaly says of a paper that cannot be read, by PaperError.kind
PAPER_ERRORS = {"unreadable": "unreadable paper", "too-large": "paper too large to read",
                "timeout": "paper too slow to read"}


@dataclass
class ScenarioState:
    """What earlier steps produced: variables, the last created body and id."""

    variables: dict[str, Any] = field(default_factory=dict)
    created: dict[str, Any] | None = None
    created_id: str | None = None
    dispensed: bool = False  # a pharmacist recorded an execution (EP1) in an earlier step
    created_days: set[str] = field(default_factory=set)  # Europe/Paris days of the last creation


@dataclass
class StepData:
    """The outcome of one step, before checks run."""

    kind: str
    params: dict[str, Any]
    exchanges: list[Exchange]
    sent: Any = None
    journal_since: int | None = None
    journal_entries: list[dict[str, Any]] | None = None  # read once, shared by the step's checks
    paper_pages: list[PaperPage] | None = None
    paper_error: str | None = None
    paper_error_kind: str | None = None  # too-large, timeout or unreadable
    root_cause: str | None = None  # the check that reported the step's failed exchange, if any


@dataclass
class CheckContext:
    """Everything one check may look at."""

    step: StepData
    state: ScenarioState
    profile: Profile
    arg: Any = None
    journal_reader: Callable[[int], list[dict[str, Any]]] | None = None
    reader: PaperReader | None = None

    @property
    def exchange(self) -> Exchange:
        """The step's (first) exchange."""
        return self.step.exchanges[0]

    def body(self) -> Any:
        """The response as JSON; Failed when it is not JSON."""
        ex = self.exchange
        if ex.error:
            raise ExchangeFailed(f"no response: {ex.error}", "an HTTP response", ex.error_kind)
        try:
            document = ex.json()
        except ValueError as exc:
            raise ExchangeFailed("the response is not JSON", "application/json",
                         f"{ex.content_type or 'no content type'}: {ex.body[:120]!r}") from exc
        ctype = ex.content_type
        if ctype != "application/json" and not ctype.endswith("+json"):  # a lying content type
            raise ExchangeFailed("the response is JSON but says it is not (its content type)",
                                 "application/json", ctype or "no content type")
        return document

    def expect_status(self, *codes: int) -> None:
        """Failed unless the response status is one of ``codes``."""
        ex = self.exchange
        if ex.error:
            raise ExchangeFailed(f"no response: {ex.error}", f"HTTP {'/'.join(map(str, codes))}",
                                 ex.error_kind)
        if ex.status not in codes:
            detail = ""
            try:
                body = ex.json()
                if isinstance(body, dict):
                    detail = " ".join(str(body[k]) for k in ("rule", "title", "detail") if body.get(k))
            except ValueError:
                detail = ex.body[:120].decode("utf-8", "replace")
            raise ExchangeFailed(f"unexpected HTTP status {ex.status}" + (f": {detail}" if detail else ""),
                                 list(codes), ex.status)

    def journal(self, operation: str | None = None, pid: str | None = None) -> list[dict[str, Any]]:
        """Teleservice journal entries since the step began; NotEvaluated without a simulator."""
        if self.journal_reader is None or self.step.journal_since is None:
            raise NotEvaluated("no teleservice journal: the target is wired to another teleservice "
                               "(give --teleservice, or --accept-unverified)")
        if self.step.journal_entries is None:
            self.step.journal_entries = self.journal_reader(self.step.journal_since)
        return [e for e in self.step.journal_entries
                if (operation is None or e["operation"] == operation)
                and (pid is None or e.get("id") == pid)]

    def paper(self) -> list[PaperPage]:
        """The analysed paper of a ``paper`` step; Failed when it cannot be read."""
        if self.step.paper_pages is None and self.step.paper_error is None:
            ex = self.exchange
            if ex.error or ex.status != 200:
                self.step.paper_error = f"no paper: {ex.error or f'HTTP {ex.status}'}"
            elif self.reader is None:
                raise NotEvaluated("paper analysis unavailable")
            else:
                try:
                    self.step.paper_pages = self.reader.analyse(ex.body)
                except PaperError as exc:
                    self.step.paper_error = f"{PAPER_ERRORS.get(exc.kind, 'unreadable paper')}: {exc}"
                    self.step.paper_error_kind = exc.kind
        if self.step.paper_error is not None:
            observed = self.exchange.content_type
            if self.step.paper_error_kind:
                observed = f"{observed} ({self.step.paper_error_kind})"
            raise ExchangeFailed(self.step.paper_error, "a readable PDF or image", observed)
        assert self.step.paper_pages is not None
        return self.step.paper_pages

    def expected_id(self) -> str:
        """The id the step is about (argument, step parameter or last created)."""
        pid = self.arg if isinstance(self.arg, str) else None
        pid = pid or self.step.params.get("id") or self.state.created_id
        if not pid:
            raise NotEvaluated("no prescription id to compare with "
                          "(no successful create before, or no --expect-id)")
        return str(pid)
