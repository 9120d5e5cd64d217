from leadtriage.cli import main

raise SystemExit(main())
