"""Costs in one currency and price year: US dollars of the latest CPI-U year, with every step shown.

An amount in currency C at price year y becomes ``amount ÷ units_per_usd(C, y)`` US dollars of year y (annual
average cross rate from the European Central Bank's reference rates), then ``× cpi_u(P) ÷ cpi_u(y)`` US dollars
of the price year P (US CPI-U annual averages, BLS). The tables and their provenance are in
``ontology/external/economics/`` (README there). A currency or year the tables lack stays unconverted, with
the reason; no rate is ever guessed.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from ingest import paths


@dataclass(frozen=True)
class Conversion:
    """The result of converting one amount: ``usd`` is None when it cannot be converted (``reason`` says why)."""

    amount: Decimal
    currency: str
    year: int | None
    usd: Decimal | None
    steps: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class MoneyTables:
    rates: dict[tuple[str, int], Decimal]  # (currency, year) → units of the currency per USD
    per_eur: dict[tuple[str, int], Decimal]  # (currency, year) → ECB annual average, units per EUR
    cpi: dict[int, Decimal]  # year → CPI-U annual average
    price_year: int
    provenance: dict[str, dict[str, object]]

    def convert(self, amount: Decimal, currency: str, year: int | None, price_year: int | None = None) -> Conversion:
        """``amount`` of ``currency`` at prices of ``year`` in US dollars of ``price_year`` (default the table's)."""
        target = price_year or self.price_year
        code = currency.upper()
        if year is None:
            return Conversion(amount, code, year, None, reason="no price year stated")
        steps: list[str] = []
        if code == "USD":
            usd = amount
        else:
            rate = self.rates.get((code, year))
            if rate is None:
                return Conversion(amount, code, year, None, reason=self._missing_rate(code, year))
            usd = amount / rate
            steps.append(f"{_fmt(amount)} {code} ÷ {rate} {code}/USD ({year} annual average, ECB) = "
                         f"{_fmt(usd)} USD ({year})")
        if year != target:
            before, after = self.cpi.get(year), self.cpi.get(target)
            if before is None or after is None:
                missing = year if before is None else target
                return Conversion(amount, code, year, None, steps=tuple(steps),
                                  reason=f"no US CPI-U annual average for {missing}")
            deflated = usd * after / before
            steps.append(f"{_fmt(usd)} USD ({year}) × CPI-U {after} ({target}) ÷ {before} ({year}) = "
                         f"{_fmt(deflated)} USD ({target})")
            usd = deflated
        if not steps:
            steps.append(f"{_fmt(amount)} USD ({year}): already in US dollars of {target}")
        return Conversion(amount, code, year, usd, steps=tuple(steps))

    def _missing_rate(self, code: str, year: int) -> str:
        years = sorted(y for c, y in self.rates if c == code)
        if not years:
            return f"the ECB reference rates do not cover {code}; kept in {code}"
        return (f"no full-year ECB rate for {code} in {year} (covered: {years[0]}–{years[-1]}"
                f"{', with gaps' if len(years) != years[-1] - years[0] + 1 else ''}); kept in {code}")


def _fmt(value: Decimal) -> str:
    """A money amount for the conversion text: whole units from 100 up, else 2 decimals."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def economics_dir() -> Path:
    """The tables under the resource root (``SRKG_RESOURCES``), else the checkout's own copy."""
    folder = paths.external_dir() / "economics"
    return folder if folder.is_dir() else Path(__file__).resolve().parents[2] / "ontology" / "external" / "economics"


@cache
def default_tables() -> MoneyTables:
    """The shipped tables (read once)."""
    return load_tables(economics_dir())


def load_tables(folder: Path) -> MoneyTables:
    rates: dict[tuple[str, int], Decimal] = {}
    per_eur: dict[tuple[str, int], Decimal] = {}
    with (folder / "exchange-rates-usd.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["currency"], int(row["year"]))
            rates[key] = Decimal(row["units_per_usd"])
            per_eur[key] = Decimal(row["per_eur"])
    with (folder / "us-cpi-u.csv").open(encoding="utf-8", newline="") as handle:
        cpi = {int(row["year"]): Decimal(row["cpi_u"]) for row in csv.DictReader(handle)}
    metadata = json.loads((folder / "metadata.json").read_text("utf-8"))
    provenance = {key: metadata[key] for key in ("exchange_rates", "deflator")}
    return MoneyTables(rates, per_eur, cpi, int(metadata["price_year"]), provenance)
