"""Benchmarks (`make bench`): each figure printed beside a baseline run in the same process."""
