class InfinStorError(Exception):
    """A view, path or setup problem, with a message that names the fix."""


class NotInView(InfinStorError, FileNotFoundError):
    """No such file or folder in the view (at that time, over that slice, in that label)."""
