"""What a check sees: the step's exchanges, the scenario state, the journal, the paper."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance.checks.registry import CheckSpec, ExchangeFailed, Fact, NotEvaluated, Skipped
from conformance.messages import Message, Messages, Text
from conformance.paper import PaperError, PaperPage, PaperReader
from conformance.profiles import Profile
from conformance.targets import Exchange

if TYPE_CHECKING:
    from conformance.cda.record import CdaRecord

# what every check says of the step's exchange (one root cause: the first check reports it)
STEP = Messages("step", {
    "no_response": Text("pas de réponse : {error}", "no response: {error}"),
    "an_answer": Text("une réponse HTTP", "an HTTP response"),
    "not_json": Text("la réponse n'est pas du JSON", "the response is not JSON"),
    "json_mislabelled": Text("la réponse est du JSON mais dit le contraire (son type de contenu)",
                             "the response is JSON but says it is not (its content type)"),
    "no_content_type": Text("pas de type de contenu", "no content type"),
    "status": Text("statut HTTP inattendu {status}", "unexpected HTTP status {status}"),
    "status_detail": Text("statut HTTP inattendu {status} : {detail}",
                          "unexpected HTTP status {status}: {detail}"),
    "no_journal": Text("pas de journal du téléservice : la cible est reliée à un autre téléservice "
                       "(donner --teleservice, ou --accept-unverified)",
                       "no teleservice journal: the target is wired to another teleservice "
                       "(give --teleservice, or --accept-unverified)"),
    "no_paper": Text("pas de papier : {why}", "no paper: {why}"),
    "paper_unavailable": Text("analyse du papier indisponible", "paper analysis unavailable"),
    "unreadable": Text("papier illisible : {why}", "unreadable paper: {why}"),
    "too-large": Text("papier trop gros pour être lu : {why}", "paper too large to read: {why}"),
    "timeout": Text("papier trop long à lire : {why}", "paper too slow to read: {why}"),
    "readable_paper": Text("un PDF ou une image lisible", "a readable PDF or image"),
    "no_expected_id": Text("aucun identifiant de prescription auquel comparer (pas de création "
                           "réussie avant, ou pas de --expect-id)",
                           "no prescription id to compare with (no successful create before, or "
                           "no --expect-id)"),
    "creation_failed": Text("la création a échoué (RT-01 le signale)",
                            "creation failed (RT-01 reports it)"),
    "create_not_object": Text("la réponse à la création n'est pas un objet",
                              "the create response is not an object"),
    "an_object": Text("un objet", "an object"),
    "degraded_no_id": Text("non enregistrée (mode dégradé) : aucun identifiant attendu",
                           "not registered (degraded mode): no identifier expected"),
    "no_id": Text("aucun identifiant dans la réponse à la création",
                  "no identifier in the create response"),
    "id_18": Text("id : 18 caractères", "id: 18 characters"),
    "no_dmp": Text("pas de copie DMP : {why}", "no DMP copy: {why}"),
    "a_cda": Text("un document CDA (application/xml)", "a CDA document (application/xml)"),
    "cda_unavailable": Text("lecture de la copie DMP indisponible", "DMP copy reading unavailable"),
})


@dataclass(frozen=True, slots=True)
class Creation:
    """What the target answered to one creation of the run — its ``id`` and ``statut``, as
    sent —, and the facts its scenario denied (run-wide checks count a cause its scenario
    already reported once). A run keeps one per creation to its end: three slots, its status
    string shared, nothing else of the answer."""

    id: Any = None
    statut: Any = None
    denied: tuple[Fact, ...] = ()

    @classmethod
    def of(cls, answer: dict[str, Any], denied: tuple[Fact, ...] = ()) -> Creation:
        """One creation as a run keeps it to its end."""
        statut = answer.get("statut")
        return cls(answer.get("id"), sys.intern(statut) if isinstance(statut, str) else statut, denied)


@dataclass
class ScenarioState:
    """What earlier steps produced: variables, the last created body and id."""

    variables: dict[str, Any] = field(default_factory=dict)
    created: dict[str, Any] | None = None
    created_id: str | None = None
    dispensed: bool = False  # a pharmacist recorded an execution (EP1) in an earlier step
    created_days: set[str] = field(default_factory=set)  # Europe/Paris days of the last creation
    # the code 2D texts a paper step read, by prescription id (CDA-07 compares the DMP copy's)
    printed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # facts a failed check denied for the rest of the scenario, and the check that failed
    denied: dict[Fact, tuple[str, str]] = field(default_factory=dict)  # fact -> (cause, its text)


class JournalCall(Mapping[str, Any]):
    """One teleservice call as the run-wide checks read it (``seq``, ``at``, ``operation``,
    ``id``, ``status``; no body): a read-only mapping in five slots, the operation's name
    shared — a long run reconciles tens of thousands of them at once (a dict each was a
    tenth of a long run's peak)."""

    FIELDS = ("seq", "at", "operation", "id", "status")
    __slots__ = FIELDS

    def __init__(self, entry: Mapping[str, Any]) -> None:
        for name in self.FIELDS:
            value = entry.get(name)
            setattr(self, name, sys.intern(value) if name == "operation" and isinstance(value, str)
                    else value)

    def __getitem__(self, key: str) -> Any:
        if key not in self.FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.FIELDS)

    def __len__(self) -> int:
        return len(self.FIELDS)


