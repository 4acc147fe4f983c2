"""Identifier validators: keys, lengths, Corsica, overseas, public examples."""

from __future__ import annotations

import pytest

from conformance.identifiers import ean13_key, guess_kind, luhn_valid, nir_key, validate
from tests.helpers import identifiers_in


def test_nir_key_plain_and_corsica() -> None:
    assert nir_key("2770775123456") == 59
    # Corsica: 2A counts as 19, 2B as 18 in the key computation
    assert nir_key("285032A004321") == 97 - int("2850319004321") % 97
    assert nir_key("285032B004321") == 97 - int("2850318004321") % 97


@pytest.mark.parametrize("value", ["277077512345659", "285032A00432167", "190119741234583"])
def test_valid_nirs(value: str) -> None:
    assert validate("nir", value).valid


@pytest.mark.parametrize(("value", "reason"), [
    ("277077512345658", "wrong key 58: expected 59"),
    ("27707751234565", "15 characters"),
    ("977077512345659", "sex"),
])
def test_invalid_nirs_say_why(value: str, reason: str) -> None:
    result = validate("nir", value)
    assert not result.valid
    assert reason in result.reason


def test_luhn_on_rpps_and_am() -> None:
    assert luhn_valid("10000000017")
    assert validate("rpps", "10000000017").valid
    bad = validate("rpps", "10000000018")
    assert not bad.valid and "last digit should be 7" in bad.reason
    assert not validate("rpps", "1000000001").valid
    assert validate("am", "101000016").valid


def test_public_sampleidentifiers_in() -> None:
    # The DevBox-Santé sample's numbers satisfy Luhn, as observed on official test data
    assert validate("rpps", "99900023138").valid
    assert validate("rpps", "99900007487").valid
    assert validate("am", "991000696").valid
    assert validate("prescription-id", "03UE8SP00UGBYH4JF7").valid
    assert validate("prescription-id", "01S2TBPZ2JCNZZYGHZ").valid
    assert not validate("prescription-id", "01S2TBPZ2JCNZZYGH").valid
    assert "found 's'" in validate("prescription-id", "01s2TBPZ2JCNZZYGHZ").reason


def test_finess() -> None:
    assert validate("finess", "330000043").valid
    assert "expected 3" in validate("finess", "330000046").reason
    assert validate("finess", "2A0000001").kind == "finess"
    assert not validate("finess", "33000004").valid


def test_ean13() -> None:
    assert ean13_key("340093000001") == 4
    assert validate("cip13", "3400930000014").valid
    assert "expected 4" in validate("cip13", "3400930000015").reason
    assert not validate("ucd13", "3400930000014").valid  # UCD starts with 34008


@pytest.mark.parametrize(("value", "kind"), [
    ("03UE8SP00UGBYH4JF7", "prescription-id"), ("277077512345659", "nir"),
    ("10000000017", "rpps"), ("101000016", "am"), ("3400930000014", "cip13"),
    ("1106240", "lpp"), ("1104", "nabm"), ("2A0000001", "finess"), ("hello", None),
])
def test_guess_kind(value: str, kind: str | None) -> None:
    assert guess_kind(value) == kind


GENERATORS = ["nir", "rpps", "am", "finess", "cip13", "ucd13", "lpp", "nabm"]


@pytest.mark.parametrize("kind", GENERATORS)
def test_generated_identifiers_are_valid_and_reproducible(kind: str) -> None:
    import random

    from conformance.identifiers import synthetic

    make = getattr(synthetic, kind)
    values = [make(random.Random(seed)) for seed in range(2000)]
    invalid = [v for v in values if not validate(kind, v).valid]
    assert not invalid, invalid[:3]
    assert values == [make(random.Random(seed)) for seed in range(2000)]  # same seed, same value
    assert len(set(values)) > 100  # and not a constant


def test_generated_nir_for_corsica_and_overseas() -> None:
    import random

    from conformance.identifiers import synthetic

    rng = random.Random(7)
    corsican = synthetic.nir(rng, sex=2, born="1990-04-12", department="2B")
    assert corsican[:7] == "290042B" and validate("nir", corsican).valid
    overseas = synthetic.nir(rng, sex=1, born="1985-11-02", department="974")
    assert overseas[:8] == "18511974" and validate("nir", overseas).valid


def test_every_fixture_identifier_is_valid() -> None:
    import yaml

    from conformance.paths import PROJECT

    found = []
    for file in sorted((PROJECT / "fixtures").rglob("*.yaml")):
        for where, kind, value in identifiers_in(yaml.safe_load(file.read_text(encoding="utf-8"))):
            found.append((f"{file.name}{where}", validate(kind, value)))
    assert len(found) > 20
    assert [(w, v.value, v.reason) for w, v in found if not v.valid] == []
