"""What the reading of a CDA document says (refusals, the PDF copy's problems, the ANS rules'
engine), in both report languages. Declared here, imported by the worker that reads and by the
harness that reports, so that a message crossing the sandbox's boundary is known on both sides."""

from __future__ import annotations

from conformance.messages import Messages, Text

READ = Messages("cda.read", {
    "too_large": Text("le document pèse {size} Mio, au-delà de la limite de {limit} Mio",
                      "the document weighs {size} MiB, over the limit of {limit} MiB"),
    "forbidden": Text("le document déclare une DTD ou une entité (<!DOCTYPE>, <!ENTITY>) : refusé "
                      "sans être lu, un document CDA n'en a pas",
                      "the document declares a DTD or an entity (<!DOCTYPE>, <!ENTITY>): refused "
                      "unread, a CDA document has none"),
    "too_deep": Text("éléments imbriqués sur plus de {depth} niveaux",
                     "elements are nested more than {depth} deep"),
    "not_xml": Text("XML mal formé ({error})", "not well-formed XML ({error})"),
    "not_xml_at": Text("XML mal formé ({error}, ligne {line}, colonne {column})",
                       "not well-formed XML ({error}, line {line}, column {column})"),
    "root": Text("l'élément racine doit être ClinicalDocument dans {want}, et non {name} dans "
                 "{namespace}",
                 "the root element must be ClinicalDocument in {want}, not {name} in {namespace}"),
    "no_namespace": Text("aucun espace de noms", "no namespace"),
    "no_copy": Text("le document n'a pas de copie PDF (section FR-Document-PDF-copie)",
                    "the document has no PDF copy (section FR-Document-PDF-copie)"),
    "copies": Text("{count} copies PDF au lieu d'une", "{count} PDF copies instead of one"),
    "not_b64": Text("la copie PDF n'est pas en base64 (representation=\"B64\")",
                    "the PDF copy is not in base64 (representation=\"B64\")"),
    "bad_b64": Text("la copie PDF n'est pas du base64 valide", "the PDF copy is not valid base64"),
})

ANS = Messages("cda.ans", {
    "no_saxon": Text("SaxonC-HE n'est pas installé (pip install 'epresc-conformance[cda]')",
                     "SaxonC-HE is not installed (pip install 'epresc-conformance[cda]')"),
    "unverified": Text("SaxonC-HE n'est pas installé (pip install 'epresc-conformance[cda]') et "
                       "ce jeu de règles (sha256 {digest}) n'a jamais été vérifié sur lxml",
                       "SaxonC-HE is not installed (pip install 'epresc-conformance[cda]') and "
                       "this rule set (sha256 {digest}) was never verified on lxml"),
    "lxml": Text("lxml {version} XSLT 1 (jeu de règles vérifié identique à SaxonC-HE)",
                 "lxml {version} XSLT 1 (rule set verified identical to SaxonC-HE)"),
})

__all__ = ["ANS", "READ"]
