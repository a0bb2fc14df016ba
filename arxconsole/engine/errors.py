"""The one base class for problems a user can act on.

Front ends print these as a plain message (CLI: stderr + exit 1; GUI: a dialog) and
never as a traceback; anything else is a bug and goes to the log with its traceback.
"""


class UserError(Exception):
    """A problem with the user's input or environment; the message names what and where."""
