"""The stress and fault harness: many headless clients (crowd), chaos scenarios, the load
test and a faulty proxy, each with an exactly-once audit. See docs/RELIABILITY.md."""
