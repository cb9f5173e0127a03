from wirereader.cli import main

raise SystemExit(main())
