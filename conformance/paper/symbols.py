"""The one symbology an ordonnance carries, QR Code model 2 (ISO/IEC 18004), and the one way the
paper reader asks zxing-cpp for it (the page analysis, QR-06's degraded scans, ``inspect qr``).

zxing-cpp 3 made ``BarcodeFormat.QRCode`` the whole QR family: asked for it, the decoder also
returns Micro QR and rMQR symbols, and now and then finds a Micro QR inside the modules of the
real code (1–3 % of conforming pages at 200 dpi), which QR-01 would count as a second code.
"""

from __future__ import annotations

from typing import Any

# Symbologies of the QR family an ordonnance never carries (zxing-cpp's format names): a
# symbol of these is a decoder's artefact or a sticker, never "another code on the page".
NOT_AN_ORDONNANCE_CODE = ("MicroQRCode", "RMQRCode")


def qr_format(zxingcpp: Any) -> Any:
    """zxing-cpp's format for QR Code model 2 alone, whatever zxing-cpp is installed."""
    formats = zxingcpp.BarcodeFormat
    # 3.x names model 2 on its own; 2.x has no such name, and its QRCode is models 1 and 2
    # only (Micro QR and rMQR are formats of their own there), which is what we want
    return getattr(formats, "QRCodeModel2", None) or formats.QRCode


def _family(barcode: Any) -> str:
    """The format's enum name ('QRCode', 'MicroQRCode'), not its text ('QR Code')."""
    fmt = getattr(barcode, "format", None)
    return str(getattr(fmt, "name", fmt) or "")


def read_qr_codes(image: Any) -> list[Any]:
    """The QR codes (model 2) zxing-cpp decodes in ``image`` (a NumPy array or a PIL image),
    each a ``zxingcpp.Barcode``; no Micro QR, no rMQR, no other symbology."""
    import zxingcpp

    found = zxingcpp.read_barcodes(image, formats=qr_format(zxingcpp))
    # the format asked for already leaves the rest of the family out; this keeps a zxing-cpp
    # that would widen a format's meaning again (as 3.0 did) from counting them as codes
    return [b for b in found if _family(b) not in NOT_AN_ORDONNANCE_CODE]
