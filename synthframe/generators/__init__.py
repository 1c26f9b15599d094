"""One generator class per column kind, found by the name the model stores (see :mod:`.base`)."""

from .base import REGISTRY, ColumnGenerator, DrawContext, generator_for, register
from .derived import Formula, Offset
from .keys import ForeignKey, KeyPattern, LineNumber, NaturalKey, ParentColumn, Sequence, TimeGrid, Uuid
from .text import PersonEmail, TextPattern, TextSemantic, TextWords
from .values import Distribution, Frequencies

__all__ = [
    "REGISTRY", "ColumnGenerator", "Distribution", "DrawContext", "ForeignKey", "Formula", "Frequencies", "KeyPattern",
    "LineNumber", "NaturalKey", "Offset", "ParentColumn", "PersonEmail", "Sequence", "TextPattern", "TextSemantic",
    "TextWords", "TimeGrid", "Uuid", "generator_for", "register",
]
