from enum import IntEnum


class TaskOperate(IntEnum):
    START = 1
    PAUSE = 2
    FINISH = 3

    def __str__(self) -> str:
        return str(self.value)
