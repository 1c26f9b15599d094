"""One generator class per column kind, found by the name the model stores (see :mod:`.base`)."""

from .base import REGISTRY, ColumnGenerator, DrawContext, generator_for, register
from .derived import Formula, Offset
from .entities import PersonName, PlaceCity, PlaceCountry, PlacePhone, PlacePostcode, PlaceRegion, PlaceStreet
from .keys import ForeignKey, KeyPattern, LineNumber, NaturalKey, ParentColumn, Sequence, TimeGrid, Uuid
from .text import PersonEmail, TextLevels, TextPattern, TextSemantic, TextSentences, TextWords
from .values import Distribution, Frequencies

__all__ = [
    "REGISTRY", "ColumnGenerator", "Distribution", "DrawContext", "ForeignKey", "Formula", "Frequencies", "KeyPattern",
    "LineNumber", "NaturalKey", "Offset", "ParentColumn", "PersonEmail", "PersonName", "PlaceCity", "PlaceCountry",
    "PlacePhone", "PlacePostcode", "PlaceRegion", "PlaceStreet", "Sequence", "TextPattern", "TextSemantic",
    "TextLevels", "TextSentences", "TextWords", "TimeGrid", "Uuid", "generator_for", "register",
]
