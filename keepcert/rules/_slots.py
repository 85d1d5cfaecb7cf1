"""Filling frozen, slotted dataclasses quickly, for the values the rules core makes in bulk.

A frozen dataclass's generated ``__init__`` assigns each field through
``object.__setattr__``, which costs about twice what the field's own slot setter does. The
daily sweep makes a ``Claim`` for every claim of every member and a ``Window``, a
``Progress`` and a ``Pace`` for every cycle, so those classes (and ``ClaimResult``, one for
each claim a screen lists) write their ``__init__`` with the setters below. They stay
frozen: assigning a field afterwards still raises ``FrozenInstanceError``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any

__all__ = ["slot_setters"]

type SlotSetter = Callable[[Any, Any], None]


def slot_setters(cls: type) -> tuple[SlotSetter, ...]:
    """The slot setter of each field of the slotted dataclass ``cls``, in field order."""
    return tuple(getattr(cls, field.name).__set__ for field in fields(cls))
