from wirereader.cli import run

raise SystemExit(run())
