"""A minimal progress bar on stderr, for imports of large files."""

from typing import Any

BAR_WIDTH = 30


class ProgressBar:
    """Redraws one stderr line as `[#####.....] done/total`; silent for small jobs."""

    def __init__(self, stream: Any, label: str, *, min_total: int = 1000) -> None:
        self.stream = stream
        self.label = label
        self.min_total = min_total
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_total:
            return
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total}", ending="")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.drawn:
            self.stream.write("")
