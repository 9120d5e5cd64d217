from leadtriage.cli import main

if __name__ == "__main__":  # the import helper process re-imports this module; it must not run the CLI
    raise SystemExit(main())
