from enum import IntEnum


class TaskStatus(IntEnum):
    PENDING = 1
    RUNNING = 2
    COMPLETED = 3
    FINISHED = 4
    PAUSED = 5

    def __str__(self) -> str:
        return str(self.value)

    @classmethod
    def _missing_(cls, value: object) -> "TaskStatus | None":
        """A value the spec does not list (the service added one): a pseudo-member named UNKNOWN_<value>
        that keeps it, so that a response carrying it can still be read. Only ints (not bools) qualify;
        any other type still raises ValueError. The pseudo-member is not added to the class."""
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        member = int.__new__(cls, value)
        member._name_ = f"UNKNOWN_{value}"
        member._value_ = value
        return member
