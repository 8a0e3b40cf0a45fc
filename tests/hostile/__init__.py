"""A seeded generator of hostile inputs and a runner that audits them through the library API
(issue 12). ``tests/test_hostile_generated.py`` runs a sample in CI; ``benchmarks/bench_hostile.py``
runs the full set and prints the counts."""
