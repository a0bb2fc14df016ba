"""The Pipeline surface (SPEC §3, §9): run the six steps and watch them live."""

from .surface import PipelineSurface

SURFACE = PipelineSurface

__all__ = ["SURFACE", "PipelineSurface"]
