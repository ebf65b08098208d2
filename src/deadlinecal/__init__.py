"""deadlinecal: dated YAML of application windows -> subscribable iCalendar feeds."""

__version__ = "0.1.0"
