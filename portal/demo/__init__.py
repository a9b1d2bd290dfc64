"""The demo data of `make run` and its seeding: imported only by the `seed-demo` CLI command."""
