"""Costs per hectare, per tonne and per cubic metre, in US dollars of one price year, with each step shown.

A cost stated per hectare / tonne / cubic metre is used as is; a whole-project cost is divided by the case's area,
mass or volume treated (converted to ha, t, m³ with the exact unit definitions below), one value per quantity the
case states. The per-unit amount is then converted with ``money`` (ECB rate of the price year, then US CPI-U).
Budgets and estimates (cost type ``budget``) and amounts that cannot be converted are listed but left out of the
median. Each case counts once per basis (the median of its values).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sparql_api.analysis.money import MoneyTables
from sparql_api.analysis.rows import CostRow
from sparql_api.analysis.stats import Item, Summary, per_case

BASES = ("per-hectare", "per-tonne", "per-cubic-metre")
BASIS_UNITS = {"per-hectare": "ha", "per-tonne": "t", "per-cubic-metre": "m³"}
_Q = "http://qudt.org/vocab/unit/"
# Exact definitions (SI; international yard and pound of 1959; US gallon = 231 in³).
TO_BASIS_UNIT: dict[str, tuple[str, Decimal]] = {
    _Q + "HA": ("per-hectare", Decimal(1)),
    _Q + "M2": ("per-hectare", Decimal("0.0001")),
    _Q + "KiloM2": ("per-hectare", Decimal(100)),
    _Q + "TONNE": ("per-tonne", Decimal(1)),
    _Q + "KiloGM": ("per-tonne", Decimal("0.001")),
    _Q + "TON_SHORT": ("per-tonne", Decimal("0.90718474")),
    _Q + "LB": ("per-tonne", Decimal("0.00045359237")),
    _Q + "M3": ("per-cubic-metre", Decimal(1)),
    _Q + "L": ("per-cubic-metre", Decimal("0.001")),
    _Q + "GAL_US": ("per-cubic-metre", Decimal("0.003785411784")),
}


@dataclass(frozen=True)
class CostItem:
    """One cost read per basis unit: ``usd`` (per unit, price year) is None when it could not be normalised."""

    case: str
    cost: str
    basis: str | None
    usd: Decimal | None
    steps: tuple[str, ...]
    reason: str = ""  # why it is not in the median (unconverted, budget, no quantity…)
    stated: str = ""


@dataclass(frozen=True)
class CostResult:
    basis: str
    unit: str
    usd: Summary  # USD of the price year per unit, one value per case
    items: tuple[CostItem, ...]  # every item of this basis, in the median or not


def normalise(cost: CostRow, money: MoneyTables) -> list[CostItem]:
    """The cost per basis unit (one item per basis it can be expressed in), or one item saying why not."""
    stated = cost.stated_as or f"{cost.amount} {cost.currency or '?'} ({cost.price_year or '?'}), {cost.basis or '?'}"
    per_unit: list[tuple[str, Decimal, list[str]]] = []
    if cost.basis in BASES:
        per_unit.append((cost.basis, cost.amount, [f"stated {cost.basis}"]))
    elif cost.basis == "project":
        for quantity in (cost.area, cost.mass, cost.volume):
            if quantity is None or quantity[1] not in TO_BASIS_UNIT or quantity[0] <= 0:
                continue
            basis, factor = TO_BASIS_UNIT[quantity[1]]
            size = quantity[0] * factor
            per_unit.append((basis, cost.amount / size,
                             [f"project total {cost.amount} ÷ {size.normalize():f} {BASIS_UNITS[basis]} treated"]))
        if not per_unit:
            return [CostItem(cost.case, cost.cost, None, None, (), "a project total, and the case states no area, "
                             "mass or volume treated to divide it by", stated)]
    else:
        return [CostItem(cost.case, cost.cost, None, None, (), "the basis (project, per ha, t or m³) is not stated",
                         stated)]
    items = []
    for basis, amount, steps in per_unit:
        if not cost.currency:
            items.append(CostItem(cost.case, cost.cost, basis, None, tuple(steps), "no currency stated", stated))
            continue
        conversion = money.convert(amount, cost.currency, cost.price_year)
        reason = conversion.reason or ("a budget or estimate, not a reported cost" if cost.cost_type == "budget"
                                       else "")
        items.append(CostItem(cost.case, cost.cost, basis, conversion.usd, (*steps, *conversion.steps), reason,
                              stated))
    return items


def by_basis(costs: Iterable[CostRow], money: MoneyTables) -> tuple[tuple[CostResult, ...], tuple[CostItem, ...]]:
    """Per basis: the median over cases of the usable items; and the items that fit no basis."""
    items = [item for cost in costs for item in normalise(cost, money)]
    results = []
    for basis in BASES:
        mine = tuple(i for i in items if i.basis == basis)
        if not mine:
            continue
        usable = (Item(i.case, i.usd, i.cost, "; ".join(i.steps)) for i in mine if i.usd is not None and not i.reason)
        results.append(CostResult(basis, BASIS_UNITS[basis], per_case(usable), mine))
    return tuple(results), tuple(i for i in items if i.basis is None)
