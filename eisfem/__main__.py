from eisfem.cli import main

raise SystemExit(main())
