from enum import StrEnum


class ImportBatchCallContentEncoding(StrEnum):
    GZIP = "gzip"

    def __str__(self) -> str:
        return str(self.value)
