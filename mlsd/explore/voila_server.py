"""``python -m mlsd.explore.voila_server ARGS``: Voilà's own command, started as the kit's commands
start (:func:`mlsd.startup.skip_iri_parser`), so that it answers in about half a second, not one
and a half. Everything else is ``voila ARGS``."""

from __future__ import annotations

import sys

from mlsd.startup import skip_iri_parser

if __name__ == "__main__":
    skip_iri_parser()
    from voila.app import main

    sys.argv[0] = "voila"
    sys.exit(main())
