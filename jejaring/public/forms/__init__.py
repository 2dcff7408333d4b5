"""The public side's forms, one module per part (``reports``, ``complaints``)."""
