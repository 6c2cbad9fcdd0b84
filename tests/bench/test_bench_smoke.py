"""The benchmark still runs end to end: one repetition, tiny counts (history is left out:
every other figure signs in, which is what it measures).

Timings are not asserted (the machine may be busy); only that every figure produced
numbers for every client it measures, that no page reported an error, and that no
message went missing or twice.
"""

from bench.run import Options, run, table


def test_every_figure_yields_numbers_for_each_client(browser, directus_factory):
    server = directus_factory()
    options = Options(reps=1, figures=("startup", "latency", "burst", "memory", "scrollback",
                                       "search"),
                      latency_messages=3, burst_messages=20, memory_messages=20,
                      history_messages=1200)  # more than a sign-in reads
    result = run(options, directus_url=server.url, page_url=server.page_url, browser=browser)

    assert result["problems"] == []
    figures = result["figures"]
    assert len(figures) == 9
    for figure, metrics in figures.items():
        python = "Python" in figure or "interpreter" in figure
        ours_only = figure.startswith(("scrollback", "search"))  # the reference has neither
        for metric, row in metrics.items():
            for client in ("ours",) if ours_only else (
                    "ours", "python-hello" if python else "reference"):
                assert isinstance(row[client]["median"], float | int), (figure, metric, client)
    for shape in ("batch", "singly"):
        burst = figures[f"burst of 20, {shape}"]
        assert burst["missing"]["ours"]["max"] == burst["duplicates"]["ours"]["max"] == 0
    assert figures["scrollback through 1,200"]["missing"]["ours"]["max"] == 0
    assert "scroll to top -> older page shown (ms)" in figures["scrollback through 1,200"]
    assert figures["search in 1,200"]["hits on the first page"]["ours"]["max"] == 12
    assert "| navigation -> form usable (ms) | cold |" in table(figures)
