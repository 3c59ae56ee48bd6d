"""FineVidBench's scene level: what the whole clip shows (action, effect, speed)."""
TITLE, AVERAGE, ORDER = "Scene", "S-Avg", 1
