"""The one catalogue of check texts: titles, fix hints and messages, in French and English.

The engine speaks English (its messages are what tests and logs read); the report's language
is applied once, by the localisation stage of the reporters' pipeline, so that every report of
a run — console, report.json, JUnit, HTML, summary.md — is in one language. A message is matched
against the English templates below; its variable parts are kept (and translated in turn when
they are messages themselves). ``tests/test_catalogue.py`` keeps the catalogue complete.
"""

from __future__ import annotations

import functools
import re

TITLES_EN: dict[str, str] = {
    "bizone": "Bizone: ALD lines in the top zone only",
    "consent_flag": "Consult returns the consent flag",
    "consent_matches": "Printed consent matches the flag",
    "consent_mention": "Consent paragraph present",
    "consent_sent": "Consent sent in EP4 = the one entered",
    "contains_id": "Search by patient finds the prescription",
    "created": "Nominal creation succeeds and is registered",
    "data_mention": "Data-transmission paragraph present",
    "degraded_paper": "Degraded mode: neither code 2D nor number printed",
    "degraded_reported": "Degraded mode: failure reported, no phantom id, nothing registered",
    "executions_visibility": "Executions visible if and only if the patient does not object",
    "found_by_prescriber": "Search by prescriber finds the prescription",
    "id_alphabet": "Identifier alphabet per the profile",
    "id_format": "Identifier of 18 characters [0-9A-Z]",
    "identifiers_printed": "Printed national identifiers valid",
    "identifiers_sent": "National identifiers sent valid",
    "journal_reconciled": "Journal reconciled: nothing registered the target did not report",
    "legal_right_of_qr": "Legal paragraphs right of the code 2D",
    "line_types": "Every line type round-trips",
    "lines_printed": "Every line printed with posology, duration, renewals",
    "names_intact": "Accented names intact, code point by code point",
    "no_duplicate": "Re-submitting an identifier creates no duplicate",
    "nothing_cut_off": "Nothing printed off the page",
    "nr_printed": "'NR' on every non-reimbursable line, and on no other",
    "number_under_qr": "'e-prescription N°<id>' under the code 2D",
    "only_patient": "Search never returns another patient",
    "page_numbers": "'Page x/y' on every page",
    "patient_identified": "Patient identification",
    "prescriber_identified": "Prescriber identification",
    "prescription_date": "Prescription date",
    "qr_degraded": "Code 2D readable from a degraded scan",
    "qr_payload": "Code 2D content: JSON of schema v2",
    "qr_position": "Code 2D bottom-left",
    "qr_present": "Exactly one decodable code 2D",
    "qr_quiet_zone": "Code 2D quiet zone free of text",
    "qr_size": "Printed size and module size sufficient",
    "qr_values": "Code 2D values = the prescription",
    "rejected": "Invalid input refused locally, nothing sent",
    "replaced_identified": "Replacing doctor: replaced doctor identified",
    "same_as_created": "Consult = creation, field by field",
    "same_id": "Same identifier everywhere",
    "sent_equals_received": "What is sent = what the teleservice receives",
    "substitution_motive": "'Non substituable' followed by MTE, EFG or CIF",
    "unique_ids": "Unique identifiers, concurrency included",
}

# The fuzzer's checks (schemathesis's names; conformance/fuzz.py): their English titles.
FUZZ_TITLES_EN: dict[str, str] = {
    "not_a_server_error": "The API never answers 5xx",
    "object_level_authorization": "No access to someone else's data (object-level authorization)",
    "status_code_conformance": "Status documented in the contract",
    "content_type_conformance": "Media type as the contract says",
    "response_schema_conformance": "Response conforms to the contract's schema",
    "response_headers_conformance": "Headers conform to the contract",
    "positive_data_acceptance": "Input valid per the contract is accepted",
    "negative_data_rejection": "Input invalid per the contract is refused",
    "unsupported_method": "An undeclared method is refused (405 + Allow)",
    "allow_header_conformance": "Allow header conforms",
    "missing_required_header": "A missing required header is refused",
    "ensure_resource_availability": "A created resource is available",
    "use_after_free": "A deleted resource is no longer served",
    "ignored_auth": "Declared authentication is enforced",
}

