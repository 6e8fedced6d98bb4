"""The same workload timed on h2odash's embedded engine and on a real H2O-3.

Run ``python -m benchmarks`` (``--help`` for options). The pieces, each its own module:

``generate``  the seeded synthetic data set (CSV under ``benchmarks/data/``, git-ignored)
``split``     its 80/20 train/test files for the model figures (cached next to it)
``servers``   the two servers as child processes, with their resident memory
``workload``  timed client calls shared by figures (import + parse, training and scoring,
              all with steady 50 ms job polling)
``figures``   what is measured: one object per report row; add new figures here
``runner``    the protocol: load, check, repeat alternating servers, collect
``report``    best/median/ratio per figure, the Markdown table and the JSON results file
"""
