"""A fault that every retry meets again, logged when it starts and when it ends."""

from __future__ import annotations

import logging

from .const import LOGGER


class FailureLog:
    """Logs a failure once while it lasts, and once when things work again.

    A full disk or a server that is down is retried with every change or
    poll; a line per retry would bury the one fault under copies of itself.
    """

    def __init__(
        self, failed: str, recovered: str, *, level: int = logging.ERROR
    ) -> None:
        """``failed`` is a format with one ``%s``, for the failure."""
        self._failed = failed
        self._recovered = recovered
        self._level = level
        self.failing = False

    def report(self, failure: Exception | None) -> None:
        """Tell how the latest attempt went: its failure, or ``None``."""
        if failure is not None and not self.failing:
            LOGGER.log(self._level, self._failed, failure)
        elif failure is None and self.failing:
            LOGGER.info(self._recovered)
        self.failing = failure is not None
