"""The typed vocabulary every layer shares: check status, severity, operation, verdict, exit code.

Enums are ``StrEnum``/``IntEnum`` so that JSON, XML and comparisons with the documented string
values keep working; the orderings (status precedence, severity rank) live here and only here.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, StrEnum


class Status(StrEnum):
    """The verdict of one check, step or scenario."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"

    @classmethod
    def worst(cls, statuses: Iterable[str], default: Status | None = None) -> Status:
        """The status that wins: error > fail > warn > pass > skip (``default`` when none)."""
        seen = {cls(s) for s in statuses}
        for status in _PRECEDENCE:
            if status in seen:
                return status
        return default if default is not None else cls.SKIP


_PRECEDENCE = (Status.ERROR, Status.FAIL, Status.WARN, Status.PASS, Status.SKIP)


class SkipKind(StrEnum):
    """Why a check was skipped: only *not evaluated* leaves a run unproven (DESIGN §5)."""

    NOT_APPLICABLE = "not-applicable"  # the situation does not arise (the scenario's own choice)
    NOT_EVALUATED = "not-evaluated"  # it arises but could not be judged


class Severity(StrEnum):
    """How much a failed requirement matters; ``blocking`` is the présérie's intrinsic anomaly."""

    BLOCKING = "blocking"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        """0 for blocking … 3 for info."""
        return list(Severity).index(self)

    def at_least(self, threshold: str) -> bool:
        """As severe as ``threshold`` or more (``--fail-on``)."""
        return self.rank <= Severity(threshold).rank


class StepKind(StrEnum):
    """What a step does; the kinds a scenario may use, and the engine's own (run-wide, fuzz)."""

    CREATE = "create"
    CONSULT = "consult"
    SEARCH = "search"
    PAPER = "paper"
    DMP = "dmp"  # the DMP copy (CDA eP-MED-DM) the software sends for a prescription
    TELESERVICE = "teleservice"
    DISPENSE = "dispense"
    RUN = "run"  # the run-wide checks, after the scenarios (the journal reconciliation…)
    FUZZ = "fuzz"

    @property
    def in_scenarios(self) -> bool:
        """A scenario may write a step of this kind."""
        return self not in (StepKind.RUN, StepKind.FUZZ)


class Operation(StrEnum):
    """The report's grouping of checks (French domain words)."""

    CREER = "créer"
    CONSULTER = "consulter"
    RECHERCHER = "rechercher"
    IMPRESSION = "impression"
    DMP = "dmp"  # the copy sent to the patient's DMP (Mon espace santé)
    TELESERVICE = "téléservice"
    ROBUSTESSE = "robustesse"

    @classmethod
    def of_step(cls, kind: str) -> Operation:
        """The operation a step kind belongs to."""
        return _STEP_OPERATION[StepKind(kind)]


_STEP_OPERATION = {
    StepKind.CREATE: Operation.CREER, StepKind.CONSULT: Operation.CONSULTER,
    StepKind.SEARCH: Operation.RECHERCHER, StepKind.PAPER: Operation.IMPRESSION,
    StepKind.DMP: Operation.DMP,
    StepKind.TELESERVICE: Operation.TELESERVICE, StepKind.DISPENSE: Operation.TELESERVICE,
    StepKind.RUN: Operation.TELESERVICE, StepKind.FUZZ: Operation.ROBUSTESSE,
}


class Verdict(StrEnum):
    """The run's verdict (DESIGN §5)."""

    CONFORME = "conforme"
    NON_CONFORME = "non-conforme"
    INCOMPLET = "incomplet"
    INTERROMPU = "interrompu"

    @property
    def exit_code(self) -> ExitCode:
        """The process exit code of this verdict."""
        return _VERDICT_EXIT[self]


class ExitCode(IntEnum):
    """Process exit codes of every command (DESIGN §9)."""

    OK = 0
    ANOMALIES = 1
    USAGE = 2
    UNREACHABLE = 3
    INCOMPLETE = 4
    INTERRUPTED = 130


_VERDICT_EXIT = {
    Verdict.CONFORME: ExitCode.OK, Verdict.NON_CONFORME: ExitCode.ANOMALIES,
    Verdict.INCOMPLET: ExitCode.INCOMPLETE, Verdict.INTERROMPU: ExitCode.INTERRUPTED,
}


class Lang(StrEnum):
    """Languages of the human-facing reports."""

    FR = "fr"
    EN = "en"


__all__ = ["ExitCode", "Lang", "Operation", "Severity", "SkipKind", "Status", "StepKind", "Verdict"]


# the national identifiers ``inspect identifier`` knows (its --kind choices)
IDENTIFIER_KINDS = ("nir", "rpps", "am", "finess", "cip13", "ucd13", "lpp", "nabm", "prescription-id")
