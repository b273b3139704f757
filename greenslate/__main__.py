"""``python -m greenslate`` is the ``greenslate`` command."""

from greenslate.cli import main

main()
