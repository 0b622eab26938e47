"""``python -m shiftleft.schemas``: regenerate the published JSON schemas."""

from shiftleft.schemas import write_all

write_all()
