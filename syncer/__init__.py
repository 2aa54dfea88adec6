"""phasesync: keep phase planning documents and a forge in step."""

__version__ = "0.1.0"
