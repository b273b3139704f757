"""greenslate's benchmarks: run them all with ``python -m benchmarks`` (``--quick`` for the CI sizes).

Each benchmark prints its figures and writes them to ``benchmarks/results/<name>.json``. Figures
are compared within one run (ratios), because shared machines are noisy. See docs/benchmarks.md.
"""
