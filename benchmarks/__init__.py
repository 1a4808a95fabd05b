"""Benchmarks for govkg: synthetic corpus generator and the `make bench` runner."""
