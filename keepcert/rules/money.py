"""Money: amounts in the program's currency, rounded one way, in one place (SPEC §6).

Every amount KeepCert stores, compares or sends to a payment gateway goes through
:func:`money`: a ``Decimal`` rounded to the cent, half up. A float never gets in (binary
fractions are not money), and a gateway receives whole minor units (cents) from
:meth:`Money.minor_units`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["CENT", "Money", "money"]

CENT = Decimal("0.01")
_CURRENCY = re.compile(r"[A-Z]{3}")


def money(amount: Decimal | int | str) -> Decimal:
    """``amount`` rounded to the cent, half up: ``money("10.005") == Decimal("10.01")``."""
    if isinstance(amount, float | bool):
        raise TypeError(f"Money is never a {type(amount).__name__}: pass a Decimal or a string.")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ValueError(f"{amount!r} is not an amount of money.") from None
    if not value.is_finite():
        raise ValueError(f"{amount!r} is not an amount of money.")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True, order=True)
class Money:
    """An amount with its ISO 4217 currency code (the program file's)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not _CURRENCY.fullmatch(self.currency):
            raise ValueError(f"{self.currency!r} is not an ISO 4217 currency code.")
        # Frozen, so the one normalisation is written through object.__setattr__.
        object.__setattr__(self, "amount", money(self.amount))

    def minor_units(self) -> int:
        """The amount in cents, as payment gateways take it."""
        return int(self.amount / CENT)

    @classmethod
    def from_minor_units(cls, units: int, currency: str) -> Money:
        return cls(Decimal(units) * CENT, currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"Cannot mix {self.currency} and {other.currency}.")
