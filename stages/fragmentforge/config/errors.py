class ConfigError(ValueError):
    """A params file that is missing a key, has an unknown one, or holds a bad value."""

    def __init__(self, source: str, key: str, message: str):
        self.source = source
        self.key = key
        super().__init__(f"{source}: {key}: {message}")
