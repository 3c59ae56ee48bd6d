"""Proxy tasks: QA records whose labels come from the videos themselves (SF²T, FineVidBench)."""