HINTS_FR: dict[str, str] = {
    "bizone": "imprimer les lignes ALD au-dessus du séparateur « SANS RAPPORT avec l'affection de "
              "longue durée », les autres en dessous",
    "consent_flag": "restituer le consentement enregistré dans la base",
    "consent_matches": "imprimer la mention qui correspond au consentement",
    "consent_mention": "imprimer le paragraphe de consentement dans une formulation acceptée",
    "consent_sent": "transmettre dans EP4 le consentement du patient tel que saisi",
    "contains_id": "interroger EP2 avec le patient et les dates et restituer tous les résultats",
    "created": "enregistrer par EP4 et répondre 201 avec l'identifiant et le statut « enregistree »",
    "data_mention": "imprimer le paragraphe de transmission des données avec le lien ameli.fr",
    "degraded_paper": "imprimer une ordonnance classique : ni code 2D, ni numéro d'e-prescription",
    "degraded_reported": "quand EP4 échoue, répondre statut « non-enregistree » (ou un problème 5xx) "
                         "sans identifiant",
    "executions_visibility": "ne montrer ce qui a été délivré que si le patient ne s'y oppose pas ; "
                             "sinon ne rien montrer",
    "found_by_prescriber": "interroger EP2 par prescripteur et restituer tous les résultats",
    "id_alphabet": "utiliser l'alphabet du profil (source : règle id_alphabet du profil)",
    "id_format": "générer quatre nombres en base 32, 18 caractères en majuscules",
    "identifiers_printed": "imprimer RPPS, AM et FINESS avec leur clé, tels que saisis",
    "identifiers_sent": "transmettre les identifiants tels que saisis, avec leur clé (RPPS, AM, "
                        "FINESS, NIR, CIP13…)",
    "journal_reconciled": "n'enregistrer que ce que l'utilisateur sait enregistré : ne jamais renvoyer "
                          "en silence une prescription en échec, ne jamais enregistrer sans création",
    "legal_right_of_qr": "imprimer les deux paragraphes légaux à droite du code 2D, à sa hauteur",
    "line_types": "prendre en charge de bout en bout chaque type de ligne déclaré dans /about",
    "lines_printed": "imprimer chaque ligne : produit ou acte, posologie, durée ou quantité, "
                     "renouvellements",
    "names_intact": "conserver et transmettre les noms en UTF-8 NFC tels que saisis : ni NFD, ni "
                    "Latin-1, ni troncature",
    "no_duplicate": "reconnaître un identifiant déjà enregistré : le restituer, ne rien enregistrer",
    "nothing_cut_off": "couper ou réduire les noms et lignes longs pour tenir dans la page ; garder "
                       "le code 2D et sa zone de silence dans la zone imprimable",
    "nr_printed": "imprimer « NR » sur chaque ligne non remboursable, et seulement là",
    "number_under_qr": "imprimer « e-prescription » et « N°<id> » juste sous le code 2D",
    "only_patient": "transmettre le critère patient à EP2 et n'en rien filtrer",
    "page_numbers": "imprimer « Page x/y » sur chaque page",
    "patient_identified": "imprimer le nom, le prénom, le sexe et la date de naissance du patient "
                          "(le poids quand il est donné)",
    "prescriber_identified": "imprimer les nom et prénom, la spécialité, le RPPS, l'AM ou le FINESS, "
                             "l'adresse et le téléphone du prescripteur",
    "prescription_date": "imprimer la date de l'ordonnance",
    "qr_degraded": "imprimer le code plus grand (modules plus gros), en noir plein, avec sa zone "
                   "de silence",
    "qr_payload": "encoder en UTF-8 un JSON compact {S:{V:2},D:{ID,P:{N,P,D},M:{RPPS,…}}}",
    "qr_position": "placer le code en bas à gauche de la page",
    "qr_present": "imprimer un code QR (ISO 18004) par page, avec sa zone de silence, en noir plein",
    "qr_quiet_zone": "laisser 4 modules de marge blanche autour du code : éloigner le texte",
    "qr_size": "imprimer le code plus grand (la Cnam l'a agrandi pendant les préséries)",
    "qr_values": "remplir le contenu à partir de la prescription elle-même (id, patient, date de "
                 "naissance, RPPS, AM)",
    "rejected": "valider localement et répondre 4xx problem+json en nommant la règle ; n'appeler "
                "aucun téléservice",
    "replaced_identified": "un médecin remplaçant imprime le nom et le RPPS du médecin remplacé",
    "same_as_created": "conserver et restituer chaque champ tel que saisi (Unicode NFC, sans "
                       "troncature)",
    "same_id": "transmettre l'identifiant inchangé : ni espaces retirés, ni casse changée, ni "
               "identifiant régénéré",
    "sent_equals_received": "transmettre à EP4 exactement ce que le médecin a saisi : aucune "
                            "conversion",
    "substitution_motive": "faire suivre chaque « Non substituable » de sa justification MTE, EFG "
                           "ou CIF",
    "unique_ids": "dériver les identifiants d'un compteur ou d'un aléa, pas de l'horloge seule",
}

