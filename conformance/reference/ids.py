"""Prescription identifiers: four numbers in base 32, 18 characters, unique under concurrency."""

from __future__ import annotations

import secrets
import threading
import time

# Base-32 digits without I, L, O and U: unambiguous when printed and read back.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def b32(number: int, width: int) -> str:
    """``number`` in base 32, left-padded with zeros to ``width`` digits."""
    digits = []
    for _ in range(width):
        number, rem = divmod(number, 32)
        digits.append(ALPHABET[rem])
    if number:
        raise ValueError(f"number does not fit in {width} base-32 digits")
    return "".join(reversed(digits))


class IdGenerator:
    """installation (4) + milliseconds (9) + counter (3) + random (2) = 18 characters."""

    def __init__(self, installation: int | None = None, coarse_clock: bool = False) -> None:
        self._installation = installation if installation is not None else secrets.randbelow(32**4)
        self._coarse = coarse_clock
        self._counter = 0
        self._lock = threading.Lock()

    def new(self) -> str:
        """A fresh identifier."""
        if self._coarse:  # the duplicate-ids fault: a one-second clock and nothing else
            return b32(self._installation, 4) + b32(int(time.time()), 9) + "00000"
        with self._lock:
            self._counter = (self._counter + 1) % 32**3
            counter = self._counter
        millis = int(time.time() * 1000) % 32**9
        return (
            b32(self._installation, 4)
            + b32(millis, 9)
            + b32(counter, 3)
            + b32(secrets.randbelow(32**2), 2)
        )
