"""``python -m benchmarks text``: a text-heavy table — names, email, phone, street, city, postcode,
country, company, job, a code, a comment — fitted from 24 hand-written customers of five countries.

Measured in one run on this machine: rows/s in memory — the first ``Model.sample`` of the full size after
fitting and a 1,000-row call (the one-time loads of reference data and pools, timed apart as ``setup``), and the
median of three more with other seeds — the same first call in fresh processes (median of ``--fresh``), with
Arrow's default memory pool and with ``ARROW_DEFAULT_MEMORY_POOL=system`` (the first call is the one that takes
its memory from the operating system; see docs/performance.md), rows/s written to Parquet (the median of
three writes), the per-row Faker loop for the same columns (the baseline), and what a reader checks in the rows:
cities in their row's country, phone numbers valid for the row's country (``phonenumbers``), emails
holding the row's names, German mail domains and legal forms on German rows only, personal sample values
copied (zero expected). ``--full`` adds 10^7 unique
emails (zero duplicates expected). Results: ``benchmarks/results/text.json`` and ``text.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import synthframe as sf

RESULTS = Path(__file__).parent / "results"
REPO_ROOT = Path(__file__).resolve().parent.parent

ROWS = [
    # first, last, email, phone, street, city, postcode, country, company, job, code, comment
    ("Kimberly", "Santiago", "kimberly.santiago@cobaltdata.io", "+1 617-423-8260", "48 Beacon Street", "Boston",
     "02108", "United States", "Cobalt Data", "Data Analyst", "CU-48213", "Prefers email. Pays on time."),
    ("Jeffrey", "Anderson", "jeffrey.anderson@northwind.com", "+1 312-555-0143", "233 Wacker Drive", "Chicago",
     "60606", "United States", "Northwind Traders", "Accountant", "CU-10442", "Pays on time."),
    ("Maria", "Lopez", "maria.lopez@gmail.com", "+1 213-555-0198", "901 Sunset Boulevard", "Los Angeles",
     "90069", "United States", "Summit Supply", "Nurse", "CU-77310", "Asked for a callback."),
    ("Darnell", "Brooks", "darnell.brooks@outlook.com", "+1 404-555-0121", "75 Peachtree Street", "Atlanta",
     "30303", "United States", "Kestrel Group", "Teacher", "CU-20931", "Prefers email."),
    ("Emily", "Carter", "emily.carter@yahoo.com", "+1 206-555-0170", "1200 Pine Street", "Seattle", "98101",
     "United States", "Lumen Studio", "Graphic Designer", "CU-55102", "New customer. Asked for a callback."),
    ("Lukas", "Müller", "lukas.mueller@web.de", "+49 151 23456789", "Hauptstraße 12", "Berlin", "10115", "Germany",
     "Müller GmbH", "Informatiker", "CU-31877", "Pays on time."),
    ("Sophie", "Schneider", "sophie.schneider@gmx.de", "+49 160 98765432", "Lindenweg 7", "Hamburg", "20095",
     "Germany", "Schneider & Partner", "Bankkauffrau", "CU-60218", "Prefers email."),
    ("Jonas", "Fischer", "jonas.fischer@web.de", "+49 170 11223344", "Bahnhofstraße 3", "Munich", "80331",
     "Germany", "Fischer AG", "Ingenieur", "CU-90345", "New customer."),
    ("Emma", "Wagner", "emma.wagner@t-online.de", "+49 30 1234567", "Gartenstraße 21", "Frankfurt am Main",
     "60311", "Germany", "Wagner Logistik", "Krankenschwester", "CU-13579", "Asked for a callback."),
    ("Felix", "Becker", "felix.becker@gmx.de", "+49 152 55501234", "Schillerstraße 8", "Stuttgart", "70173",
     "Germany", "Becker KG", "Elektriker", "CU-24680", "Pays on time. Prefers email."),
    ("Camille", "Martin", "camille.martin@orange.fr", "+33 6 12 34 56 78", "12 rue de Rivoli", "Paris", "75001",
     "France", "Société Martin", "Comptable", "CU-11223", "Pays on time."),
    ("Hugo", "Bernard", "hugo.bernard@free.fr", "+33 6 98 76 54 32", "8 rue de la République", "Lyon", "69002",
     "France", "Bernard SARL", "Infirmier", "CU-44556", "New customer."),
    ("Léa", "Dubois", "lea.dubois@laposte.net", "+33 1 42 68 53 00", "3 boulevard Longchamp", "Marseille",
     "13001", "France", "Dubois et Fils", "Professeur", "CU-77889", "Prefers email."),
    ("Louis", "Thomas", "louis.thomas@gmail.com", "+33 7 81 22 33 44", "45 allées Jean Jaurès", "Toulouse",
     "31000", "France", "Thomas Conseil", "Ingénieur", "CU-99001", "Asked for a callback."),
    ("Oliver", "Smith", "oliver.smith@btinternet.com", "+44 7821 440974", "10 Baker Street", "London",
     "W1U 3BW", "United Kingdom", "Smith & Sons", "Solicitor", "CU-31415", "Pays on time."),
    ("Amelia", "Jones", "amelia.jones@outlook.com", "+44 7700 900123", "22 Deansgate", "Manchester", "M3 2BW",
     "United Kingdom", "Jones Consulting", "Pharmacist", "CU-27182", "New customer. Pays on time."),
    ("George", "Taylor", "george.taylor@gmail.com", "+44 131 496 0000", "5 Princes Street", "Edinburgh",
     "EH2 2AN", "United Kingdom", "Taylor Ltd", "Architect", "CU-16180", "Prefers email."),
    ("Isla", "Brown", "isla.brown@yahoo.co.uk", "+44 7911 123456", "14 Broad Street", "Birmingham", "B1 2HF",
     "United Kingdom", "Brown Holdings", "Teacher", "CU-14142", "Asked for a callback."),
    ("Abigail", "Fisher", "abigail.fisher@outlook.com", "+1 613-297-6750", "150 Elgin Street", "Ottawa", "K2P 1L4",
     "Canada", "Maple Analytics", "Data Analyst", "CU-17320", "Pays on time."),
    ("Liam", "Tremblay", "liam.tremblay@videotron.ca", "+1 514-943-5380", "1200 rue Sainte-Catherine",
     "Montreal", "H3B 1K9", "Canada", "Tremblay Inc", "Engineer", "CU-22360", "New customer."),
    ("Chloe", "Wilson", "chloe.wilson@shaw.ca", "+1 403-962-9159", "300 8 Avenue SW", "Calgary", "T2P 1C5",
     "Canada", "Prairie Energy", "Geologist", "CU-26457", "Prefers email."),
    ("Noah", "Martin", "noah.martin@rogers.com", "+1 416-555-0188", "100 King Street West", "Toronto", "M5X 1A9",
     "Canada", "Northern Lights Media", "Producer", "CU-28284", "Asked for a callback. Prefers email."),
    ("Anna", "Hoffmann", "anna.hoffmann@web.de", "+49 171 7654321", "Marktplatz 1", "Cologne", "50667", "Germany",
     "Hoffmann Bau", "Architektin", "CU-30000", "Pays on time."),
    ("James", "Wright", "james.wright@aol.com", "+1 305-555-0111", "801 Brickell Avenue", "Miami", "33131",
     "United States", "Wright & Co", "Sales Manager", "CU-31622", "New customer."),
]
COLUMNS = ["first_name", "last_name", "email", "phone", "street", "city", "postcode", "country", "company", "job",
           "code", "comment"]
SCHEMA = {"tables": {"customers": {"primary_key": "id", "columns": {
    "id": "integer", **dict.fromkeys(COLUMNS, "string"), "email": {"type": "string", "unique": True},
    "country": "category"}}}}


def samples() -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=COLUMNS)
    frame.insert(0, "id", range(1, len(frame) + 1))
    return frame


def _faker_rows(n: int) -> float:
    """Rows/s of the per-row Faker loop making the same columns (a locale per row, as the samples have)."""
    from faker import Faker

    fakers = {c: Faker(loc) for c, loc in (("US", "en_US"), ("DE", "de_DE"), ("FR", "fr_FR"), ("GB", "en_GB"),
                                           ("CA", "en_CA"))}
    codes = list(fakers)
    start = time.perf_counter()
    rows = []
    for i in range(n):
        fake = fakers[codes[i % len(codes)]]
        first, last = fake.first_name(), fake.last_name()
        rows.append((first, last, f"{first}.{last}{i}@{fake.free_email_domain()}".lower(), fake.phone_number(),
                     fake.street_address(), fake.city(), fake.postcode(), fake.country(), fake.company(), fake.job(),
                     fake.bothify("CU-#####"), fake.sentence()))
    return n / (time.perf_counter() - start)


def _checks(rows: pd.DataFrame, model: sf.Model) -> dict[str, Any]:
    import pyarrow as pa

    from synthframe import reference
    from synthframe.generators.entities import country_index

    codes = country_index(pa.array(rows["country"].astype(str)))
    alpha2 = np.array(reference.countries().column("alpha2").to_pylist() + [None], dtype=object)[codes]
    cities = reference.cities().to_pandas()
    in_country = pd.MultiIndex.from_arrays([alpha2, rows["city"]]).isin(
        pd.MultiIndex.from_frame(cities[["country", "name"]]))
    out: dict[str, Any] = {"city_in_country": float(in_country.mean())}
    folded = rows["last_name"].str.lower().str.normalize("NFKD").str.replace(r"[^a-z]", "", regex=True)
    out["email_has_last_name"] = float(pd.Series([f in e for f, e in zip(folded, rows["email"])]).mean())
    try:
        import phonenumbers
    except ImportError:
        phonenumbers = None
    if phonenumbers is not None:
        probe = rows.sample(min(2000, len(rows)), random_state=0)
        parsed = [phonenumbers.parse(p, None) for p in probe["phone"]]
        out["phone_valid"] = float(np.mean([phonenumbers.is_valid_number(n) for n in parsed]))
        region = np.array([phonenumbers.region_code_for_number(n) for n in parsed], dtype=object)
        same = alpha2[probe.index.to_numpy()]
        plus_one = np.isin(same, ["US", "CA"]) & np.isin(region, ["US", "CA"])
        out["phone_country_matches"] = float(np.mean((region == same) | plus_one))
    german = alpha2 == "DE"
    domain = rows["email"].str.split("@").str[1]
    out["german_mail_domains_on_german_rows"] = float(german[domain.isin(["web.de", "gmx.de"]).to_numpy()].mean())
    legal = rows["company"].str.contains(r" (?:GmbH|AG|KG|GbR|OHG)\b", regex=True).to_numpy()
    out["german_legal_forms_on_german_rows"] = float(german[legal].mean())
    personal = ["first_name", "last_name", "email", "phone", "street"]
    out["personal_values_copied"] = int(sum(rows[c].isin(samples()[c]).sum() for c in ("email", "phone", "street")))
    stored = model.to_json()
    # a whole value stored as a JSON string (a company 'Müller GmbH' holding a surname is not a copy)
    out["personal_values_in_model"] = int(sum(json.dumps(v, ensure_ascii=False) in stored for c in personal
                                              for v in samples()[c]))
    return out


def _first_call(rows: int) -> dict[str, Any]:
    """In this (fresh) process: fit, the 1,000-row call, then the first call of ``rows`` rows (seconds, and its
    system CPU seconds: the kernel's work of handing the process new memory)."""
    import resource

    import pyarrow as pa

    model = sf.fit(SCHEMA, {"customers": samples()})
    start = time.perf_counter()
    model.sample({"customers": 1000}, seed=0)
    setup = time.perf_counter() - start
    before = resource.getrusage(resource.RUSAGE_SELF).ru_stime
    start = time.perf_counter()
    model.sample({"customers": rows}, seed=1)
    first = time.perf_counter() - start
    return {"setup_s": setup, "first_s": first, "first_system_cpu_s": resource.getrusage(resource.RUSAGE_SELF).ru_stime
            - before, "memory_pool": pa.default_memory_pool().backend_name}


def _fresh_first_calls(rows: int, runs: int, pool: str | None) -> list[dict[str, Any]]:
    """:func:`_first_call` in ``runs`` fresh processes (Arrow's memory pool named by ``pool``, else its default)."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = pool
    out = []
    for _ in range(runs):
        proc = subprocess.run([sys.executable, "-m", "benchmarks", "text", "--first-call", "--rows", str(rows)],
                              cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=True)
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks text", description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--faker-rows", type=int, default=20_000, help="rows of the per-row Faker loop")
    parser.add_argument("--fresh", type=int, default=3,
                        help="fresh processes timing the first call, per memory pool (0: none)")
    parser.add_argument("--full", action="store_true", help="also 10^7 unique emails")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--first-call", action="store_true", help=argparse.SUPPRESS)  # one fresh process's part
    args = parser.parse_args(argv)
    if args.first_call:
        print(json.dumps(_first_call(args.rows)))
        return 0
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    model = sf.fit(SCHEMA, {"customers": samples()})
    start = time.perf_counter()
    model.sample({"customers": 1000}, seed=0)  # reads the reference data, builds the pools
    setup = time.perf_counter() - start
    times = []
    for seed in (1, 2, 3, 4):  # the first builds the pools of this size; the others find them built
        start = time.perf_counter()
        rows = model.sample({"customers": args.rows}, seed=seed)["customers"]
        times.append(time.perf_counter() - start)
    first = args.rows / times[0]
    memory = args.rows / statistics.median(times[1:])
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in (1, 2, 3):  # the median of three writes, as for the samples above
            start = time.perf_counter()
            model.write({"customers": args.rows}, Path(tmp) / str(seed), seed=seed, format="parquet")
            written.append(time.perf_counter() - start)
    parquet = args.rows / statistics.median(written)
    faker = _faker_rows(args.faker_rows)
    memory, parquet, faker = round(memory), round(parquet), max(round(faker), 1)  # ratios of the numbers shown
    first = round(first)
    result: dict[str, Any] = {
        "rows": args.rows, "load_average_at_start": round(load, 2) if load is not None else None,
        "setup_seconds_first_1000_rows": round(setup, 3),
        "in_memory_rows_per_s": memory, "first_in_memory_rows_per_s": first,
    }
    fresh = {pool or "default": _fresh_first_calls(args.rows, args.fresh, pool) for pool in (None, "system")
             } if args.fresh > 0 else {}
    for pool, runs in fresh.items():
        name = "first_in_memory_rows_per_s_fresh" + ("" if pool == "default" else "_system_pool")
        result[name] = round(args.rows / statistics.median(r["first_s"] for r in runs))
        result[name + "_system_cpu_seconds"] = round(statistics.median(r["first_system_cpu_s"] for r in runs), 2)
        if pool == "default":
            result["setup_seconds_fresh"] = round(statistics.median(r["setup_s"] for r in runs), 3)
            result["memory_pool"] = runs[0]["memory_pool"]
    result.update({
        "parquet_rows_per_s": parquet, "faker_loop_rows_per_s": faker,
        "ratio_in_memory_vs_faker": round(memory / faker, 1), "ratio_first_in_memory_vs_faker": round(first / faker, 1),
        "ratio_parquet_vs_faker": round(parquet / faker, 1), **_checks(rows, model),
        "example": rows.head(5).to_dict(orient="records"),
    })
    if args.full:
        emails = model.sample({"customers": 10_000_000}, seed=4)["customers"]["email"]
        result["unique_emails_10m_duplicates"] = int(emails.duplicated().sum())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "text.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    lines = ["# Text-heavy table", "", f"{args.rows:,} rows, 13 columns, fitted from {len(ROWS)} customers.", ""]
    if fresh:
        lines += [f"The fresh-process figures are medians of {args.fresh} processes each, with Arrow's default memory "
                  f"pool ({result['memory_pool']}) and with `ARROW_DEFAULT_MEMORY_POOL=system`.", ""]
    lines += ["| measure | value |", "|---|---:|"]
    lines += [f"| {k.replace('_', ' ')} | {v:,} |" if isinstance(v, int) else f"| {k.replace('_', ' ')} | {v} |"
              for k, v in result.items() if k not in ("example", "memory_pool")]
    head = pd.DataFrame(result["example"])
    lines += ["", "First rows:", "", "| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in head.itertuples(index=False)]
    (args.out / "text.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
