"""The paper checks and the reasons a paper cannot be read speak both languages: each text is a
``Message`` whose English is today's wording and whose French is rendered from its id — also
when the reason comes back from a sandbox worker."""

from __future__ import annotations

import pickle
import signal
from collections.abc import Iterator
from typing import Any

import pytest

from conformance.checks import ExchangeFailed, Failed, Warned
from conformance.messages import Message
from conformance.paper import PaperError
from conformance.paper.sandbox import MIB, Limits, Sandbox, _death
from conformance.paper.texts import PAPER
from tests.helpers import example_body
from tests.test_paper_checks import GOOD, HEADER, ald_body, bizone_header, page, payload, run_check, without


def fr(value: Any) -> str:
    assert isinstance(value, Message), value
    return value.render("fr")


def test_a_failed_check_renders_in_french_and_keeps_its_english() -> None:
    with pytest.raises(Failed) as none:
        run_check("qr_present", page(None))
    assert none.value.message == "no decodable code 2D on the paper"
    assert fr(none.value.message) == "aucun code 2D décodable sur le papier"
    assert (fr(none.value.expected), fr(none.value.observed)) == ("un code 2D", "aucun décodé")

    with pytest.raises(Failed) as small:
        run_check("qr_size", page(payload(), size=14))
    assert fr(small.value.message).startswith("code 2D de 14")
    assert fr(small.value.observed).endswith(" mm)") and "(page 1, x " in small.value.observed

    with pytest.raises(Failed) as field:
        run_check("prescriber_identified", page(payload(), header=without("specialty")))
    # the specialty line also carries the AM number: both are missing
    assert field.value.message == "2 prescriber field(s) not printed, first specialite: " \
                                  "'Médecine générale'"
    assert fr(field.value.message) == ("2 champ(s) du prescripteur non imprimé(s), le premier "
                                       "specialite : 'Médecine générale'")
    assert fr(field.value.diff[0]).startswith("specialite : '")

    with pytest.raises(Failed) as zone:
        run_check("bizone", page(payload(), header=bizone_header(False)), created=ald_body())
    assert fr(zone.value.message).endswith("imprimée dans la mauvaise zone")
    assert fr(zone.value.expected) == "1 dans la zone haute (ALD), 0 en dessous"


def test_a_cut_off_line_and_a_near_one_are_named_in_french() -> None:
    off = {**HEADER, "off": (195, 50, "Texte qui sort de la page")}
    with pytest.raises(Failed) as cut:
        run_check("nothing_cut_off", page(payload(), header=off))
    assert cut.value.message == "text 'Texte qui sort de la page' is printed off the page"
    assert fr(cut.value.message) == "le texte 'Texte qui sort de la page' est imprimé hors de la page"
    assert fr(cut.value.observed).startswith("page 1 (210×297 mm) : x 195.")
    near = {**HEADER, "near": (3, 50, "Au bord")}
    with pytest.raises(Warned) as edge:
        run_check("nothing_cut_off", page(payload(), header=near))
    assert fr(edge.value.message).startswith("1 élément(s) dans la marge non imprimable, le "
                                             "premier : le texte 'Au bord' à moins de ")


def test_a_passing_check_says_so_in_french() -> None:
    degraded = run_check("qr_degraded", GOOD)
    assert "Gaussian blur" in degraded and "flou gaussien" in fr(degraded)
    undated = example_body()
    del undated["dateOrdonnance"]
    dated = run_check("prescription_date", GOOD, created=undated, days={"2026-11-24", "2026-11-25"})
    assert dated == "dated 2026-11-24 or 2026-11-25"
    assert fr(dated) == "datée du 2026-11-24 ou 2026-11-25"
    assert fr(run_check("data_mention", GOOD)) == "présente en page 1"


def test_why_a_paper_cannot_be_read_is_a_message_in_the_step_failure() -> None:
    with pytest.raises(ExchangeFailed) as empty:
        run_check("qr_present", b"")
    assert empty.value.message == "unreadable paper: the file is empty"
    assert fr(empty.value.message) == "papier illisible : le fichier est vide"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    box = Sandbox(1, Limits(memory_bytes=1024 * MIB, cpu_seconds=3, deadline_seconds=4.0))
    yield box
    box.close()


def test_the_reason_survives_the_worker_boundary_as_a_message(sandbox: Sandbox) -> None:
    with pytest.raises(PaperError) as gif:
        sandbox.analyse(b"GIF89a")
    assert isinstance(gif.value.message, Message) and gif.value.message.id == "paper.unknown_signature"
    assert gif.value.kind == "unreadable"
    assert fr(gif.value.message) == "ni un PDF ni une image PNG/JPEG (signature inconnue b'GIF89a')"


def test_a_paper_error_pickles_with_its_kind_and_a_death_names_its_signal() -> None:
    error = pickle.loads(pickle.dumps(PaperError(PAPER("cpu", seconds=3), "timeout")))
    assert error.kind == "timeout" and fr(error.message) == "sa lecture a demandé plus de 3 s de CPU"
    crash = _death(-signal.SIGSEGV, Limits(memory_bytes=1024 * MIB))
    assert crash.message == "the reader crashed on it (signal SIGSEGV; memory limit 1024 MiB)"
    assert fr(crash.message) == ("le lecteur a planté en le lisant (signal SIGSEGV ; limite de "
                                 "mémoire 1024 Mio)")