@dataclass
class StepData:
    """The outcome of one step, before checks run."""

    kind: str
    params: dict[str, Any]
    exchanges: list[Exchange]
    sent: Any = None
    journal_since: int | None = None
    journal_entries: list[dict[str, Any]] | None = None  # read once, shared by the step's checks
    # the run-wide step's journal instead: read again for each operation a check asks, filtered
    # at the source (a long run's whole journal is never held at once)
    journal_read: Callable[[str | None], Sequence[Mapping[str, Any]]] | None = None
    paper_pages: list[PaperPage] | None = None
    paper_error: str | None = None
    paper_error_kind: str | None = None  # too-large, timeout or unreadable
    cda_record: CdaRecord | None = None  # a ``dmp`` step's document, read once in the sandbox
    cda_copy: list[PaperPage] | str | None = None  # its PDF copy's pages, or why unreadable
    # the check that reported the step's failed exchange, if any: (cause, its text)
    root_cause: tuple[str, str] | None = None
    denied: dict[Fact, tuple[str, str]] = field(default_factory=dict)  # facts denied in this step


@dataclass
class CheckContext:
    """Everything one check may look at."""

    step: StepData
    state: ScenarioState
    profile: Profile
    arg: Any = None
    journal_reader: Callable[[int], list[dict[str, Any]]] | None = None
    reader: PaperReader | None = None
    spec: CheckSpec | None = None  # the check being run (its messages)

    def msg(self, key: str, **params: Any) -> Message:
        """One of the running check's messages."""
        assert self.spec is not None, "msg() is for a check's own function"
        return self.spec.msg(key, **params)

    @property
    def exchange(self) -> Exchange:
        """The step's (first) exchange."""
        return self.step.exchanges[0]

    def body(self) -> Any:
        """The response as JSON; Failed when it is not JSON."""
        ex = self.exchange
        if ex.error:
            raise ExchangeFailed(STEP("no_response", error=ex.error), STEP("an_answer"), ex.error_kind)
        try:
            document = ex.json()
        except ValueError as exc:
            raise ExchangeFailed(STEP("not_json"), "application/json",
                                 f"{ex.content_type or STEP('no_content_type')}: {ex.body[:120]!r}",
                                 ) from exc
        ctype = ex.content_type
        if ctype != "application/json" and not ctype.endswith("+json"):  # a lying content type
            raise ExchangeFailed(STEP("json_mislabelled"), "application/json",
                                 ctype or STEP("no_content_type"))
        return document

    def expect_status(self, *codes: int) -> None:
        """Failed unless the response status is one of ``codes``."""
        ex = self.exchange
        if ex.error:
            raise ExchangeFailed(STEP("no_response", error=ex.error),
                                 f"HTTP {'/'.join(map(str, codes))}", ex.error_kind)
        if ex.status not in codes:
            detail = ""
            try:
                body = ex.json()
                if isinstance(body, dict):
                    detail = " ".join(str(body[k]) for k in ("rule", "title", "detail") if body.get(k))
            except ValueError:
                detail = ex.body[:120].decode("utf-8", "replace")
            message = (STEP("status_detail", status=ex.status, detail=detail) if detail
                       else STEP("status", status=ex.status))
            raise ExchangeFailed(message, list(codes), ex.status)

    def journal(self, operation: str | None = None, pid: str | None = None) -> list[Mapping[str, Any]]:
        """Teleservice journal entries since the step began; NotEvaluated without a simulator."""
        entries: Sequence[Mapping[str, Any]]
        if self.step.journal_read is not None:  # filtered by the teleservice: filtered again here
            entries = self.step.journal_read(operation)
        else:
            if self.journal_reader is None or self.step.journal_since is None:
                raise NotEvaluated(STEP("no_journal"))
            if self.step.journal_entries is None:
                self.step.journal_entries = self.journal_reader(self.step.journal_since)
            entries = self.step.journal_entries
        return [e for e in entries if (operation is None or e["operation"] == operation)
                and (pid is None or e.get("id") == pid)]

    def paper(self) -> list[PaperPage]:
        """The analysed paper of a ``paper`` step; Failed when it cannot be read."""
        if self.step.paper_pages is None and self.step.paper_error is None:
            ex = self.exchange
            if ex.error or ex.status != 200:
                self.step.paper_error = STEP("no_paper", why=ex.error or f"HTTP {ex.status}")
            elif self.reader is None:
                raise NotEvaluated(STEP("paper_unavailable"))
            else:
                try:
                    self.step.paper_pages = self.reader.analyse(ex.body)
                    self._remember_printed(self.step.paper_pages)
                except PaperError as exc:
                    kind = exc.kind if exc.kind in ("too-large", "timeout") else "unreadable"
                    self.step.paper_error = STEP(kind, why=exc.message)
                    self.step.paper_error_kind = exc.kind
        if self.step.paper_error is not None:
            observed = self.exchange.content_type
            if self.step.paper_error_kind:
                observed = f"{observed} ({self.step.paper_error_kind})"
            raise ExchangeFailed(self.step.paper_error, STEP("readable_paper"), observed)
        assert self.step.paper_pages is not None
        return self.step.paper_pages

    def _remember_printed(self, pages: list[PaperPage]) -> None:
        """The codes 2D a ``paper`` step of a known prescription printed, for the scenario's
        later ``dmp`` steps (a paper without any: nothing to compare with)."""
        pid = self.step.params.get("id")
        codes = tuple(code.text for page in pages for code in page.codes)
        if pid and codes:
            self.state.printed[str(pid)] = codes

    def cda(self) -> CdaRecord:
        """The DMP copy of a ``dmp`` step, read in the sandbox (a refused record when it cannot
        be read safely); ExchangeFailed when the target served none."""
        if self.step.cda_record is None:
            ex = self.exchange
            if ex.error or ex.status != 200:
                raise ExchangeFailed(STEP("no_dmp", why=ex.error or f"HTTP {ex.status}"),
                                     STEP("a_cda"), ex.status if ex.status else ex.error_kind)
            if self.reader is None:
                raise NotEvaluated(STEP("cda_unavailable"))
            self.step.cda_record = self.reader.cda(ex.body)
        return self.step.cda_record

    def expected_id(self) -> str:
        """The id the step is about (argument, step parameter or last created)."""
        pid = self.arg if isinstance(self.arg, str) else None
        pid = pid or self.step.params.get("id") or self.state.created_id
        if not pid:
            raise NotEvaluated(STEP("no_expected_id"))
        return str(pid)

    def created_id(self) -> str:
        """The id a create step returned; Skipped in degraded mode, Failed when absent."""
        ex = self.exchange
        if ex.error or ex.status not in (200, 201):
            raise NotEvaluated(STEP("creation_failed"))
        body = self.body()
        if not isinstance(body, dict):
            raise ExchangeFailed(STEP("create_not_object"), STEP("an_object"), type(body).__name__)
        if body.get("statut") == "non-enregistree":
            raise Skipped(STEP("degraded_no_id"))
        pid = body.get("id")
        if not isinstance(pid, str):
            raise ExchangeFailed(STEP("no_id"), STEP("id_18"), pid)
        return pid
