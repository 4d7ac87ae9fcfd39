"""The static site (`gcmgraph site`) and its server (`gcmgraph serve-site`): files laid out by IRI
path, pages in Spanish and English with provenance and schema.org JSON-LD, nothing from other
hosts, content negotiation over real HTTP, and a real headless Chromium reading the pages.

The site is built once (through the command line) and served once (through the command line) for
the whole module; the browser is started once.
"""

from __future__ import annotations

import html.parser
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import run_cli
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, SDO
from servers import unavailable

from gcmgraph.errors import InputError
from gcmgraph.namespaces import BASE, COUNTRY, OBJECTIVE, OWL, WD
from gcmgraph.serve_site import choose_language, negotiate
from gcmgraph.site import build_site, document_path

BASE_URL = "https://example.org/gcm/"
CO = COUNTRY["CO"]
ETPV = URIRef(BASE + "id/policy/co-etpv")
PRIMER = URIRef(BASE + "id/event/primer-conversatorio-mdp-2023")
#: an IRI whose last segment holds dots (an SDG target): still one page, no clash with suffixes
DOTTED = URIRef(BASE + "id/link/objective-20--sdg-10.c")



def entity_iris(kg) -> set[URIRef]:
    """The graph's subjects that get a page of their own: IRIs under id/ and graph/."""
    return {s for s in kg.graph.subjects() if isinstance(s, URIRef)
            and (str(s).startswith(BASE + "id/") or str(s).startswith(BASE + "graph/"))}


# ---------------------------------------------------------------------------------------------
# fixtures: one build, one server, one browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, kg) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    result = run_cli("site", "--out", str(out), "--base-url", BASE_URL)
    assert result.returncode == 0, result.stderr
    # progress and the closing summary on stderr, nothing on stdout
    total = len(entity_iris(kg))
    assert "writing pages for" in result.stderr and f"{total}/{total} entities" in result.stderr
    assert re.search(rf"wrote [\d,]+ pages and [\d,]+ other files \([\d.]+ MB\) for {total:,} entities", result.stderr)
    assert result.stdout == ""
    return out


