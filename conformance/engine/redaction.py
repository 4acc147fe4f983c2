"""The single redaction point: every event goes through here before any handler sees it.

Secrets (authorization headers, bearer tokens, passwords, private keys, and the user's own
patterns) are always masked. With ``pseudonymise``, patient identities (names, NIR/INS,
birth date) are replaced consistently by synthetic ones in every text written.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import json
import random
import re
import unicodedata
from collections.abc import Iterable
from enum import Enum
from typing import Any, TypeVar, cast

from conformance.engine.events import (
    Event,
    RunFinished,
    RunStarted,
    ScenarioFinished,
    ScenarioStarted,
    StepEvidence,
    StepFinished,
)
from conformance.messages import Message
from conformance.targets.http import SENSITIVE_HEADERS, Exchange

# --- secrets: one family, whatever form they take in a target's text ---------------------------
# A credential reaches us as a header, a JSON field, a URL's user:password@, or quoted inside
# free text (an error message, a note, a log line a target echoes). Each form has its rule
# below; a name that designates a credential is decided by one predicate (``_secret_key``),
# for JSON keys, headers and the ``key=value`` / ``key: value`` of free text alike. The rules
# err towards masking: a word too many hidden in a target's message costs readability, a
# credential left in a report travels with it. Every rule is linear in the text's length
# (bounded repeats, anchored starts): the text is the target's, up to megabytes of it.

# words that, ending a key (case, '_', '-', '.' ignored), make its value a credential
SECRET_WORDS = ("password", "passwd", "passphrase", "pwd", "secret", "token", "apikey", "accesskey",
                "authorization", "cookie", "sessionid", "privatekey", "credential", "credentials")
SECRET_PATTERNS = (  # kept as texts: the user's --redact patterns join them, same convention
    # a private key, to its END line or (cut short) to the end of the text
    r"-----BEGIN [A-Z ]{0,40}PRIVATE KEY-----(?:[^-]|-(?!----))*(?:-----END [A-Z ]{0,40}PRIVATE KEY-----)?",
    # an Authorization header written out: its scheme and credentials (Digest's parameters too)
    r"(?i)(\b(?:proxy-)?authori[sz]ation\b[\"']?[ \t]*[:=][ \t]*[\"']?)(?:[a-z][\w-]*[ \t]+)?"
    r"(?:[\w-]+=(?:\"[^\"\r\n]*\"|[^\s,\"]*)(?:[ \t]*,[ \t]*[\w-]+=(?:\"[^\"\r\n]*\"|[^\s,\"]*))*"
    r"|[^\s\"',;]+)",
    r"(?i)(\b(?:set-)?cookie\b[\"']?[ \t]*:[ \t]*)[^\"'\r\n]+",  # a cookie line: all of it
    r"(?i)\b([a-z][a-z0-9+.-]{0,31}://)[^/?#\s@]+(?=@)",  # user:password@ (or a token as user) in a URL
    r"(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*){1,4}",  # a JWT (JWS, JWE, unsigned)
    # no minimum length: a short token is still a token ('Bearer of' loses a word, nothing more)
    r"(?i)\b(bearer[ \t]+)[A-Za-z0-9._~+/=-]+",
)
# Basic credentials: base64 of user:password (checked by decoding, so 'Basic information' stays)
_BASIC = re.compile(r"(?i)\b(basic[ \t]+)([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])")
# key: value and key=value in free text (query strings, logs, JSON written as text); the key is
# at most 64 characters and starts a word, which keeps the scan linear
_KEYED = re.compile(r"(?<![\w.-])([\w.-]{1,64})[\"']?[ \t]*[:=][ \t]*")
_VALUE = re.compile(r"\"[^\"\r\n]*\"|'[^'\r\n]*'|[^\"'&\s,;}<>]+")
MASK = "<redacted>"
T = TypeVar("T")


@functools.lru_cache(maxsize=4096)  # keys repeat: every record, every line of a log
def _secret_key(key: str) -> bool:
    """A header, a JSON field or a text's key whose value is a credential, whatever it holds
    (``userPassword``, ``X-Auth-Token``, ``api_key``, ``client.secret``…)."""
    if key.lower() in SENSITIVE_HEADERS:
        return True
    flat = re.sub(r"[^a-z0-9]", "", key.lower())
    return flat.endswith(SECRET_WORDS)


def _basic(m: re.Match[str]) -> str:
    token = m.group(2)
    try:
        decoded = base64.b64decode(token + "=" * (-len(token) % 4), validate=True)
    except ValueError:
        decoded = b""
    return m.group(1) + MASK if b":" in decoded or len(token) >= 12 else m.group(0)


def _mask_keyed(text: str) -> str:
    """Every ``key=value`` / ``key: value`` of ``text`` whose key names a credential, masked
    (quotes kept); a key that does not is skipped without swallowing what follows it."""
    out: list[str] = []
    last = 0
    for m in _KEYED.finditer(text):
        if m.start() < last or not _secret_key(m.group(1)):
            continue
        value = _VALUE.match(text, m.end())
        if value is None or value.group().strip("\"'") == MASK:
            continue
        quote = value.group()[0] if value.group()[0] in "\"'" else ""
        out += [text[last:m.end()], quote, MASK, quote]
        last = value.end()
    return "".join(out) + text[last:] if out else text


def _variants(value: str) -> set[str]:
    """The forms a value takes on its way: as given, NFC, NFD, upper case."""
    out = {value, unicodedata.normalize("NFC", value), unicodedata.normalize("NFD", value)}
    return {v for form in out for v in (form, form.upper())} - {""}


def _date_variants(iso: str) -> dict[str, str]:
    try:
        d = dt.date.fromisoformat(iso)
    except ValueError:
        return {}
    return {d.isoformat(): "", d.strftime("%d/%m/%Y"): "%d/%m/%Y", d.strftime("%d.%m.%Y"): "%d.%m.%Y"}


_DONE_LIMIT = 4096  # texts remembered redacted (a run's memory must not grow with its size)
_DONE_LONGEST = 512  # characters of a text remembered: a long one rarely repeats (a body's)


class Redactor:
    """Masks secrets; learns patient identities and replaces them when ``pseudonymise``."""

    def __init__(self, patterns: Iterable[str] = (), pseudonymise: bool = False,
                 literals: Iterable[str] = ()) -> None:
        exact = [re.escape(v) for v in literals if len(v) >= 4]  # the user's own header values
        self.secrets = [re.compile(p) for p in (*SECRET_PATTERNS, *patterns, *exact)]
        self.pseudonymise = pseudonymise
        self._pseudonyms: dict[str, str] = {}
        self._known: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._rng = random.Random(0)
        self._done: dict[str, str] = {}  # text → redacted (texts repeat: messages, names, URLs)

    def learn(self, patient: Any) -> None:
        """Register a patient (a dict with nomFamille, prenom, ins/nir, dateNaissance)."""
        if not self.pseudonymise or not isinstance(patient, dict):
            return
        key = "|".join(str(patient.get(k)) for k in ("ins", "nomFamille", "prenom", "dateNaissance"))
        if key in self._known:
            return
        self._known.add(key)
        n = len(self._known)
        fake = {"nomFamille": f"PSEUDO{n:03d}", "prenom": f"Prenom{n:03d}"}
        for field, pseudo in fake.items():
            value = patient.get(field)
            if isinstance(value, str) and value.strip():
                for variant in _variants(value.strip()):
                    self._pseudonyms.setdefault(variant, pseudo)
        for field in ("ins", "nir"):
            value = patient.get(field)
            if isinstance(value, str) and value:
                self._pseudonyms.setdefault(value, self._fake_nir())
        born = patient.get("dateNaissance")
        if isinstance(born, str):
            fake_day = dt.date(1900, 1, 1) + dt.timedelta(days=n)
            for form, fmt in _date_variants(born).items():
                self._pseudonyms.setdefault(form, fake_day.strftime(fmt) if fmt else fake_day.isoformat())
        self._pattern = None
        self._done.clear()  # a new identity: what was redacted before may now need more

    def _fake_nir(self) -> str:
        from conformance.identifiers.synthetic import nir

        return nir(self._rng, department="99")

    def _compiled(self) -> re.Pattern[str] | None:
        if self._pattern is None and self._pseudonyms:
            # longest first, whole words only: 'ROUX' must not eat 'ROUXEL'
            alternatives = sorted(self._pseudonyms, key=len, reverse=True)
            self._pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")
        return self._pattern

    def text(self, value: str) -> str:
        """``value`` with secrets masked and (when asked) identities replaced."""
        done = self._done.get(value)
        if done is not None:
            return done
        original = value
        for pattern in self.secrets:
            value = pattern.sub(lambda m: (m.group(1) if m.re.groups else "") + MASK, value)
        value = _mask_keyed(_BASIC.sub(_basic, value))
        names = self._compiled() if self.pseudonymise else None
        if names is not None:
            value = names.sub(lambda m: self._pseudonyms[m.group(1)], value)
        if len(original) > _DONE_LONGEST:  # bounded in size too: 4,096 texts of 16 KB each
            return value
        if len(self._done) >= _DONE_LIMIT:  # bounded: the texts that repeat come back at once
            self._done.clear()
        self._done[original] = value
        return value

    def record(self, value: T) -> T:
        """A frozen record (event, result, page) with every text in it redacted. What redaction
        leaves as it was is shared, not copied: the run's result passes through here whole at
        its end, and three copies of it were the peak of a long run's memory."""
        return cast(T, self._any(value))

    def _any(self, value: Any) -> Any:
        if isinstance(value, Enum) or value is None or isinstance(value, bool | int | float | bytes):
            return value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            names = [f.name for f in dataclasses.fields(value) if f.init and not f.name.startswith("_")]
            changes = {}
            for name in names:
                before = getattr(value, name)
                after = self._any(before)
                if after is not before:
                    changes[name] = after
            return dataclasses.replace(value, **changes) if changes else value
        if isinstance(value, tuple):
            items = [self._any(v) for v in value]
            return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)
        return self.data(value)

    def data(self, value: Any) -> Any:
        """A JSON-like structure with every string redacted (secret headers masked by name);
        the very same object when nothing in it had to change."""
        if isinstance(value, Message):  # its parameters, so that it stays one message by id
            return value.map(self.data)
        if isinstance(value, str):
            redacted = self.text(value)
            return value if redacted == value else redacted
        if isinstance(value, dict):
            pairs = {k: (MASK if _secret_key(str(k)) and v not in (None, "") else self.data(v))
                     for k, v in value.items()}
            return value if all(pairs[k] is v for k, v in value.items()) else pairs
        if isinstance(value, list | tuple):
            items = [self.data(v) for v in value]
            if all(a is b for a, b in zip(items, value, strict=True)):
                return value if isinstance(value, list) else list(value)
            return items
        return value


