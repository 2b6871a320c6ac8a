"""``python -m app`` runs the authmap command line."""

from app.cli import main

main()
