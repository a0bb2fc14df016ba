"""The pipeline engine: plain Python, no Qt import anywhere below this package.

The GUI (``arxconsole.gui``) and the CLI (``arxconsole.cli``) are two thin front ends
over the same calls; tests of this package run without a display.
"""
