"""Exceptions that carry a message for the user.

The command line turns a `UserError` into its message and exit code at one boundary
(`cli.main`); nothing deeper prints or exits.
"""

from __future__ import annotations


class ScenarioKitError(Exception):
    """Base class of every error the toolchain raises on purpose."""


class UserError(ScenarioKitError):
    """Something the user can fix: the message says what and how.

    `exit_code` follows the documented convention: 1 for problems found, 2 for usage errors.
    """

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
