"""Entry point of the bundled app (PyInstaller runs this file as `__main__`).

`freeze_support()` must come first: big demo databases are generated in a spawn
process pool, and in a bundle each worker process is this same executable started
with multiprocessing's arguments; freeze_support turns it into a worker instead of a
second copy of the app.
"""

import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from leadtriage.cli import main

    raise SystemExit(main())
