import sys

try:
    from lab_runner.cli import main
except ModuleNotFoundError as err:  # run by a Python without lab_runner's dependencies: exit 2
    print(
        f"lab_runner: error: this Python lacks {err.name}: run ./bootstrap.sh, then "
        ".venv/bin/python -m lab_runner (or 'source .venv/bin/activate' first)",
        file=sys.stderr,
    )
    sys.exit(2)

sys.exit(main())
