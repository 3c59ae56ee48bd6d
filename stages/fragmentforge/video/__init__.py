"""Video I/O: encoding, isolated probing and decoding."""
