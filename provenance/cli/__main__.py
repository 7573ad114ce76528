"""``python -m provenance.cli``: what ``provenance review --serve`` runs for each browser tab."""

from provenance.cli import main

main()
