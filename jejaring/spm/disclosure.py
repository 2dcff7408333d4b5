"""Statistical disclosure control for the public SPM pages.

Any count of fewer than 5 people is suppressed. Because a table also shows its total,
a single suppressed cell could be recovered by subtraction: then the next smallest
cell is suppressed as well (complementary suppression), so at least two cells hide
together. A total under 5 suppresses the whole table.
"""

from __future__ import annotations

THRESHOLD = 5


def suppress(values: list[int], total: int) -> tuple[list[int | None], int | None]:
    """Return the values and total to publish; None means suppressed."""
    if total < THRESHOLD:
        return [None] * len(values), None
    hidden = {i for i, v in enumerate(values) if v < THRESHOLD}
    if len(hidden) == 1:
        visible = sorted((v, i) for i, v in enumerate(values) if i not in hidden)
        if visible:
            hidden.add(visible[0][1])
    return [None if i in hidden else v for i, v in enumerate(values)], total
