"""Benchmark: the curation import (gcmgraph's own mapping) against an RML engine (morph-kgc).

Both read the same synthetic actor table (N rows: id, type, Spanish and English names, country)
and produce the same five triples a row. gcmgraph also checks every cell against the graph and
writes canonical Turtle (``--dry-run``: nothing written); the RML mapping only materialises.
The figures are recorded in ``data/templates/README.md``. Run from the repository root::

    python benchmarks/curation_mapping.py --rows 2000,20000                  # gcmgraph
    OTHER_VENV/bin/python benchmarks/curation_mapping.py --engine morph-kgc   # in a venv with morph-kgc

morph-kgc needs its own virtual environment: no release of it installs beside gcmgraph's pins
(see data/templates/README.md). The tables and the mapping go to ``build/bench/curation/``.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench" / "curation"
COUNTRIES = ["AR", "BO", "BR", "CL", "CO", "CR", "EC", "GT", "HN", "MX", "NI", "PA", "PE", "PY", "SV", "UY"]

RML = """@prefix rr: <http://www.w3.org/ns/r2rml#> .
@prefix rml: <http://semweb.mmlab.be/ns/rml#> .
@prefix ql: <http://semweb.mmlab.be/ns/ql#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dct: <http://purl.org/dc/terms/> .
<#Actor> rml:logicalSource [ rml:source "{source}" ; rml:referenceFormulation ql:CSV ] ;
  rr:subjectMap [ rr:template "https://w3id.org/gcmgraph/id/org/{{id}}" ] ;
  rr:predicateObjectMap
    [ rr:predicate <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ;
      rr:objectMap [ rr:template "https://w3id.org/gcmgraph/ontology#{{type}}" ] ] ,
    [ rr:predicate rdfs:label ; rr:objectMap [ rml:reference "label_es" ; rr:language "es" ] ] ,
    [ rr:predicate rdfs:label ; rr:objectMap [ rml:reference "label_en" ; rr:language "en-t-es" ] ] ,
    [ rr:predicate dct:spatial ; rr:objectMap [ rr:template "https://w3id.org/gcmgraph/id/country/{{country}}" ] ] ,
    [ rr:predicate dct:source ; rr:object <https://w3id.org/gcmgraph/id/source/domain-facts-secondary> ] .
"""


def write_table(rows: int) -> Path:
    """A synthetic actor table (seed 1); the heading row is the actor template's."""
    BUILD.mkdir(parents=True, exist_ok=True)
    path = BUILD / f"actor-{rows}.csv"
    headings = (ROOT / "data" / "templates" / "actor.csv").read_text(encoding="utf-8").strip().split(",")
    generator = random.Random(1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        for i in range(rows):
            country = generator.choice(COUNTRIES)
            row = dict.fromkeys(headings, "")
            row.update(id=f"{country.lower()}-organizacion-sintetica-{i}", type="CivilSocietyOrganization",
                       label_es=f"Organización sintética {i}", label_en=f"Synthetic organisation {i}",
                       country=country)
            writer.writerow([row[h] for h in headings])
    return path


def run_gcmgraph(table: Path) -> tuple[int, float]:
    from gcmgraph.curation import import_tables

    start = time.perf_counter()
    result = import_tables([table], source="domain-facts-secondary", out=BUILD / "out", validate=False,
                           dry_run=True)
    return result.triples, time.perf_counter() - start


def run_morph_kgc(table: Path) -> tuple[int, float]:
    import morph_kgc

    mapping = BUILD / f"{table.stem}.rml.ttl"
    mapping.write_text(RML.format(source=table), encoding="utf-8")
    start = time.perf_counter()
    graph = morph_kgc.materialize(f"[DataSource1]\nmappings: {mapping}\n")
    return len(graph), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="2000,20000", help="comma-separated table sizes")
    parser.add_argument("--engine", choices=["gcmgraph", "morph-kgc"], default="gcmgraph")
    args = parser.parse_args()
    run = run_gcmgraph if args.engine == "gcmgraph" else run_morph_kgc
    for rows in (int(r) for r in args.rows.split(",")):
        triples, seconds = run(write_table(rows))
        print(f"{args.engine}: {rows:,} rows -> {triples:,} triples in {seconds:.1f} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
