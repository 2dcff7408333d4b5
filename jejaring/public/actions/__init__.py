"""The public side's actions, one module per part (``reports``, ``complaints``)."""
