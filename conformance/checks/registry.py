"""The check registry: one declaration per check, beside its function; typed outcomes; facts.

A check is declared once, with ``@check(...)``: its name, requirement (from the requirement
catalogue), ``Severity``, the step kinds it applies to and those it runs on by default,
whether ``inspect`` may run it alone, its title and fix hint in French and English, its
messages (ids with parameters, one template per language), the facts it needs and the facts it
establishes, whether a step expecting it sends an invalid body on purpose (``invalid_input``),
which of its messages say the paper has no text to read (``no_text``), and how the guided
campaign judges it on a paper it did not get from an adapter (``campaign``,
``degraded``, ``reads_identifiers``, ``measures_page``, ``needs_printed``).
Everything else — the defaults of a step, what ``inspect`` runs, ``list checks``, the reports'
titles, what a campaign step runs — is read from the registry.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from conformance.messages import Message, Messages, Text
from conformance.requirements import catalogue
from conformance.vocabulary import Operation, Severity, StepKind

if TYPE_CHECKING:
    from conformance.checks.context import CheckContext


class Failed(Exception):
    """The target broke the requirement."""

    def __init__(self, message: str, expected: Any = None, observed: Any = None,
                 diff: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message, self.expected, self.observed, self.diff = message, expected, observed, diff


class Warned(Failed):
    """Something worth reporting that does not break the requirement."""


class ExchangeFailed(Failed):
    """The step's exchange itself failed (no response, wrong status, not JSON): one root cause
    that every check of the step would otherwise report again."""


class Skipped(Exception):
    """The check does not apply here (not applicable); the reason is reported."""


class NotEvaluated(Skipped):
    """The situation arises but the check cannot judge it (no journal, an earlier failure):
    the requirement stays unverified."""


_NO_TEXT: set[str] = set()  # the ids of the messages saying a paper has no text to read


def no_text(messages: Messages, *keys: str) -> None:
    """Declare the messages ``keys`` of ``messages`` as saying "the paper has no text to read"
    (a scan): a check not evaluated with one of them found no text, and the guided campaign
    says why (no OCR) instead. A key ``messages`` does not declare fails here, at import."""
    unknown = sorted(set(keys) - messages.keys)
    if unknown:
        raise ValueError(f"no_text: {messages.namespace} declares no message {', '.join(unknown)}")
    _NO_TEXT.update(f"{messages.namespace}.{key}" for key in keys)


def found_no_text(message: str) -> bool:
    """``message`` (a check's result) says the paper had no text to read (``no_text``)."""
    return isinstance(message, Message) and message.id in _NO_TEXT


class Fact(StrEnum):
    """What a check may need to be meaningful, established by one check (or the engine)."""

    CONTRACT = "contract"  # the step's answers are what the adapter contract allows (ROB-02's gate)
    REGISTERED = "registered"  # the scenario's prescription was created and registered (RT-01)

    @property
    def scenario_wide(self) -> bool:
        """Holds for the rest of the scenario (else for its step only)."""
        return self is Fact.REGISTERED


CheckFn = Callable[["CheckContext"], str]


@dataclass(frozen=True)
class CheckSpec:
    """A registered check: its one declaration."""

    name: str
    requirement: str
    severity: Severity
    title: Text
    hint: Text
    steps: tuple[StepKind, ...]
    defaults: tuple[StepKind, ...]  # the kinds whose steps run it when they have no ``expect``
    fn: CheckFn
    messages: Messages
    standalone: bool = False  # ``inspect`` may run it on a file alone (no teleservice, no step)
    needs: tuple[Fact, ...] = ()
    establishes: tuple[Fact, ...] = ()
    exclusive: bool = False  # reads every teleservice call of its step: no concurrent scenario
    operation: Operation | None = None  # the report's grouping, when not its step's
    # runs first on every step of its kinds, whatever the step expects (the contract)
    gate: bool = False
    # not applicable because of how the run was set up (a kit not supplied): its reason
    # qualifies the verdict line
    notice: bool = False
    # a create step expecting it sends an invalid body on purpose (a rejection is what is
    # judged): the loader holds that body to the contract's types only
    invalid_input: bool = False
    # the guided campaign (DESIGN §15) runs it on a dropped file of its kind; False when the
    # campaign judges the requirement its own way, or not at all
    campaign: bool = True
    # a degraded-mode campaign step (a classic ordonnance, no code 2D) is judged on it
    degraded: bool = False
    # what identifier it reads off the printed text (a noun phrase): on text read by OCR it is
    # not evaluated, saying so (identifiers never come from OCR)
    reads_identifiers: Text | None = None
    # why it cannot judge a picture (it measures the page to the millimetre): not evaluated on one
    measures_page: Text | None = None
    # judges a DMP copy against the printed ordonnance (its code 2D: the registered id, the
    # printed payloads): not evaluated where no printed paper stands for the creation
    needs_printed: bool = False

    def msg(self, key: str, **params: Any) -> Message:
        """One of this check's messages."""
        return self.messages(key, **params)

    @functools.cached_property
    def title_message(self) -> Message:
        """The title, as every result of this check carries it (made once)."""
        return self.msg("_title")

    @functools.cached_property
    def hint_message(self) -> Message:
        """The fix hint, as every result of this check carries it (made once)."""
        return self.msg("_hint")

    @functools.cached_property
    def identifiers_message(self) -> Message | None:
        """What identifier it reads off the text, as a message (None: it reads none)."""
        return self.msg("_reads_identifiers") if self.reads_identifiers is not None else None

    @functools.cached_property
    def measures_message(self) -> Message | None:
        """Why it cannot judge a picture, as a message (None: it can)."""
        return self.msg("_measures_page") if self.measures_page is not None else None

    def operation_of(self, kind: str) -> Operation:
        """The operation a result of this check on a ``kind`` step is grouped under."""
        return self.operation or Operation.of_step(kind)


REGISTRY: dict[str, CheckSpec] = {}


def check(name: str, requirement: str, severity: Severity, *, title: Text, hint: Text,
          steps: tuple[StepKind, ...], defaults: tuple[StepKind, ...] = (),
          messages: Mapping[str, Text] | None = None, standalone: bool = False,
          needs: tuple[Fact, ...] = (), establishes: tuple[Fact, ...] = (),
          exclusive: bool = False, operation: Operation | None = None, gate: bool = False,
          notice: bool = False, invalid_input: bool = False, campaign: bool = True, degraded: bool = False,
          reads_identifiers: Text | None = None, measures_page: Text | None = None,
          needs_printed: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Declare ``fn`` as check ``name`` (see the module's docstring and ``CheckSpec``). A
    requirement missing from the catalogue, a default kind it does not apply to, a paper or
    DMP attribute on a check of no such step, or a name taken twice fails here, at import."""

    def register(fn: CheckFn) -> CheckFn:
        @functools.wraps(fn)
        def bound(ctx: CheckContext) -> str:
            if ctx.spec is None:  # called directly (a test): its own messages all the same
                ctx.spec = REGISTRY[name]
            return fn(ctx)

        if name in REGISTRY:
            raise ValueError(f"check {name} registered twice")
        if requirement not in catalogue():
            raise ValueError(f"check {name}: requirement {requirement} is not in the catalogue")
        if not set(defaults) <= set(steps):
            raise ValueError(f"check {name}: runs by default on a kind it does not apply to")
        if StepKind.PAPER not in steps and (degraded or reads_identifiers or measures_page):
            raise ValueError(f"check {name}: a paper attribute on a check of no paper step")
        if StepKind.CREATE not in steps and invalid_input:
            raise ValueError(f"check {name}: invalid_input on a check of no create step")
        if StepKind.DMP not in steps and needs_printed:
            raise ValueError(f"check {name}: needs_printed on a check of no dmp step")
        literal = {"_title": title, "_hint": hint}
        if reads_identifiers is not None:
            literal["_reads_identifiers"] = reads_identifiers
        if measures_page is not None:
            literal["_measures_page"] = measures_page
        REGISTRY[name] = CheckSpec(
            name=name, requirement=requirement, severity=Severity(severity), title=title, hint=hint,
            steps=steps, defaults=defaults, fn=bound,
            messages=Messages(name, messages or {}, literal=literal),
            standalone=standalone, needs=needs, establishes=establishes, exclusive=exclusive,
            operation=operation, gate=gate, notice=notice, invalid_input=invalid_input,
            campaign=campaign, degraded=degraded,
            reads_identifiers=reads_identifiers, measures_page=measures_page,
            needs_printed=needs_printed)
        return bound

    return register


def defaults(kind: str) -> tuple[str, ...]:
    """The checks a step of ``kind`` runs when it has no ``expect``, in declaration order."""
    return tuple(name for name, spec in REGISTRY.items() if kind in spec.defaults)


def standalone(kind: str) -> tuple[str, ...]:
    """The checks of ``kind`` steps that ``inspect`` may run on a file alone, in order."""
    return tuple(name for name, spec in REGISTRY.items() if spec.standalone and kind in spec.steps)


def run_wide() -> tuple[str, ...]:
    """The checks that run once after the scenarios, over the whole run."""
    return tuple(name for name, spec in REGISTRY.items() if StepKind.RUN in spec.steps)


def requirement_severity(requirement: str) -> Severity | None:
    """The requirement's severity in the catalogue (None when it is unknown)."""
    found = catalogue().requirements.get(requirement)
    return found.severity if found else None
