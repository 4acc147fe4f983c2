"""The reference's vectorised mask choice gives segno's own QR codes, bit for bit."""

from __future__ import annotations

import random
import string

import pytest
import segno
from segno import encoder

from conformance.reference import qrmask


def _both(text: str, error: str) -> tuple[segno.QRCode, segno.QRCode]:
    assert qrmask.install()
    fast = segno.make(text, error=error, micro=False, boost_error=False)
    encoder.find_and_apply_best_mask = qrmask._ORIGINAL
    try:
        slow = segno.make(text, error=error, micro=False, boost_error=False)
    finally:
        encoder.find_and_apply_best_mask = qrmask.best_mask
    return fast, slow


@pytest.mark.parametrize("seed", range(4))
def test_same_mask_and_modules_as_segno_on_every_version_range(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = string.ascii_letters + string.digits + '{}":,éè° '
    versions = set()
    for _ in range(40):
        length = rng.choice([1, 8, 30, 90, 200, 400, 800])  # h holds about 1,200 bytes at most
        text = "".join(rng.choice(alphabet) for _ in range(length))
        fast, slow = _both(text, rng.choice("lmqh"))
        assert (fast.version, fast.mask, fast.matrix) == (slow.version, slow.mask, slow.matrix)
        versions.add(fast.version)
    assert len(versions) >= 5  # small and large symbols alike


def test_every_mask_wins_somewhere_so_all_eight_candidates_are_scored() -> None:
    rng = random.Random(7)
    masks = set()
    for _ in range(300):
        fast, slow = _both("".join(rng.choice(string.ascii_uppercase) for _ in range(40)), "l")
        assert fast.mask == slow.mask
        masks.add(fast.mask)
    assert masks == set(range(8))


def test_an_imposed_mask_and_micro_codes_are_left_to_segno() -> None:
    assert qrmask.install()
    assert segno.make("12345", micro=True).is_micro
    assert segno.make("e-prescription", mask=3, micro=False).mask == 3
