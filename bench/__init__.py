"""The benchmark: ``python -m bench`` prints a table of throughputs and latencies beside the same
run's raw baselines (docs/benchmarks.md)."""
