"""The dashboard's speed in a real browser: ``python -m benchmarks.ui`` drives ``h2odash app`` in
headless chromium through issue 13's journey and prints the figures (see ``__main__``).

``processes``  the embedded engine and ``h2odash app --h2o <engine>`` as child processes
``probe``      what is read from the page: chart draws, long tasks, heap and main-thread time
               (Chrome DevTools Protocol), websocket frames decoded (widgets made, bytes, the
               kernel's busy time)
``journey``    the user's actions and when the page they lead to is *ready*
``run``        the protocol, the table and the JSON results file

It is not a test (speed is a benchmark here): pytest never collects ``benchmarks/``.
"""
