"""Benchmarks and their management commands.

The speed targets of the platform live here, never in timed tests. The apps never
import this package: a benchmark imports the pure algorithms (and, for end-to-end
figures, the services) it measures, and reports ratios measured in one run.
Results are recorded in docs/BENCHMARKS.md.
"""
