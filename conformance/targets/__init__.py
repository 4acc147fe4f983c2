"""HTTP access to the target (adapter API) and to the teleservice simulator's control API."""

from __future__ import annotations

from conformance.targets.http import Exchange, HttpTarget, Limits
from conformance.targets.teleservice import TeleserviceControl

__all__ = ["Exchange", "HttpTarget", "Limits", "TeleserviceControl"]
