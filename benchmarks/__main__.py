"""``python -m benchmarks --sizes 100,1000``: print the benchmark table."""

import sys

from benchmarks.run import main

sys.exit(main())