# --- the redaction stage: every event is redacted here, before any handler sees it ----------

def redact_event(redactor: Redactor, event: Event) -> Event:
    """``event`` with every text a target or a fixture put in it redacted (the one stage that
    every handler, the console included, sits after)."""
    if isinstance(event, StepFinished):
        if event.evidence is not None and isinstance(event.evidence.sent, dict):
            redactor.learn(event.evidence.sent.get("patient"))
        return StepFinished(event.scenario_id, redactor.record(event.result),
                            _evidence(redactor, event.evidence) if event.evidence else None)
    if isinstance(event, RunFinished):
        for sc in event.result.scenarios:  # generated patients, known only now
            if sc.generated and sc.generated.falsifying:
                redactor.learn(sc.generated.falsifying.get("patient"))
        return RunFinished(redactor.record(event.result))
    if isinstance(event, ScenarioFinished):  # its reports are written now: its patient learnt first
        generated = event.result.generated
        if generated and generated.falsifying:
            redactor.learn(generated.falsifying.get("patient"))
        return redactor.record(event)
    if isinstance(event, RunStarted | ScenarioStarted):
        return redactor.record(event)
    return event


def _evidence(redactor: Redactor, ev: StepEvidence) -> StepEvidence:
    return StepEvidence(
        exchanges=tuple(_exchange(redactor, x) for x in ev.exchanges),
        # a page's picture shows the patient: kept only when identities are
        pages=tuple(dataclasses.replace(redactor.record(p), picture=b"") if redactor.pseudonymise
                    else redactor.record(p) for p in ev.pages),
        journal=tuple(redactor.data(list(ev.journal))),
        sent=redactor.data(ev.sent),
        # the DMP copy's PDF prints the patient: kept only when identities are
        copy=b"" if redactor.pseudonymise else ev.copy,
    )


