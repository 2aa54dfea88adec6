"""`python -m syncer` runs the command line, as the `phasesync` script does."""

from syncer.cli import main

main()
