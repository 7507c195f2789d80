from enum import IntEnum


class TaskStatus(IntEnum):
    PENDING = 1
    RUNNING = 2
    COMPLETED = 3
    FINISHED = 4
    PAUSED = 5

    def __str__(self) -> str:
        return str(self.value)
