"""An input error of the bilan: which file, where in it, what is wrong and what to do."""

from __future__ import annotations


class BilanInputError(Exception):
    """Located like Hurl's errors: ``file:line:column: message`` then ``= how to fix it``."""

    def __init__(self, file: str, message: str, fix: str = "", line: int | None = None,
                 column: int | str | None = None) -> None:
        super().__init__(message)
        self.file, self.message, self.fix, self.line, self.column = file, message, fix, line, column

    def render(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        return text + (f"\n  = {self.fix}" if self.fix else "")
