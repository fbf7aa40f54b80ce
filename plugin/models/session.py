"""Sessions ended by *Afmelden* before their cookie expired.

The session lives in a signed cookie; signing out clears it in this browser, and this row
makes sure a copy of the cookie (another tab, a back-up, a stolen value) is refused too until
the session's absolute lifetime would have ended anyway (then the row may be purged)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from plugin.db import Base


class RevokedSession(Base):
    __tablename__ = "revoked_session"

    session_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
