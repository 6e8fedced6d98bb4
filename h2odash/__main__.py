import sys

from h2odash.cli import main

sys.exit(main())
