"""``python -m common.production_file --schema`` prints the JSON Schema; ``... FILE...`` checks files."""

from common.production_file import main

raise SystemExit(main())
