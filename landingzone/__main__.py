from landingzone.cli import main

raise SystemExit(main())
