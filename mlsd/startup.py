"""What the kit's own processes skip at start, so that a command answers sooner.

``jsonschema``, which ``nbformat`` imports to validate notebooks, imports the ``rfc3987-syntax``
package, when it is installed, for its ``iri`` and ``iri-reference`` format checkers, and that
package builds an Earley parser of RFC 3987 as it is imported: about one second in every process
that reads a notebook (``mlsd run``, ``sweep``, ``grade`` and each submission's grader, ``explore``).
No notebook schema uses those formats, so :func:`skip_iri_parser` blocks the import in these
processes (an entry of ``None`` in ``sys.modules`` makes the import fail, and ``jsonschema`` then
registers no checker for the two formats). Kernels and a learner's own Python are not affected.
"""

from __future__ import annotations

import sys

IRI_PARSER = "rfc3987_syntax"


def skip_iri_parser() -> None:
    """Make ``import rfc3987_syntax`` fail in this process, unless it is imported already."""
    sys.modules.setdefault(IRI_PARSER, None)
