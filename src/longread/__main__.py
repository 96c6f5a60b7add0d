"""``python -m longread``: the same as the ``longread`` command."""

import sys

from .cli import main

sys.exit(main())
