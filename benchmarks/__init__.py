"""Benchmarks: how fast crm_tui is on a large demo database, next to a floor
measured in the same run. Run `python benchmarks/run.py`; see README.md here."""