# English message template -> French. {0}, {1}… are the variable parts.
MESSAGES_FR: dict[str, str] = {
    # consent
    "EP4 received {0}": "EP4 a reçu {0}",
    "consult returns {0}": "la consultation restitue {0}",
    "no consent flag in the creation": "pas de consentement dans la création",
    "no EP4 call for this prescription": "aucun appel EP4 pour cette prescription",
    "EP4 received another consent flag than the one entered":
        "EP4 a reçu un autre consentement que celui saisi",
    "consult returns another consent flag": "la consultation restitue un autre consentement",
    "execution data shown although the patient objected":
        "exécutions affichées alors que le patient s'y est opposé",
    "nothing dispensed in this scenario: the consult has no execution to show or hide":
        "rien n'a été délivré dans ce scénario : la consultation n'a aucune exécution à montrer ou "
        "masquer",
    "executions hidden (objection)": "exécutions masquées (opposition)",
    "{0} execution(s) shown": "{0} exécution(s) affichée(s)",
    "execution data hidden although the patient did not object":
        "exécutions masquées alors que le patient ne s'y est pas opposé",
    # the step's exchange
    "no response: {0}": "pas de réponse : {0}",
    "no teleservice journal: the target is wired to another teleservice (give --teleservice, "
    "or --accept-unverified)": "pas de journal du téléservice : la cible est reliée à un autre "
                               "téléservice (donner --teleservice, ou --accept-unverified)",
    "no prescription id to compare with (no successful create before, or no --expect-id)":
        "aucun identifiant de prescription auquel comparer (pas de création réussie avant, ou pas "
        "de --expect-id)",
    "the response is not JSON": "la réponse n'est pas du JSON",
    "the response is JSON but says it is not (its content type)":
        "la réponse est du JSON mais dit le contraire (son type de contenu)",
    "paper analysis unavailable": "analyse du papier indisponible",
    "the scan's file states no resolution (DPI): its sizes in mm would be a guess (give the "
    "resolution it was scanned at: inspect paper --dpi N)":
        "le fichier du scan n'indique pas sa résolution (DPI) : ses tailles en mm seraient devinées "
        "(donner la résolution du scan : inspect paper --dpi N)",
    "unexpected HTTP status {0}": "statut HTTP inattendu {0}",
    "unexpected HTTP status {0}: {1}": "statut HTTP inattendu {0} : {1}",
    "no paper: {0}": "pas de papier : {0}",
    "unreadable paper: {0}": "papier illisible : {0}",
    "paper too large to read: {0}": "papier trop gros pour être lu : {0}",
    "paper too slow to read: {0}": "papier trop long à lire : {0}",
    # why a paper cannot be read (PaperError)
    "the file is empty": "le fichier est vide",
    "the PDF has no page": "le PDF n'a aucune page",
    "the PDF has {0} pages (limit {1})": "le PDF a {0} pages (limite {1})",
    "page {0} is too large to render ({1} pt)": "la page {0} est trop grande pour être rendue ({1} pt)",
    "the PDF's compressed streams inflate beyond {0} bytes (a decompression bomb?)":
        "les flux compressés du PDF dépassent {0} octets une fois décompressés (une bombe de "
        "décompression ?)",
    "image over the limit of {0} pixels (a decompression bomb?)":
        "image au-delà de la limite de {0} pixels (une bombe de décompression ?)",
    "the PDF is encrypted (password protected): print it without a password":
        "le PDF est chiffré (protégé par mot de passe) : l'imprimer sans mot de passe",
    "not a readable PDF ({0})": "pas un PDF lisible ({0})",
    "not a readable image ({0})": "pas une image lisible ({0})",
    "neither a PDF nor a PNG/JPEG image (unknown signature {0})":
        "ni un PDF ni une image PNG/JPEG (signature inconnue {0})",
    "reading it used more than {0} s of CPU": "sa lecture a demandé plus de {0} s de CPU",
    "reading it took more than {0} s": "sa lecture a pris plus de {0} s",
    "reading it needs more than {0} MiB of memory": "sa lecture demande plus de {0} Mio de mémoire",
    "the reader was killed (out of memory?) reading it":
        "le lecteur a été tué en le lisant (mémoire épuisée ?)",
    "the reader crashed on it ({0}; memory limit {1} MiB)":
        "le lecteur a planté en le lisant ({0} ; limite de mémoire {1} Mio)",
    "the reader failed on it ({0})": "le lecteur a échoué en le lisant ({0})",
    "page {0} is {1} pt, over the largest page a PDF may have ({2} pt, 5.08 m)":
        "la page {0} mesure {1} pt, plus que la plus grande page qu'un PDF puisse avoir ({2} pt, 5,08 m)",
    "its structure is nested too deeply to read": "sa structure est trop imbriquée pour être lue",
    "the run is stopping": "l'exécution s'arrête",
    # degraded mode, journal
    "failure reported (HTTP {0}, statut {1}), nothing registered":
        "échec signalé (HTTP {0}, statut {1}), rien d'enregistré",
    "classic ordonnance: no code 2D, no number": "ordonnance classique : ni code 2D ni numéro",
    "{0} EP4 registration(s), each reported registered; {1} creation(s) reported not registered "
    "stayed so": "{0} enregistrement(s) EP4, chacun annoncé enregistré ; {1} création(s) annoncée(s) "
                 "non enregistrée(s) le sont restées",
    "no code 2D (no text layer: the number could not be looked for)":
        "pas de code 2D (pas de couche texte : le numéro n'a pas pu être cherché)",
    "the teleservice registered something": "le téléservice a enregistré quelque chose",
    "a code 2D is printed although nothing was registered":
        "un code 2D est imprimé alors que rien n'a été enregistré",
    "no creation in the run": "aucune création dans la campagne",
    "{0} EP4 registration(s) under an id no creation reported as registered, first {1}":
        "{0} enregistrement(s) EP4 sous un identifiant qu'aucune création n'a annoncé enregistré, "
        "le premier {1}",
    "reported as registered although the teleservice failed":
        "annoncée enregistrée alors que le téléservice a échoué",
    "a phantom identifier was given although nothing was registered":
        "un identifiant fantôme a été donné alors que rien n'a été enregistré",
    "unexpected answer while the teleservice fails": "réponse inattendue pendant l'échec du téléservice",
    "failure reported; that nothing was registered is not verifiable: {0}":
        "échec signalé ; qu'aucun enregistrement n'ait eu lieu n'est pas vérifiable : {0}",
    "an e-prescription number or label is printed in degraded mode":
        "un numéro ou la mention e-prescription est imprimé en mode dégradé",
    # the footer: code 2D, number, legal paragraphs
    "page {0}, x {1}–{2} mm, y {3}–{4} mm": "page {0}, x {1}–{2} mm, y {3}–{4} mm",
    "one code 2D on {0} of {1} page(s)": "un code 2D sur {0} des {1} page(s)",
    "payload valid against schema v2": "contenu conforme au schéma v2",
    "code 2D bottom-left": "code 2D en bas à gauche",
    "{0} mm, module {1} mm": "{0} mm, module de {1} mm",
    "{0} modules clear around the code": "{0} modules libres autour du code",
    "legal paragraphs right of the code": "paragraphes légaux à droite du code",
    "N°{0} under the code": "N°{0} sous le code",
    "present on page {0}": "présente en page {0}",
    "printed consent matches the flag": "la mention imprimée correspond au consentement",
    "{0} page(s) numbered": "{0} page(s) numérotée(s)",
    "decoded in {0} of the {1} frames tried, {2} of {3} needed ({4})":
        "décodé sur {0} des {1} images dégradées essayées, {2} sur {3} requises ({4})",
    "mention missing or incomplete": "mention absente ou incomplète",
    "no consent paragraph in an accepted wording": "aucun paragraphe de consentement dans une "
                                                   "formulation acceptée",
    "no code 2D decoded (QR-01 reports it)": "aucun code 2D décodé (QR-01 le signale)",
    "payload is not UTF-8 (QR-02 reports it)": "contenu non UTF-8 (QR-02 le signale)",
    "payload is not a JSON object (QR-02 reports it)": "le contenu n'est pas un objet JSON (QR-02 "
                                                       "le signale)",
    "payload is not JSON (QR-02 reports it)": "le contenu n'est pas du JSON (QR-02 le signale)",
    "no decodable code 2D on the paper": "aucun code 2D décodable sur le papier",
    "more than one code 2D on a page": "plus d'un code 2D sur une page",
    "pages carry different codes 2D": "les pages portent des codes 2D différents",
    "the code 2D payload is not UTF-8: scanners guess another charset (Latin-1 'À' reads as "
    "Shift_JIS 'ﾀ')": "le contenu du code 2D n'est pas en UTF-8 : les lecteurs devinent un autre "
                      "jeu de caractères (le « À » Latin-1 se lit « ﾀ » en Shift_JIS)",
    "payload breaks the v2 schema at {0}: {1}": "le contenu enfreint le schéma v2 en {0} : {1}",
    "no create step before this one: nothing to compare the payload with":
        "aucune création avant cette étape : rien à quoi comparer le contenu",
    "{0} payload value(s) differ": "{0} valeur(s) du contenu diffèrent",
    "payload values equal the prescription": "les valeurs du contenu sont celles de la prescription",
    "payload values equal the prescription (names padded with spaces: {0}; information only)":
        "les valeurs du contenu sont celles de la prescription (noms complétés d'espaces : {0} ; "
        "pour information)",
    "no text layer (a scan): text checks need a PDF with text":
        "pas de couche texte (un scan) : les vérifications du texte demandent un PDF avec texte",
    "consent flag unknown (no create step before, or no --consent)":
        "consentement inconnu (pas de création avant, ou pas de --consent)",
    "the printed consent contradicts the flag": "la mention imprimée contredit le consentement",
    "a one-line prescription takes several pages": "une prescription d'une ligne occupe plusieurs pages",
    "the code 2D no longer decodes reliably from a degraded scan":
        "le code 2D ne se décode plus de façon fiable sur un scan dégradé",
    "the code 2D does not hold JSON": "le code 2D ne contient pas de JSON",
    "the code 2D is not in the bottom-left area": "le code 2D n'est pas en bas à gauche",
    "code 2D {0} mm wide": "code 2D de {0} mm de côté",
    "modules of {0} mm": "modules de {0} mm",
    "no text layer (a scan)": "pas de couche texte (un scan)",
    "no legal paragraph found (PAP-02/PAP-03 report it)": "aucun paragraphe légal trouvé "
                                                          "(PAP-02/PAP-03 le signalent)",
    "'e-prescription' not printed under the code 2D": "« e-prescription » n'est pas imprimé sous "
                                                      "le code 2D",
    "no number printed under the code 2D": "aucun numéro imprimé sous le code 2D",
    "the printed number differs from the identifier": "le numéro imprimé diffère de l'identifiant",
    "no consent paragraph (PAP-03 reports it)": "aucun paragraphe de consentement (PAP-03 le signale)",
    "page {0} has no page number": "la page {0} n'a pas de numéro de page",
    "cannot degrade this paper: {0}": "ce papier ne peut pas être dégradé : {0}",
    "text inside the quiet zone of the code 2D": "du texte dans la zone de silence du code 2D",
    "a legal paragraph is not to the right of the code 2D": "un paragraphe légal n'est pas à droite "
                                                            "du code 2D",
    # identifiers
    "{0} matches {1}": "{0} correspond à {1}",
    "alphabet as the profile says": "alphabet conforme au profil",
    "code 2D carries {0}": "le code 2D porte {0}",
    "{0} distinct identifiers": "{0} identifiants distincts",
    "consult returned {0}": "la consultation a restitué {0}",
    "no altered identifier in the results": "aucun identifiant altéré dans les résultats",
    "creation failed (RT-01 reports it)": "la création a échoué (RT-01 le signale)",
    "the create response is not an object": "la réponse à la création n'est pas un objet",
    "not registered (degraded mode): no identifier expected":
        "non enregistrée (mode dégradé) : aucun identifiant attendu",
    "no identifier in the create response": "aucun identifiant dans la réponse à la création",
    "identifier {0} does not match {1}": "l'identifiant {0} ne correspond pas à {1}",
    "characters outside the profile alphabet: {0} ({1})": "caractères hors de l'alphabet du "
                                                          "profil : {0} ({1})",
    "the code 2D carries another identifier": "le code 2D porte un autre identifiant",
    "{0} of {1} concurrent creations failed": "{0} des {1} créations simultanées ont échoué",
    "{0} identifiers given twice among {1}": "{0} identifiants donnés deux fois parmi {1}",
    "the identifier sent in EP4 differs from the one returned":
        "l'identifiant transmis dans EP4 diffère de celui restitué",
    "consult returned another identifier": "la consultation a restitué un autre identifiant",
    "search returned the identifier altered": "la recherche a restitué l'identifiant altéré",
    # nothing cut off
    "page {0} ({1}×{2} mm): x {3}–{4} mm, y {5}–{6} mm": "page {0} ({1}×{2} mm) : x {3}–{4} mm, "
                                                         "y {5}–{6} mm",
    "{0} text run(s) and the code 2D inside the page": "{0} segment(s) de texte et le code 2D dans "
                                                       "la page",
    "a scan: what the printer cut off cannot be seen on it":
        "un scan : ce que l'imprimante a coupé n'y est pas visible",
    "{0} item(s) in the unprintable margin, first: {1}": "{0} élément(s) dans la marge non "
                                                         "imprimable, le premier : {1}",
    "{0} is printed off the page": "{0} est imprimé hors de la page",
    "text {0}": "le texte {0}",
    "the code 2D with its quiet zone": "le code 2D avec sa zone de silence",
    "{0} within {1} mm of the edge, {2}": "{0} à moins de {1} mm du bord, {2}",
    # mentions
    "prescriber identified ({0} fields)": "prescripteur identifié ({0} champs)",
    "patient identified": "patient identifié",
    "dated {0}": "datée du {0}",
    "{0} line(s) printed in full": "{0} ligne(s) imprimée(s) en entier",
    "{0} mention(s), each justified": "{0} mention(s), chacune justifiée",
    "{0} line(s) in the right zone": "{0} ligne(s) dans la bonne zone",
    "replaced doctor {0} identified": "médecin remplacé {0} identifié",
    "NR on the {0} non-reimbursable line(s) only": "NR sur les {0} ligne(s) non remboursable(s) "
                                                   "seulement",
    "no non-reimbursable line, no NR on the {0} line(s)": "aucune ligne non remboursable, aucun NR "
                                                          "sur les {0} ligne(s)",
    "no create step before this one: nothing to compare the printout with":
        "aucune création avant cette étape : rien à quoi comparer l'imprimé",
    "the prescriber has neither AM nor FINESS in the creation":
        "le prescripteur n'a ni AM ni FINESS dans la création",
    "{0} prescriber field(s) not printed, first {1}": "{0} champ(s) du prescripteur non imprimé(s), "
                                                      "le premier {1}",
    "{0} patient field(s) not printed, first {1}": "{0} champ(s) du patient non imprimé(s), le "
                                                   "premier {1}",
    "no prescription date to compare with (the creation gave none and its registration day is "
    "unknown)": "aucune date de prescription à laquelle comparer (la création n'en donnait pas et "
                "son jour d'enregistrement est inconnu)",
    "the prescription date is not printed": "la date de prescription n'est pas imprimée",
    "{0} line field(s) not printed, first {1}": "{0} champ(s) de ligne non imprimé(s), le premier {1}",
    "a non-substitutable line is printed without the mention":
        "une ligne non substituable est imprimée sans la mention",
    "no non-substitutable line": "aucune ligne non substituable",
    "no ALD line: single-zone ordonnance": "aucune ligne ALD : ordonnance à une zone",
    "ALD lines printed without the bizone layout": "lignes ALD imprimées sans la présentation bizone",
    "not a replacement": "pas un remplacement",
    "the replaced doctor is not identified": "le médecin remplacé n'est pas identifié",
    "{0} label(s) with 'NR' wrong, first {1}": "{0} libellé(s) avec un « NR » erroné, le premier {1}",
    "{0}: NR missing on {1} line(s)": "{0} : NR absent sur {1} ligne(s)",
    "{0}: NR on {1} reimbursable line(s)": "{0} : NR sur {1} ligne(s) remboursable(s)",
    "'Non substituable' printed without its justification":
        "« Non substituable » imprimé sans sa justification",
    "line {0} not found on the paper": "ligne {0} introuvable sur le papier",
    "{0} printed in the wrong zone": "{0} imprimée dans la mauvaise zone",
    "line {0} not found on the paper (PAP-08 reports it)":
        "ligne {0} introuvable sur le papier (PAP-08 le signale)",
    # names
    "names unchanged in {0}": "noms inchangés dans {0}",
    "no create step before this one": "aucune création avant cette étape",
    "{0} name(s) changed: {1}": "{0} nom(s) modifié(s) : {1}",
    "no EP4 call for this prescription (RT-01 reports it)":
        "aucun appel EP4 pour cette prescription (RT-01 le signale)",
    "payload without patient names (QR-02 reports it)": "contenu sans noms du patient (QR-02 le "
                                                        "signale)",
    # national identifiers
    "{0} identifier(s) {1}, all valid": "{0} identifiant(s) {1}, tous valides",
    "test data with an invalid key passed through: {0}": "donnée de test à clé invalide transmise "
                                                         "telle quelle : {0}",
    "invalid identifier {0}: {1} {2} ({3})": "identifiant invalide {0} : {1} {2} ({3})",
    "no RPPS, AM or FINESS printed": "aucun RPPS, AM ou FINESS imprimé",
    # round trips
    "{0}: every created field unchanged": "{0} : chaque champ créé est inchangé",
    "{0} created and registered": "{0} créée et enregistrée",
    "{0} found among {1} result(s)": "{0} trouvée parmi {1} résultat(s)",
    "{0} result(s), all of patient {1}": "{0} résultat(s), tous du patient {1}",
    "rejected locally with {0}": "refusée localement avec {0}",
    "{0} line type(s) round-trip: {1}": "{0} type(s) de ligne font l'aller-retour : {1}",
    "re-submission of {0}: HTTP {1}, nothing registered": "nouvelle soumission de {0} : HTTP {1}, "
                                                          "rien d'enregistré",
    "{0} is not an object": "{0} n'est pas un objet",
    "{0} field(s) differ between the creation and {1}": "{0} champ(s) diffèrent entre la création "
                                                        "et {1}",
    "the prescription is not reported as registered": "la prescription n'est pas annoncée enregistrée",
    "the teleservice never registered this prescription (no accepted EP4 call)":
        "le téléservice n'a jamais enregistré cette prescription (aucun appel EP4 accepté)",
    "no EP4 call received for this prescription": "aucun appel EP4 reçu pour cette prescription",
    "no 'resultats' list in the search response": "pas de liste « resultats » dans la réponse à la "
                                                  "recherche",
    "search did not return {0}": "la recherche n'a pas restitué {0}",
    "search without a patient criterion": "recherche sans critère patient",
    "{0} result(s) of another patient": "{0} résultat(s) d'un autre patient",
    "line types {0} are in scope per profile {1}: no rejection expected":
        "les types de ligne {0} sont dans le périmètre selon le profil {1} : aucun refus attendu",
    "invalid input was not rejected": "la saisie invalide n'a pas été refusée",
    "the rejection does not name the expected rule": "le refus ne nomme pas la règle attendue",
    "the invalid input reached the teleservice": "la saisie invalide a atteint le téléservice",
    "no 'lignes' list in the consult response": "pas de liste « lignes » dans la réponse à la "
                                                "consultation",
    "line type {0} does not round-trip": "le type de ligne {0} ne fait pas l'aller-retour",
    "the body carries no id: not a re-submission": "le corps ne porte pas d'identifiant : pas une "
                                                   "nouvelle soumission",
    "the re-submission registered a new prescription": "la nouvelle soumission a enregistré une "
                                                       "nouvelle prescription",
    "{0} created; its registration is not verifiable: {1}": "{0} créée ; son enregistrement n'est "
                                                            "pas vérifiable : {1}",
    "rejected with {0}; that nothing reached the teleservice is not verifiable: {1}":
        "refusée avec {0} ; que rien n'ait atteint le téléservice n'est pas vérifiable : {1}",
    "the re-submission produced another identifier": "la nouvelle soumission a produit un autre "
                                                     "identifiant",
    "unexpected answer to a re-submission: HTTP {0}": "réponse inattendue à une nouvelle "
                                                      "soumission : HTTP {0}",
    "same id {0}; that no duplicate was registered is not verifiable: {1}":
        "même identifiant {0} ; qu'aucun doublon n'ait été enregistré n'est pas vérifiable : {1}",
    # the engine: steps, skips, errors, verdicts
    "not evaluated: {0} ({1} reports it)": "non évalué : {0} ({1} le signale)",
    "not evaluated: ${{{0}}} was not captured by an earlier step ({1})":
        "non évalué : ${{{0}}} n'a été capturé par aucune étape précédente ({1})",
    "not evaluated: ${{{0}}} was not captured by an earlier step":
        "non évalué : ${{{0}}} n'a été capturé par aucune étape précédente",
    "step {0} ({1}) failed": "l'étape {0} ({1}) a échoué",
    "not evaluated: needs {0}": "non évalué : il faut {0}",
    "not evaluated: step {0} ({1}) could not run ({2})": "non évalué : l'étape {0} ({1}) n'a pas pu "
                                                          "s'exécuter ({2})",
    "not evaluated: step {0} ({1}) could not run": "non évalué : l'étape {0} ({1}) n'a pas pu "
                                                    "s'exécuter",
    "needs {0}": "il faut {0}",
    "the teleservice simulator to inject a fault (--teleservice)":
        "le simulateur de téléservice pour injecter une faute (--teleservice)",
    "the teleservice simulator to dispense through EP1 (--teleservice)":
        "le simulateur de téléservice pour délivrer par EP1 (--teleservice)",
    "an EP1 execution, which the simulator refused: HTTP {0}":
        "une exécution EP1, que le simulateur a refusée : HTTP {0}",
    "environment: {0}": "environnement : {0}",
    "harness error in step {0} ({1}): {2}": "erreur du banc à l'étape {0} ({1}) : {2}",
    "harness error in {0}: {1}": "erreur du banc dans {0} : {1}",
    "check {0} does not apply to a {1} step": "la vérification {0} ne s'applique pas à une étape {1}",
    "declared by the scenario, never evaluated": "déclarée par le scénario, jamais évaluée",
    "no check was evaluated": "aucune vérification n'a été évaluée",
    "not applicable: the target does not declare '{0}' in /about":
        "non applicable : la cible ne déclare pas « {0} » dans /about",
    "falsified: {0} run(s) including shrinking; the smallest failing prescription is in "
    "'generated.falsifying'": "mis en défaut : {0} exécution(s) réduction comprise ; la plus petite "
                              "prescription en échec est dans « generated.falsifying »",
    "{0} generated prescription(s), all passed (seed {1})": "{0} prescription(s) générée(s), toutes "
                                                            "réussies (graine {1})",
    "{0} generated request(s), no finding": "{0} requête(s) générée(s), aucun constat",
    "stopped after {0} (--exitfirst)": "arrêt après {0} (--exitfirst)",
    # the fuzzer's fix hints (conformance/fuzz.py)
    "validate every input and answer 4xx problem+json: never let an exception become a 500":
        "valider chaque saisie et répondre 4xx problem+json : qu'aucune exception ne devienne un 500",
    "answer only what the adapter contract declares: accept what it calls valid, refuse what it "
    "calls invalid, with the documented statuses, media types and shapes":
        "ne répondre que ce que déclare le contrat de l'adaptateur : accepter ce qu'il dit valide, "
        "refuser ce qu'il dit invalide, avec les statuts, types de contenu et formes documentés",
    "serve a prescription only to whom it belongs: check the requester on every read":
        "ne servir une prescription qu'à qui elle appartient : vérifier le demandeur à chaque lecture",
}

