"""On-demand benchmarks. `python -m benchmarks [name ...]` runs them and prints a table."""
