"""``python -m clusteratlas.cli``."""

from clusteratlas.cli import main

main()
