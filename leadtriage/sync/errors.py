"""What can go wrong talking to the team server, in words a rep can act on."""

from __future__ import annotations

from leadtriage.errors import UserError


class TeamError(UserError):
    """A team problem the user can fix or must know about (exit 2, nothing written)."""


class Offline(TeamError):
    """The server cannot be reached; local work goes on and waits in the outbox."""


class AccessRevoked(TeamError):
    """The server no longer lets this person in (removed from the team, or the
    password changed)."""


class NotJoined(TeamError):
    pass
