"""PyInstaller entry script (a plain script: the package's __main__ uses relative imports)."""

import sys

from arxconsole.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
