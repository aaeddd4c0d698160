"""What every screen needs to know about the session: who, with what settings."""

from __future__ import annotations

from dataclasses import dataclass

from crm_tui.config import Config
from crm_tui.models import User


@dataclass
class Session:
    """The signed-in user, the settings, and whether this session may write."""

    user: User
    config: Config
    readonly: bool = False