@pytest.fixture(scope="module")
def server(site) -> str:
    process = subprocess.Popen([sys.executable, "-m", "gcmgraph.cli", "serve-site", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    if not match:
        process.kill()
        pytest.fail(f"serve-site did not start: {line}{process.stderr.read()}")
    yield match.group(1)
    process.terminate()
    process.wait(timeout=20)
    assert process.returncode == 0, process.stderr.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url: str, method: str = "GET", **headers: str) -> tuple[int, dict, bytes]:
    """One request, redirects not followed: status, headers (lower-case names), body."""
    request = urllib.request.Request(url, method=method, headers={k.replace("_", "-"): v for k, v in headers.items()})
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        unavailable("Chromium or chromedriver is not installed (Debian packages chromium, chromium-driver; "
                    ".ci/run installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--window-size=1280,1600", "--lang=es",
                     f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(argument)
    # Spanish first, as a Spanish-speaking reader's browser asks; and no JavaScript at all: the
    # pages must work without it
    options.add_experimental_option("prefs", {"intl.accept_languages": "es,en",
                                              "profile.managed_default_content_settings.javascript": 2})
    try:
        driver_ = webdriver.Chrome(options=options, service=Service(driver))
    except Exception as error:  # noqa: BLE001 (any failure to start is reported the same way)
        unavailable(f"Chromium did not start: {error}")
    yield driver_
    driver_.quit()


class Page(html.parser.HTMLParser):
    """What the tests read from a page: its lang, links, resources it loads, scripts, headings."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = None
        self.links: list[dict] = []      # <link>
        self.anchors: list[dict] = []    # <a href>
        self.loads: list[str] = []       # src= of anything, <link href> of stylesheets/icons
        self.scripts: list[dict] = []
        self.ids: set[str] = set()
        self._script: dict | None = None
        self._h1: list[str] | None = None
        self.h1 = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "html":
            self.lang = a.get("lang")
        if tag == "link":
            self.links.append(a)
            if a.get("rel") in ("stylesheet", "icon", "preload", "modulepreload", "manifest"):
                self.loads.append(a.get("href", ""))
        if tag == "a" and "href" in a:
            self.anchors.append(a)
        for key in ("src", "srcset", "poster", "data"):
            if key in a:
                self.loads.append(a[key])
        if tag == "script":
            self._script = {**a, "text": ""}
        if tag == "h1":
            self._h1 = []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None
        if tag == "h1" and self._h1 is not None:
            self.h1 = " ".join("".join(self._h1).split())
            self._h1 = None

    def handle_data(self, data):
        if self._script is not None:
            self._script["text"] += data
        if self._h1 is not None:
            self._h1.append(data)


def page(site: Path, path: str) -> Page:
    return Page((site / path).read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the files


def test_every_entity_has_its_files_at_its_iri_path(site, kg):
    subjects = {s for s in entity_iris(kg) if str(s).startswith(BASE + "id/")}
    assert CO in subjects and ETPV in subjects and len(subjects) > 200
    for entity in [*subjects, DOTTED]:
        path = document_path(str(entity))
        assert path == str(entity)[len(BASE):]
        for suffix in (".es.html", ".en.html", ".html", ".ttl", ".jsonld", ".nt"):
            assert (site / (path + suffix)).is_file(), f"{entity}: no {path}{suffix}"
    manifest = json.loads((site / "site.json").read_text())
    # the id/ entities and the named graphs described in the graph (graph/alignments)
    assert manifest["entities"] == len(entity_iris(kg)) == len(subjects) + 1
    assert manifest["base_url"] == BASE_URL
    assert (site / "graph/alignments.es.html").is_file()
    # the generic page is the Spanish one, for static hosts that map /x to x.html
    assert (site / "id/country/CO.html").read_bytes() == (site / "id/country/CO.es.html").read_bytes()
    for name in ("index.html", "index.es.html", "index.en.html", "ontology.es.html", "shapes.en.html",
                 "ontology.ttl", "shapes.ttl", "index/classes.es.html", "index/objectives.en.html",
                 "index/objective/16.es.html", "index/class/schema-Country.en.html", "sitemap.xml",
                 "assets/site.css"):
        assert (site / name).is_file(), name
    assert not [p for p in site.parent.iterdir() if p.name.startswith(".public.tmp-")], "temporary folder left"


def test_descriptions_hold_the_entity_in_three_formats(site, kg):
    for entity in (CO, ETPV, OBJECTIVE["16"], DOTTED):
        path = site / document_path(str(entity))
        graphs = {fmt: Graph().parse(path.with_name(path.name + "." + fmt),
                                     format={"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}[fmt])
                  for fmt in ("ttl", "jsonld", "nt")}
        assert isomorphic(graphs["ttl"], graphs["jsonld"]) and isomorphic(graphs["ttl"], graphs["nt"]), entity
        described = graphs["nt"]
        for triple in kg.graph.triples((entity, None, None)):
            assert triple in described, f"{entity}: {triple} missing"
        for triple in kg.graph.triples((None, None, entity)):
            assert triple in described, f"{entity}: incoming {triple} missing"
    # every N-Triples file of the site states only what the curated graph states
    for nt in site.rglob("*.nt"):
        if nt.name != "shapes.nt":
            extra = [t for t in Graph().parse(nt, format="nt") if t not in kg.graph]
            assert not extra, f"{nt}: {extra[:3]}"
    colombia = Graph().parse(site / "id/country/CO.ttl")
    assert (CO, OWL.sameAs, WD["Q739"]) in colombia
    assert (URIRef(BASE + "id/policy/co-decreto-216-2021"), URIRef("http://purl.org/dc/terms/spatial"), CO) in colombia


def test_files_are_the_same_on_every_run(site, kg):
    """Blank nodes and JSON-LD arrays are named and ordered by content, not by parse order."""
    from gcmgraph.site import SiteBuilder, stable_blank_nodes

    shapes = [kg.shapes(), kg.shapes()]  # two parses: different blank node ids
    first, second = (stable_blank_nodes(g) for g in shapes)
    assert len(first) == len(shapes[0]) > 1000
    assert len({n for t in first for n in t if isinstance(n, BNode)}) == \
        len({n for t in shapes[0] for n in t if isinstance(n, BNode)})
    for fmt in ("nt", "jsonld"):
        assert SiteBuilder.serialize(first, fmt) == SiteBuilder.serialize(second, fmt)
    # names that depend only on the content: equal files mean the same graph (cheaper than
    # rdflib.compare.isomorphic, which takes tens of seconds on the shapes)
    expected = SiteBuilder.serialize(first, "nt")
    for name, fmt in (("shapes.nt", "nt"), ("shapes.ttl", "turtle"), ("shapes.jsonld", "json-ld")):
        written = stable_blank_nodes(Graph().parse(site / name, format=fmt))
        assert SiteBuilder.serialize(written, "nt") == expected, name
    # the same triples added in another order give the same JSON-LD
    colombia = Graph().parse(site / "id/country/CO.nt")
    reordered = Graph()
    for triple in sorted(colombia, reverse=True):
        reordered.add(triple)
    for prefix, namespace in colombia.namespaces():
        reordered.bind(prefix, namespace, replace=True)
    assert SiteBuilder.serialize(colombia, "jsonld") == SiteBuilder.serialize(reordered, "jsonld")


def test_pages_say_their_language_alternates_and_canonical_address(site):
    for lang, other in (("es", "en"), ("en", "es")):
        colombia = page(site, f"id/country/CO.{lang}.html")
        assert colombia.lang == lang
        alternates = {(ln.get("type"), ln.get("hreflang")): ln["href"] for ln in colombia.links if ln.get("rel") == "alternate"}
        assert alternates[("text/turtle", None)] == "CO.ttl"
        assert alternates[("application/ld+json", None)] == "CO.jsonld"
        assert alternates[("application/n-triples", None)] == "CO.nt"
        assert alternates[(None, other)] == f"CO.{other}.html"
        canonical = [ln["href"] for ln in colombia.links if ln.get("rel") == "canonical"]
        assert canonical == [f"{BASE_URL}id/country/CO.{lang}.html"]
    sitemap = (site / "sitemap.xml").read_text()
    assert f"<loc>{BASE_URL}id/objective/16.en.html</loc>" in sitemap


def test_pages_embed_schema_org_json_ld(site):
    for lang in ("es", "en"):
        scripts = [s for s in page(site, f"id/country/CO.{lang}.html").scripts if s.get("type") == "application/ld+json"]
        assert len(scripts) == 1
        data = Graph().parse(data=scripts[0]["text"], format="json-ld")  # inline context: fetches nothing
        assert (CO, RDF.type, SDO.Country) in data
        assert (CO, SDO.name, Literal("Colombia", lang="en")) in data
        assert (CO, SDO.sameAs, WD["Q739"]) in data
        assert (CO, SDO.url, Literal(f"{BASE_URL}id/country/CO.{lang}.html")) in data
    policy = [s for s in page(site, "id/policy/co-etpv.en.html").scripts if s.get("type") == "application/ld+json"][0]
    data = Graph().parse(data=policy["text"], format="json-ld")
    assert (ETPV, SDO.name, Literal("Estatuto Temporal de Protección para venezolanos/as", lang="es")) in data
    assert (ETPV, SDO.spatialCoverage, CO) in data
    assert (ETPV, SDO.isBasedOn, URIRef(BASE + "id/source/unnm-lac-hitos-07")) in data


def test_nothing_is_loaded_from_another_host_and_no_script_runs(site):
    pages = list(site.rglob("*.html"))
    # three pages per entity (Spanish, English, the generic one) and the indexes and documentation
    assert len(pages) > 3 * json.loads((site / "site.json").read_text())["entities"]
    for path in pages:
        parsed = Page(path.read_text(encoding="utf-8"))
        outside = [u for u in parsed.loads if re.match(r"^(https?:)?//", u.strip(), re.I)]
        assert not outside, f"{path.relative_to(site)} loads {outside}"
        executable = [s for s in parsed.scripts if s.get("type") != "application/ld+json"]
        assert not executable, f"{path.relative_to(site)} has a script"
    for path in [*site.rglob("*.svg"), *site.rglob("*.css")]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"""(href|src)=["']\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//|@import""", text), path


def test_every_link_inside_the_site_leads_to_a_file(site):
    files = {str(p.relative_to(site)) for p in site.rglob("*") if p.is_file()}
    checked = 0
    for path in site.rglob("*.html"):
        folder = str(path.parent.relative_to(site))
        for target in re.findall(r'<(?:a|link) [^>]*href="([^"]+)"', path.read_text(encoding="utf-8")):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file = os.path.normpath(os.path.join(folder, target.split("#")[0]))
            assert file in files, f"{path.relative_to(site)}: broken link {target}"
            checked += 1
    assert checked > 10_000


def test_labels_translations_and_provenance_are_shown(site):
    es = (site / "id/policy/co-etpv.es.html").read_text()
    en = (site / "id/policy/co-etpv.en.html").read_text()
    assert '<h1><span lang="es">Estatuto Temporal de Protección para venezolanos/as</span></h1>' in es
    assert ('<h1><span lang="en-t-es">Temporary Protection Statute for Venezuelans</span> '
            '<small class="note">(curators&#39; translation from Spanish)</small></h1>') in en
    # both languages on each page, with their tags
    assert "Temporary Protection Statute for Venezuelans" in es and "Estatuto Temporal" in en
    # where the statements come from and how far that source is verified
    assert "Lo afirma la fuente" in es and "afirmación de la fuente" in es
    assert "Stated by the source" in en and "claim of the source" in en
    assert "Hitos clave y avances #7" in es
    # the relation to the country is a link to the country's page in the same language
    assert '<a href="../country/CO.es.html"><span lang="es-t-en">Colombia</span>' in es
    # an editorial mapping says so, with the curators' justification
    event = (site / "id/event/primer-conversatorio-mdp-2023.en.html").read_text()
    assert "editorial mapping" in event
    assert "Guiding principle (g) is gender-responsive" in event
    # a country named in Spanish by the curators from the English list says so
    colombia = page(site, "id/country/CO.es.html")
    assert colombia.h1 == "Colombia (traducción de los curadores del inglés)"


def test_indexes_per_class_and_per_objective(site, kg):
    countries = (site / "index/class/schema-Country.en.html").read_text()
    assert countries.count('href="../../id/country/') == len(set(kg.graph.subjects(RDF.type, SDO.Country)))
    assert "Colombia" in countries and "Honduras" in countries
    objective = (site / "index/objective/16.en.html").read_text()
    assert "Temporary Protection Statute for Venezuelans" in objective
    assert "through its theme" in objective and "Socio-economic integration of migrants" in objective
    assert "editorial mapping" in objective  # the recommendations mapped by the curators
    empty = (site / "index/objective/1.es.html").read_text()
    assert "No hay políticas ni instancias registradas para este objetivo." in empty
    objectives = page(site, "index/objectives.es.html")
    assert "coverage.es.svg" in objectives.loads
    svg = (site / "index/coverage.es.svg").read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and len(svg) > 10_000
    home = (site / "index.en.html").read_text()
    assert f"{len(entity_iris(kg))} entity pages" in home


def test_ontology_and_shapes_documentation_in_both_languages(site):
    ontology_es, ontology_en = page(site, "ontology.es.html"), page(site, "ontology.en.html")
    assert {"LocalAuthority", "addressesObjective", "ClaimOfSource"} <= ontology_es.ids & ontology_en.ids
    es_text = (site / "ontology.es.html").read_text()
    assert '<span lang="es">Autoridad local</span>' in es_text
    assert '<span lang="en">Local authority</span>' in (site / "ontology.en.html").read_text()
    shapes_en, shapes_es = (site / "shapes.en.html").read_text(), (site / "shapes.es.html").read_text()
    assert 'id="CountryShape"' in shapes_en and 'id="SpanishLabel"' in shapes_en
    assert "The country&#39;s M49 code (gcm:m49Code) is missing." in shapes_en
    assert "Falta el código M49 del país (gcm:m49Code)." in shapes_es
    assert "Aviso" in shapes_es and "Warning" in shapes_en
    # an ontology term links to its hash IRI's document
    assert 'href="../../ontology.en.html#addressesObjective"' in (site / "id/theme/integracion-socioeconomica.en.html").read_text()


def test_a_failed_build_leaves_the_previous_site(site, kg, tmp_path):
    out = tmp_path / "public"
    out.mkdir()
    (out / "keep.txt").write_text("the previous site")
    with pytest.raises(InputError, match="not an http"):
        build_site(kg, out, base_url="ftp://example.org/")
    with pytest.raises(InputError, match="exists and is not a folder"):
        build_site(kg, out / "keep.txt")

    def interrupt(message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_site(kg, out, progress=interrupt)
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".public.tmp-")]


# ---------------------------------------------------------------------------------------------
# content negotiation over HTTP


def test_negotiation_rules():
    available = ["text/html", "text/turtle", "application/ld+json", "application/n-triples"]
    assert negotiate(None, available) == "text/html"
    assert negotiate("*/*", available) == "text/html"
    assert negotiate("application/*", available) == "application/ld+json"
    assert negotiate("text/turtle;q=0.5, application/n-triples", available) == "application/n-triples"
    assert negotiate("text/*;q=0.9, text/html;q=0", available) == "text/turtle"
    assert negotiate("application/json", available) == "application/ld+json"
    assert negotiate("image/png, text/turtle;q=0", available) is None
    assert choose_language("fr, en;q=0.8, es;q=0.5", ["es", "en"], "es") == "en"
    assert choose_language("de", ["es", "en"], "es") == "es"
    assert choose_language(None, ["es", "en"], "es") == "es"


@pytest.mark.parametrize("accept, document, content_type", [
    ("text/turtle", "id/country/CO.ttl", "text/turtle; charset=utf-8"),
    ("application/ld+json", "id/country/CO.jsonld", "application/ld+json"),
    ("application/n-triples", "id/country/CO.nt", "application/n-triples; charset=utf-8"),
    ("text/html", "id/country/CO.es.html", "text/html; charset=utf-8"),
    ("text/html;q=0.3, application/ld+json;q=0.9, */*;q=0.1", "id/country/CO.jsonld", "application/ld+json"),
])
def test_entity_iri_answers_303_to_the_document(server, site, accept, document, content_type):
    status, headers, body = fetch(server + "id/country/CO", Accept=accept)
    assert status == 303
    assert headers["location"] == "/" + document
    assert "Accept" in headers["vary"] and "Accept-Language" in headers["vary"]
    status, headers, body = fetch(urljoin(server, headers["location"]))
    assert status == 200 and headers["content-type"] == content_type
    assert body == (site / document).read_bytes()
    if not document.endswith(".html"):
        parsed = Graph().parse(data=body, format={"ttl": "turtle", "jsonld": "json-ld", "nt": "nt"}[document.rsplit(".", 1)[1]])
        assert (CO, OWL.sameAs, WD["Q739"]) in parsed


def test_language_follows_accept_language(server):
    for languages, page_name in (("en-GB,en;q=0.9", "16.en.html"), ("es-CO", "16.es.html"),
                                 ("fr, en;q=0.5, es;q=0.4", "16.en.html"), ("de", "16.es.html")):
        status, headers, _ = fetch(server + "id/objective/16", Accept="text/html", Accept_Language=languages)
        assert status == 303 and headers["location"] == "/id/objective/" + page_name, languages
    status, headers, _ = fetch(server + "id/objective/16")
    assert status == 303 and headers["location"] == "/id/objective/16.es.html"


def test_406_lists_what_is_available(server):
    for accept in ("image/png", "text/turtle;q=0, text/html;q=0, application/*;q=0"):
        status, headers, body = fetch(server + "id/country/CO", Accept=accept)
        assert status == 406, accept
        assert "Accept" in headers["vary"]
        text = body.decode()
        for media in ("text/html", "text/turtle", "application/ld+json", "application/n-triples"):
            assert media in text
        assert 'rel="alternate"; type="text/turtle"' in headers["link"]


def test_hash_iri_documents_answer_200_with_content_location(server, site):
    status, headers, body = fetch(server + "ontology", Accept="text/turtle")
    assert status == 200 and headers["content-location"] == "/ontology.ttl"
    assert headers["content-type"] == "text/turtle; charset=utf-8" and "Accept" in headers["vary"]
    assert (URIRef(BASE + "ontology#LocalAuthority"), RDF.type, OWL.Class) in Graph().parse(data=body, format="turtle")
    status, headers, body = fetch(server + "shapes", Accept="text/html", Accept_Language="en")
    assert status == 200 and headers["content-location"] == "/shapes.en.html" and b'id="CountryShape"' in body
    status, headers, body = fetch(server, Accept="text/html", Accept_Language="en")
    assert status == 200 and headers["content-location"] == "/index.en.html"


def test_head_and_methods(server):
    _, get_headers, get_body = fetch(server + "id/country/CO.ttl")
    status, headers, body = fetch(server + "id/country/CO.ttl", method="HEAD")
    assert status == 200 and body == b"" and headers["content-length"] == str(len(get_body))
    assert headers["content-type"] == get_headers["content-type"]
    status, headers, body = fetch(server + "id/country/CO", method="HEAD", Accept="text/turtle")
    assert status == 303 and headers["location"] == "/id/country/CO.ttl" and body == b""
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"):
        status, headers, _ = fetch(server + "id/country/CO", method=method)
        assert status == 405 and headers["allow"] == "GET, HEAD", method


def raw_get(server: str, path: str) -> int:
    """A request with the path sent exactly as given (urllib would tidy it)."""
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_no_path_leaves_the_site(server, site):
    secret = site.parent / "secret.txt"
    secret.write_text("outside the site")
    outside = site / "id" / "outside-link.ttl"
    outside.symlink_to(secret)
    try:
        for path in ("/../secret.txt", "/id/../../secret.txt", "/%2e%2e/secret.txt", "/id/%2E%2E/%2E%2E/secret.txt",
                     "/..%2fsecret.txt", "/id/outside-link.ttl", "/id/outside-link", "/.public.lock"):
            assert raw_get(server, path) in (403, 404), path
        assert raw_get(server, "/id/country/XX") == 404
        assert raw_get(server, "/id/") == 404  # no folder listings
        assert raw_get(server, "/id/country/CO.ttl") == 200
    finally:
        outside.unlink()


def test_serve_site_refuses_a_folder_that_is_not_a_site(tmp_path):
    result = run_cli("serve-site", str(tmp_path), "--port", "0")
    assert result.returncode == 2
    assert "not a site written by gcmgraph" in result.stderr and "gcmgraph site --out" in result.stderr


# ---------------------------------------------------------------------------------------------
# a real browser


def test_browser_reads_pages_in_spanish_and_english(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    def h1() -> str:
        return browser.find_element(By.TAG_NAME, "h1").text

    # the thing's IRI: the browser follows the 303 to the page in its language (Spanish first)
    cases = [
        ("id/objective/16", "Inclusión y cohesión social",
         "Empower migrants and societies to realize full inclusion and social cohesion"),
        ("id/country/CO", "Colombia", "Colombia"),
        ("id/policy/co-etpv", "Estatuto Temporal de Protección para venezolanos/as",
         "Temporary Protection Statute for Venezuelans"),
    ]
    for path, spanish, english in cases:
        browser.get(server + path)
        assert browser.current_url == f"{server}{path}.es.html"
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
        assert browser.title == f"{spanish} · gcmgraph"
        assert h1().startswith(spanish)
        browser.find_element(By.ID, "switch-lang").click()  # the language switch
        assert browser.current_url == f"{server}{path}.en.html"
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert browser.title == f"{english} · gcmgraph"
        assert h1().startswith(english)

    # the Spanish label of objective 16 is on the English page too, tagged Spanish
    browser.get(server + "id/objective/16.en.html")
    spanish_names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".names [lang=es]")]
    assert "Inclusión y cohesión social" in spanish_names

    # follow a relation: the policy's territory is Colombia's page, in the same language
    browser.get(server + "id/policy/co-etpv.en.html")
    browser.find_element(By.LINK_TEXT, "Colombia").click()
    assert browser.current_url == f"{server}id/country/CO.en.html"
    assert h1() == "Colombia"
    assert "Country" in browser.find_element(By.CLASS_NAME, "types").text

    # the heat map is drawn, and a screenshot of the page that shows it
    browser.get(server + "index/objectives.en.html")
    image = browser.find_element(By.CSS_SELECTOR, "figure img")
    assert int(image.get_attribute("naturalWidth")) > 500
    shot = tmp_path / "objectives.en.png"
    assert browser.save_screenshot(str(shot))
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
