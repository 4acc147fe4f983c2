"""segno's choice of a QR code's data mask, vectorised with NumPy: the same eight candidates,
the same penalty rules N1–N4 (ISO/IEC 18004:2015 §7.8.3), the same winner, bit for bit.

segno scores each mask in pure Python: 70 % of the time the reference spends printing a
paper. ``install()`` replaces segno's ``find_and_apply_best_mask`` by ``best_mask`` only after
checking, on sample codes of several versions, that both give identical matrices; otherwise
segno keeps its own. Micro QR codes and an imposed mask go to segno's function unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import segno
from segno import encoder

N3_PATTERN = np.array([1, 0, 1, 1, 1, 0, 1], dtype=np.uint8)
_ORIGINAL: Callable[..., tuple[int, Any]] = encoder.find_and_apply_best_mask
_LOCK = threading.Lock()
_REGIONS: dict[int, np.ndarray] = {}  # width → encoding region (True where a mask applies)
_PATTERNS: dict[int, np.ndarray] = {}  # width → the 8 mask patterns, shape (8, w, w)


def _region(width: int) -> np.ndarray:
    region = _REGIONS.get(width)
    if region is None:
        segno_encoder: Any = encoder  # untyped
        function = segno_encoder.make_matrix(width, width)
        segno_encoder.add_finder_patterns(function, width, width)
        segno_encoder.add_alignment_patterns(function, width, width)
        function[-8][8] = 0x1
        region = np.array([list(row) for row in function], dtype=np.uint8) > 0x1
        _REGIONS[width] = region
    return region


def _patterns(width: int) -> np.ndarray:
    patterns = _PATTERNS.get(width)
    if patterns is None:
        i, j = np.indices((width, width))
        rules: tuple[Callable[[np.ndarray, np.ndarray], np.ndarray], ...] = (
            lambda i, j: (i + j) % 2 == 0,
            lambda i, j: i % 2 == 0,
            lambda i, j: j % 3 == 0,
            lambda i, j: (i + j) % 3 == 0,
            lambda i, j: (i // 2 + j // 3) % 2 == 0,
            lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
            lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
        )
        patterns = np.stack([rule(i, j) for rule in rules])
        _PATTERNS[width] = patterns
    return patterns


def _n1(lines: np.ndarray) -> np.ndarray:
    """Per candidate: runs of five or more equal modules in the lines (rows, or columns
    transposed), each scoring its length minus 2. ``lines``: (k, n, n)."""
    k, n, _ = lines.shape
    fence = np.full((k, n, 1), 255, dtype=np.int16)  # no run crosses from one line to the next
    flat = np.concatenate([fence, lines.astype(np.int16), fence], axis=2).reshape(-1)
    starts = np.flatnonzero(np.diff(flat) != 0) + 1
    runs = np.diff(starts)
    owner = starts[:-1] // (n * (n + 2))  # the candidate each run belongs to
    return np.bincount(owner, weights=np.where(runs >= 5, runs - 2, 0), minlength=k).astype(np.int64)


def _n3(lines: np.ndarray) -> int:
    """segno's N3 on one candidate's lines (n, n): the 1:1:3:1:1 pattern with four light
    modules before or after it (or at an edge), searched left to right as segno does."""
    n = lines.shape[1]
    windows = np.lib.stride_tricks.sliding_window_view(lines, 7, axis=1)
    rows, starts = np.nonzero((windows == N3_PATTERN).all(axis=2))
    score = 0
    resume: dict[int, int] = {}
    seqs: dict[int, bytes] = {}
    for row, idx in zip(rows.tolist(), starts.tolist(), strict=True):
        if idx < resume.get(row, 0):
            continue  # inside a pattern already counted: segno's search resumed further on
        seq = seqs.get(row)
        if seq is None:
            seq = seqs[row] = lines[row].tobytes()  # bytes: any() on a few modules, no NumPy call
        end = idx + 7
        if idx in (0, n - 7) or not any(seq[max(idx - 4, 0):idx]) or not any(seq[end:min(end + 4, n)]):
            score += 40
            resume[row] = end
        else:
            resume[row] = idx + 4
    return score


def _scores(candidates: np.ndarray) -> np.ndarray:
    """segno's ``evaluate_mask`` of each candidate, (k, n, n) → (k,)."""
    n = candidates.shape[1]
    columns = candidates.transpose(0, 2, 1)
    n1 = _n1(candidates) + _n1(columns)
    here = candidates[:, 1:, 1:]
    n2 = 3 * ((here == candidates[:, 1:, :-1]) & (here == candidates[:, :-1, 1:])
              & (here == candidates[:, :-1, :-1])).sum(axis=(1, 2))
    n3 = np.array([_n3(c) + _n3(t) for c, t in zip(candidates, columns, strict=True)])
    dark = candidates.astype(np.int64).sum(axis=(1, 2))
    n4 = np.array([10 * int(abs(float(d) / n**2 * 100 - 50) / 5) for d in dark.tolist()])
    return np.asarray(n1 + n2 + n3 + n4)


def best_mask(matrix: Any, width: int, height: int,
              proposed_mask: int | None = None) -> tuple[int, Any]:
    """``encoder.find_and_apply_best_mask``, same arguments, same result."""
    if proposed_mask is not None or width != height or width < 21:
        return _ORIGINAL(matrix, width, height, proposed_mask)
    base = np.array([list(row) for row in matrix], dtype=np.uint8)
    flips = (_patterns(width) & _region(width)).astype(np.uint8)
    candidates = base[None, :, :] ^ flips
    scores = _scores(candidates)
    best = int(np.argmin(scores))  # the first of equal scores, as segno's strict comparison
    return best, tuple(bytearray(row.tobytes()) for row in candidates[best])


def _same(payload: str, error: str) -> bool:
    fast = segno.make(payload, error=error, micro=False, boost_error=False)
    encoder.find_and_apply_best_mask = _ORIGINAL
    try:
        slow = segno.make(payload, error=error, micro=False, boost_error=False)
    finally:
        encoder.find_and_apply_best_mask = best_mask
    return fast.mask == slow.mask and fast.matrix == slow.matrix


def install() -> bool:
    """Use ``best_mask`` in segno when it gives segno's own codes on samples; True if in use."""
    with _LOCK:
        if encoder.find_and_apply_best_mask is best_mask:
            return True
        encoder.find_and_apply_best_mask = best_mask
        samples = [("e-prescription", "l"), ('{"A":"0123456789ABCDEFGH","V":"2"}' * 6, "l"),
                   ("Ordonnance numérique " * 30, "m")]
        try:
            agreed = all(_same(text, error) for text, error in samples)
        except Exception:  # another segno than the one this was written against
            agreed = False
        if not agreed:
            encoder.find_and_apply_best_mask = _ORIGINAL
        return agreed
