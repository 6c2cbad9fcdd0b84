"""Developer tools: make run, the static server, vendoring the page runtime."""
