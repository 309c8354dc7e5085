"""Bundled datasets (installed as ``tsrnn.datasets``)."""

__all__: list[str] = []
