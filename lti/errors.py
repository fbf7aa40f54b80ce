"""Why a login or launch is refused (shared by the protocol modules and the views)."""

from __future__ import annotations

from typing import Any


class LaunchRejected(Exception):
    """An invalid login or launch. ``kind`` picks the Dutch explanation shown to the user."""

    def __init__(self, reason: str, kind: str = "invalid", status: int = 400, **extra: Any):
        super().__init__(reason)
        self.reason, self.kind, self.status, self.extra = reason, kind, status, extra
