"""`make bench`: the synthetic city, the hello yardstick, the runner and the profiler (issue 16).

Never part of `make test`; only tests/unit/test_bench_seed.py imports `bench.city` and `bench.seed`.
"""
