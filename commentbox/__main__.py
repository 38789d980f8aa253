from commentbox.cli import main

raise SystemExit(main())
