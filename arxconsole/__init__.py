"""ArxConsole: desktop operations console for the Arxos building-systems pipeline."""

__version__ = "0.1.0"
