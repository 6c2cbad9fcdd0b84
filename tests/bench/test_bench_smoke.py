"""The benchmark still runs end to end: one repetition, tiny counts (history is left out:
every other figure signs in, which is what it measures), the network figure on one
profile.

Timings are not asserted (the machine may be busy); only that every figure produced
numbers for every client it measures, that no page reported an error, that no message
went missing or twice, and that a repeat visit takes the page from the browser's caches.
"""

from bench.run import Options, run, table


def test_every_figure_yields_numbers_for_each_client(browser, playwright, directus_factory):
    server = directus_factory()
    options = Options(reps=1, figures=("startup", "network", "latency", "burst", "memory",
                                       "scrollback", "search"),
                      latency_messages=3, burst_messages=20, memory_messages=20,
                      history_messages=1200,  # more than a sign-in reads
                      profiles=("broadband",))
    result = run(options, directus_url=server.url, page_server=server.page_server,
                 browser=browser, playwright=playwright)

    assert result["problems"] == []
    figures = result["figures"]
    assert len(figures) == 11
    for figure, metrics in figures.items():
        python = "Python" in figure or "interpreter" in figure
        ours_only = figure.startswith(("scrollback", "search"))
        for metric, row in metrics.items():
            clients = ["ours"]
            if not (python or "Python" in metric or ours_only):  # the reference has neither
                clients.append("python-hello" if python else "reference")
            for client in clients:
                assert isinstance(row[client]["median"], float | int), (figure, metric, client)
    for shape in ("batch", "singly"):
        burst = figures[f"burst of 20, {shape}"]
        assert burst["missing"]["ours"]["max"] == burst["duplicates"]["ours"]["max"] == 0
    first, repeat = (figures[f"broadband, {visit} visit"]["page's files on the wire (kB)"]
                     ["ours"]["median"] for visit in ("first", "repeat"))
    assert repeat < first / 100  # the runtime came from the caches
    assert figures["scrollback through 1,200"]["missing"]["ours"]["max"] == 0
    assert "scroll to top -> older page shown (ms)" in figures["scrollback through 1,200"]
    assert figures["search in 1,200"]["hits on the first page"]["ours"]["max"] == 12
    assert "| navigation -> form usable (ms) | cold |" in table(figures)
