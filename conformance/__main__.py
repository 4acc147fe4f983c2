"""Allow ``python -m conformance``."""

from __future__ import annotations

from conformance.cli.main import main

main()
