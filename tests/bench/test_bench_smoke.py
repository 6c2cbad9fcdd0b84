"""The benchmark still runs end to end: one repetition, tiny counts (history is left out:
every other figure signs in, which is what it measures).

Timings are not asserted (the machine may be busy); only that every figure produced
numbers for every client it measures, that no page reported an error, and that no
message went missing or twice.
"""

from bench.run import Options, run, table


def test_every_figure_yields_numbers_for_each_client(browser, directus_factory):
    server = directus_factory()
    options = Options(reps=1, figures=("startup", "latency", "burst", "memory"),
                      latency_messages=3, burst_messages=20, memory_messages=20)
    result = run(options, directus_url=server.url, page_server=server.page_server, browser=browser)

    assert result["problems"] == []
    figures = result["figures"]
    assert len(figures) == 7
    for figure, metrics in figures.items():
        python = "Python" in figure or "interpreter" in figure
        for metric, row in metrics.items():
            for client in ("ours", "python-hello" if python else "reference"):
                assert isinstance(row[client]["median"], float | int), (figure, metric, client)
    for shape in ("batch", "singly"):
        burst = figures[f"burst of 20, {shape}"]
        assert burst["missing"]["ours"]["max"] == burst["duplicates"]["ours"]["max"] == 0
    assert "| navigation -> form usable (ms) | cold |" in table(figures)
