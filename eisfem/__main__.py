from eisfem.cli.main import main

raise SystemExit(main())
