"""Why a paper cannot be read, in both report languages: the ``PAPER`` messages a
``PaperError`` carries (from the analysis, the degraded scan and the sandbox's workers).

A worker sends its ``Message`` back to the parent as it is (a ``Message`` pickles by id and
parameters); the parent imports this table with ``conformance.paper``, so the id is known there.
"""

from __future__ import annotations

from conformance.messages import Messages, Text

PAPER = Messages("paper", {
    # the file itself
    "empty": Text("le fichier est vide", "the file is empty"),
    "unknown_signature": Text("ni un PDF ni une image PNG/JPEG (signature inconnue {signature})",
                              "neither a PDF nor a PNG/JPEG image (unknown signature {signature})"),
    "not_pdf": Text("pas un PDF lisible ({error})", "not a readable PDF ({error})"),
    "not_image": Text("pas une image lisible ({error})", "not a readable image ({error})"),
    "encrypted": Text("le PDF est chiffré (protégé par mot de passe) : l'imprimer sans mot de passe",
                      "the PDF is encrypted (password protected): print it without a password"),
    "no_page": Text("le PDF n'a aucune page", "the PDF has no page"),
    # over a size limit
    "inflation": Text("les flux compressés du PDF dépassent {limit} octets une fois décompressés "
                      "(une bombe de décompression ?)",
                      "the PDF's compressed streams inflate beyond {limit} bytes (a decompression "
                      "bomb?)"),
    "pages": Text("le PDF a {count} pages (limite {limit})",
                  "the PDF has {count} pages (limit {limit})"),
    "page_side": Text("la page {page} mesure {size} pt, plus que la plus grande page qu'un PDF "
                      "puisse avoir ({limit} pt, 5,08 m)",
                      "page {page} is {size} pt, over the largest page a PDF may have ({limit} pt, "
                      "5.08 m)"),
    "page_pixels": Text("la page {page} est trop grande pour être rendue ({size} pt)",
                        "page {page} is too large to render ({size} pt)"),
    "image_pixels": Text("image au-delà de la limite de {limit} pixels (une bombe de "
                         "décompression ?)",
                         "image over the limit of {limit} pixels (a decompression bomb?)"),
    # what a worker's limits or death say of the paper
    "memory": Text("sa lecture demande plus de {mib} Mio de mémoire",
                   "reading it needs more than {mib} MiB of memory"),
    "nested": Text("sa structure est trop imbriquée pour être lue",
                   "its structure is nested too deeply to read"),
    "reader_failed": Text("le lecteur a échoué en le lisant ({error})",
                          "the reader failed on it ({error})"),
    "cpu": Text("sa lecture a demandé plus de {seconds} s de CPU",
                "reading it used more than {seconds} s of CPU"),
    "killed": Text("le lecteur a été tué en le lisant (mémoire épuisée ?)",
                   "the reader was killed (out of memory?) reading it"),
    "exit_code": Text("code de sortie {code}", "exit code {code}"),
    "signal": Text("signal {signal}", "signal {signal}"),
    "crashed": Text("le lecteur a planté en le lisant ({how} ; limite de mémoire {mib} Mio)",
                    "the reader crashed on it ({how}; memory limit {mib} MiB)"),
    "deadline": Text("sa lecture a pris plus de {seconds} s", "reading it took more than {seconds} s"),
    "stopping": Text("l'exécution s'arrête", "the run is stopping"),
    # OCR (Tesseract, optional)
    "ocr_missing": Text("OCR non installé (Tesseract : paquets Debian {packages})",
                        "OCR not installed (Tesseract: Debian packages {packages})"),
    "ocr_timeout": Text("l'OCR (Tesseract) a pris plus de {seconds} s",
                        "OCR (Tesseract) took more than {seconds} s"),
    "ocr_no_answer": Text("Tesseract ne répond pas ({how}) : réinstallez {packages}",
                          "Tesseract does not answer ({how}): reinstall {packages}"),
    "ocr_no_model": Text("Tesseract n'a pas de modèle français (paquet Debian {package})",
                         "Tesseract has no French model (Debian package {package})"),
    "ocr_failed": Text("l'OCR (Tesseract) a échoué ({how})", "OCR (Tesseract) failed ({how})"),
    # QR-06's degraded scan
    "degradation": Text("{dpi} dpi, rotations {angles}, flou gaussien {blur} px",
                        "{dpi} dpi, rotated {angles}, Gaussian blur {blur} px"),
})
