"""The synthetic world: seeded clips of coloured shapes with per-frame ground truth."""
