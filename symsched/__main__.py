from .cli import main

# Guarded so that importing this module (e.g. pytest --doctest-modules) does not run the CLI.
if __name__ == "__main__":
    raise SystemExit(main())
