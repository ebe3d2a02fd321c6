"""Allow ``python -m govstats``."""

import sys

from govstats.cli import main

sys.exit(main())
