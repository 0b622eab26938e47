import sys

from shiftleft.cli import main

sys.exit(main())
