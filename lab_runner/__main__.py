from lab_runner.cli import main

raise SystemExit(main())
