from enum import IntEnum


class DelCall(IntEnum):
    KEEP = 0
    DELETE = 1

    def __str__(self) -> str:
        return str(self.value)
