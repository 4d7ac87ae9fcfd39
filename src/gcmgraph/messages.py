"""What the curation commands tell a curator about a table, in Spanish and English.

Each problem has a code; its message says what is wrong with the value and what is allowed, its
hint what to do next. Placeholders are filled from the problem's details.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "unknown_table": {
        "en": "no table is called {sheet!r}; the tables are: {allowed}",
        "es": "ninguna tabla se llama {sheet!r}; las tablas son: {allowed}",
    },
    "unknown_column": {
        "en": "table {sheet} has no column {column!r}; its columns are: {allowed}",
        "es": "la tabla {sheet} no tiene la columna {column!r}; sus columnas son: {allowed}",
    },
    "duplicate_column": {
        "en": "column {column!r} appears twice in row 1",
        "es": "la columna {column!r} aparece dos veces en la fila 1",
    },
    "missing_column": {
        "en": "table {sheet} needs a column {column!r} (required) and row 1 does not have it",
        "es": "la tabla {sheet} necesita la columna {column!r} (obligatoria) y la fila 1 no la tiene",
    },
    "missing_value": {
        "en": "empty, but required; allowed: {allowed}",
        "es": "vacía, pero es obligatoria; se admite: {allowed}",
    },
    "missing_label": {
        "en": "no Spanish label: every record needs its name in Spanish (label_es), as the source writes it",
        "es": "sin etiqueta en español: todo registro necesita su nombre en español (label_es), como lo escribe la fuente",
    },
    "bad_date": {
        "en": "{value!r} is not a date; allowed: YYYY-MM-DD (a real calendar day), YYYY-MM or YYYY",
        "es": "{value!r} no es una fecha; se admite: AAAA-MM-DD (un día que exista), AAAA-MM o AAAA",
    },
    "bad_integer": {
        "en": "{value!r} is not a whole number; allowed: digits only (141, not «141 personas» or 141.5)",
        "es": "{value!r} no es un número entero; se admiten solo dígitos (141, no «141 personas» ni 141,5)",
    },
    "bad_country": {
        "en": "{value!r} is not a country code; allowed: a two-letter ISO 3166-1 alpha-2 code of data/reference/countries.ttl ({allowed})",
        "es": "{value!r} no es un código de país; se admite un código ISO 3166-1 alfa-2 de dos letras de data/reference/countries.ttl ({allowed})",
    },
    "unknown_country": {
        "en": "{value!r} is not a country of data/reference/countries.ttl; allowed: {allowed}",
        "es": "{value!r} no es un país de data/reference/countries.ttl; se admite: {allowed}",
    },
    "bad_objective": {
        "en": "{value!r} is not a GCM objective: the GCM has 23 objectives; allowed: a whole number from 1 to 23",
        "es": "{value!r} no es un objetivo del PMM: el PMM tiene 23 objetivos; se admite un número entero de 1 a 23",
    },
    "bad_enum": {
        "en": "{value!r} is not allowed here; allowed: {allowed}",
        "es": "{value!r} no se admite aquí; se admite: {allowed}",
    },
    "bad_url": {
        "en": "{value!r} is not a web address; allowed: an address starting with http:// or https://",
        "es": "{value!r} no es una dirección web; se admite una dirección que empiece por http:// o https://",
    },
    "bad_id": {
        "en": "{value!r} is not an id; allowed: lower-case ASCII words joined by - (ar-municipalidad-quilmes)",
        "es": "{value!r} no es un id; se admiten palabras ASCII en minúsculas unidas por - (ar-municipalidad-quilmes)",
    },
    "bad_ref": {
        "en": "{value!r} is not a reference; allowed: path/id (policy/co-etpv), prefix:name (sdg:10.7) or a full IRI",
        "es": "{value!r} no es una referencia; se admite ruta/id (policy/co-etpv), prefijo:nombre (sdg:10.7) o un IRI completo",
    },
    "bad_value": {
        "en": "{value!r} cannot be read as {allowed}",
        "es": "{value!r} no se puede leer como {allowed}",
    },
    "not_found": {
        "en": "{value!r}: there is no entity <{iri}> in the graph or in these tables; allowed: {allowed}{suggest}",
        "es": "{value!r}: no hay ninguna entidad <{iri}> en el grafo ni en estas tablas; se admite: {allowed}{suggest}",
    },
    "unknown_concept": {
        "en": "{value!r} is not a concept of id/{scheme}/; allowed: {allowed}",
        "es": "{value!r} no es un concepto de id/{scheme}/; se admite: {allowed}",
    },
    "ambiguous_ref": {
        "en": "{value!r} names several entities ({allowed}); write the one you mean as path/id",
        "es": "{value!r} nombra varias entidades ({allowed}); escriba la que corresponde como ruta/id",
    },
    "bad_type": {
        "en": "{value!r} is not a type of table {sheet}; allowed: {allowed}",
        "es": "{value!r} no es un tipo de la tabla {sheet}; se admite: {allowed}",
    },
    "cannot_mint": {
        "en": "the id cannot be minted from this record: it needs {allowed}",
        "es": "no se puede acuñar el id a partir de este registro: necesita {allowed}",
    },
    "duplicate_id": {
        "en": "duplicate: this record has the same IRI <{iri}> as {other}",
        "es": "duplicado: este registro tiene el mismo IRI <{iri}> que {other}",
    },
    "duplicate_row": {
        "en": "duplicate: the same statement as {other}",
        "es": "duplicado: la misma afirmación que {other}",
    },
    "exists": {
        "en": "duplicate: <{iri}> «{label}» already exists in {files}",
        "es": "duplicado: <{iri}> «{label}» ya existe en {files}",
    },
    "likely_duplicate": {
        "en": "likely duplicate of the existing <{iri}> «{label}» in {files} ({why})",
        "es": "probable duplicado de <{iri}> «{label}», que ya existe en {files} ({why})",
    },
    "likely_duplicate_import": {
        "en": "likely duplicate of {other} in these tables ({why})",
        "es": "probable duplicado de {other} en estas tablas ({why})",
    },
    "link_object": {
        "en": "with predicate {value}, fill {wanted} and leave {other} empty",
        "es": "con el predicado {value}, complete {wanted} y deje {other} vacía",
    },
    "needs_justification": {
        "en": "an editorial link needs the curators' justification in justification_es",
        "es": "un vínculo editorial necesita la justificación de los curadores en justification_es",
    },
    "editorial_here": {
        "en": "editorial links belong to data/editorial, not to a source's folder",
        "es": "los vínculos editoriales van en data/editorial, no en la carpeta de una fuente",
    },
    "needs_source": {
        "en": "a link stated by a source needs that source in the sources column",
        "es": "un vínculo afirmado por una fuente necesita esa fuente en la columna sources",
    },
    "bad_property": {
        "en": "{value!r} is not a property gcmgraph knows; allowed: a prefixed name ({allowed}) of a term that exists",
        "es": "{value!r} no es una propiedad que gcmgraph conozca; se admite un nombre con prefijo ({allowed}) de un término que exista",
    },
    "missing_lang": {
        "en": "a text value needs its language tag in the lang column (es, en, en-t-es…)",
        "es": "un valor de texto necesita su etiqueta de idioma en la columna lang (es, en, en-t-es…)",
    },
    "bad_lang": {
        "en": "{value!r} is not a language tag; allowed: es, en, en-t-es, es-t-en, pt…",
        "es": "{value!r} no es una etiqueta de idioma; se admite: es, en, en-t-es, es-t-en, pt…",
    },
    "source_rows": {
        "en": "--source new needs the source table with exactly one row describing the document (found {value})",
        "es": "--source new necesita la tabla source con exactamente una fila que describa el documento (hay {value})",
    },
    "source_missing": {
        "en": "the source document <{iri}> is not in the graph nor in a source table",
        "es": "el documento fuente <{iri}> no está en el grafo ni en una tabla source",
    },
    "source_mismatch": {
        "en": "this source row describes <{iri}>, not the source being imported <{other}>",
        "es": "esta fila describe <{iri}>, no la fuente que se importa <{other}>",
    },
    "no_source_here": {
        "en": "records minted from the source (position) need a source document; the editorial folder has none",
        "es": "los registros acuñados a partir de la fuente (position) necesitan un documento fuente; la carpeta editorial no tiene",
    },
    "shacl": {
        "en": "the graph would not validate: {value}",
        "es": "el grafo no validaría: {value}",
    },
}

HINTS: dict[str, dict[str, str]] = {
    "unknown_table": {
        "en": "Name each CSV file (or XLSX sheet) after its table, as in data/templates/.",
        "es": "Nombre cada archivo CSV (u hoja XLSX) como su tabla, igual que en data/templates/.",
    },
    "unknown_column": {
        "en": "Fix the heading in row 1 (data/templates/COLUMNS.md lists every column).",
        "es": "Corrija el encabezado de la fila 1 (data/templates/COLUMNS.md enumera todas las columnas).",
    },
    "not_found": {
        "en": "Add the entity to these tables (or to the table of its kind), or fix the reference; "
              "`gcmgraph query search -p text NAME` finds existing entities.",
        "es": "Añada la entidad a estas tablas (o a la tabla de su tipo), o corrija la referencia; "
              "`gcmgraph query search -p text NOMBRE` encuentra las entidades existentes.",
    },
    "unknown_concept": {
        "en": "Use one of the allowed ids; a new concept is added to its scheme in ontology/schemes/ first.",
        "es": "Use uno de los ids admitidos; un concepto nuevo se añade antes a su esquema en ontology/schemes/.",
    },
    "unknown_country": {
        "en": "Countries outside Latin America and the Caribbean are added to data/reference/countries.ttl first.",
        "es": "Los países fuera de América Latina y el Caribe se añaden antes a data/reference/countries.ttl.",
    },
    "exists": {
        "en": "Refer to it by its id from the other tables; to add this source's statements about it, "
              "rerun with --accept existing; for a different entity, give the row another id.",
        "es": "Refiérase a ella por su id desde las otras tablas; para añadir lo que esta fuente dice de ella, "
              "vuelva a ejecutar con --accept existing; si es otra entidad, dé otro id a la fila.",
    },
    "likely_duplicate": {
        "en": "If it is the same, put the existing id in the row's id column (or rerun with --accept existing "
              "to use the existing IRIs); if it is a different entity, rerun with --accept new.",
        "es": "Si es la misma, ponga el id existente en la columna id (o vuelva a ejecutar con --accept existing "
              "para usar los IRI existentes); si es otra entidad, vuelva a ejecutar con --accept new.",
    },
    "likely_duplicate_import": {
        "en": "Keep one row and refer to it by its id, or rerun with --accept new if they are different.",
        "es": "Deje una sola fila y refiérase a ella por su id, o vuelva a ejecutar con --accept new si son distintas.",
    },
    "cannot_mint": {
        "en": "Fill the columns named, or write the id yourself (see the IRI policy in ontology/README.md).",
        "es": "Complete las columnas indicadas, o escriba usted el id (ver la política de IRI en ontology/README.md).",
    },
    "source_missing": {
        "en": "Create it with `gcmgraph new-source`, add the source table, or use --source new.",
        "es": "Créelo con `gcmgraph new-source`, añada la tabla source, o use --source new.",
    },
    "editorial_here": {
        "en": "Move the row to a link table imported with --source editorial (or make it basis stated).",
        "es": "Pase la fila a una tabla link importada con --source editorial (o póngale basis stated).",
    },
    "shacl": {
        "en": "Fix the row; `gcmgraph validate` explains each shape.",
        "es": "Corrija la fila; `gcmgraph validate` explica cada forma.",
    },
}

WHERE = {
    "en": {"sheet": "sheet", "row": "row", "column": "column"},
    "es": {"sheet": "hoja", "row": "fila", "column": "columna"},
}


def text(code: str, lang: str, **details) -> str:
    template = MESSAGES[code].get(lang) or MESSAGES[code]["en"]
    return template.format(**details)


def hint(code: str, lang: str) -> str | None:
    entry = HINTS.get(code)
    return None if entry is None else entry.get(lang) or entry["en"]
