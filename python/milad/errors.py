"""The package's one exception type."""


class MiladError(ValueError):
    """A failure reported by libmilad (or by this package's own checks of array shapes and types).

    ``str(error)`` is the library's one-line message; ``status`` is its status code: 1 for invalid input (unknown
    species, NaN positions, a singular cell, a fingerprint of the wrong length, an unreadable model file), 2 for an
    internal error of the library, 3 for a buffer too small, 0 when the check was made in Python.
    """

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status
