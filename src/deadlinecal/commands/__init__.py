"""The click commands beside `build` (which lives in cli.py with the group)."""