def _exchange(redactor: Redactor, x: Exchange) -> Exchange:
    """The exchange with its URL, request, headers and body redacted; a PDF or image is kept
    as received (its text cannot be rewritten) unless the bundle is pseudonymised, and so is a
    CDA document (the PDF copy inside it). Any other
    body is redacted as text — a JSON answer too broken or too deep to parse included: the
    evidence writer keeps such a body beside the record, as it came."""
    body = x.body
    ctype = x.content_type
    if body:
        try:
            parsed = x.json() if "json" in ctype else None
        except ValueError:
            parsed = None
        if parsed is not None:
            body = json.dumps(redactor.data(parsed), ensure_ascii=False).encode("utf-8")
        elif redactor.pseudonymise and "xml" in ctype:
            body = b""  # a DMP copy carries the printed PDF in base64: identities text cannot reach
        elif not (ctype == "application/pdf" or ctype.startswith("image/")):
            body = redactor.text(body.decode("utf-8", "replace")).encode("utf-8")
        elif redactor.pseudonymise:
            body = b""
    headers = {k: (MASK if _secret_key(k) else redactor.text(v)) for k, v in x.headers.items()}
    return dataclasses.replace(x, url=redactor.text(x.url), request_body=redactor.data(x.request_body),
                               headers=headers, body=body,
                               error=redactor.text(x.error) if x.error else x.error, _json=[])
