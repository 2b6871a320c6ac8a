"""The demo estate of ``make demo``: shipped snapshots, runbooks and an ownership file, and the
scripts that regenerate them (:mod:`demo.scenario`) and load them (:mod:`demo.load`)."""
