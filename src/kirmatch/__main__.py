"""``python -m kirmatch``: the same as the ``kirmatch`` command."""

from kirmatch.cli import main

raise SystemExit(main())