_TOKEN = re.compile(r"\{\{|\}\}|\{(\d+)\}")


def _tokens(template: str) -> list[str | int]:
    """Literal text and placeholder numbers, '{{' and '}}' read as braces."""
    out: list[str | int] = []
    last = 0
    for match in _TOKEN.finditer(template):
        out.append(template[last:match.start()])
        out.append(int(match.group(1)) if match.group(1) is not None else match.group(0)[0])
        last = match.end()
    out.append(template[last:])
    return out


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], list[str | int]]]:
    """Each English template as an anchored pattern, the most specific (longest literal) first."""
    out = []
    for english, french in MESSAGES_FR.items():
        tokens = _tokens(english)
        regex = "".join(f"(?P<p{t}>.*?)" if isinstance(t, int) else re.escape(t) for t in tokens)
        literal = sum(len(t) for t in tokens if isinstance(t, str))
        out.append((literal, re.compile(f"^{regex}$", re.DOTALL), _tokens(french)))
    return [(pattern, french) for _, pattern, french in sorted(out, key=lambda t: -t[0])]


@functools.lru_cache(maxsize=20_000)  # a run says the same few hundred things many times
def translate(text: str, lang: str, depth: int = 0) -> str:
    """``text`` in ``lang``: English as written, French from the catalogue (the variable parts
    translated in turn when they are messages; unknown text is kept as it is)."""
    if lang != "fr" or not text or depth > 3:
        return text
    for pattern, french in _patterns():
        match = pattern.match(text)
        if match:
            values = {int(k[1:]): translate(v, lang, depth + 1) for k, v in match.groupdict().items()}
            return "".join(values[t] if isinstance(t, int) else t for t in french)
    return text


def known(text: str) -> bool:
    """Whether an English message has its French in the catalogue."""
    return any(pattern.match(text) for pattern, _ in _patterns())


def title(check: str, french: str, lang: str) -> str:
    """A check's title in ``lang`` (the registry's and the fuzzer's are French)."""
    if lang != "en":
        return french
    return TITLES_EN.get(check) or FUZZ_TITLES_EN.get(check, french)


def hint(check: str, english: str, lang: str) -> str:
    """A check's fix hint in ``lang`` (written in English; the fuzzer's through the messages)."""
    return HINTS_FR.get(check) or translate(english, lang) if lang == "fr" else english
