"""The DMP copy (CDA R2, ANS volet eP-MED-DM 2024.01): safe reading, our rules, the ANS rules.

``safexml`` reads a target's bytes under limits (no DTD, no entity, no network, size and depth
checked before any tree is built); ``extract`` turns a tree into a ``CdaRecord`` (the plain,
picklable facts the checks need); ``rules`` are our structural rules (XPath 1.0, lxml);
``ans`` runs a user's checkout of the ANS kit (schematron, CDA schema). Untrusted bytes are
read in the paper sandbox's workers (task ``cda``), never in the harness's own process.
"""
