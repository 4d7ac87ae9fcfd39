"""Pictures of the graph with matplotlib: the country x objective coverage heat map and the
actor-objective network.

matplotlib is an optional dependency (``pip install 'gcmgraph[plot]'``), imported inside the
functions, so ``import gcmgraph`` never needs it. Figures are built with the object-oriented API on
an Agg canvas: no display, no pyplot state; in a notebook, ``display(fig)`` shows them inline.
"""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.namespaces import objective

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.figure import Figure

    from gcmgraph.graph import KnowledgeGraph

__all__ = ["COVERAGE_COLUMNS", "NoDataError", "coverage_heatmap", "network_figure", "save"]

INSTALL_HINT = "pip install 'gcmgraph[plot]'"
COVERAGE_QUERY = "objective-coverage"
#: the columns the heat map reads from the coverage query (the catalogue query's contract)
COVERAGE_COLUMNS = ("country", "countryLabel", "iso2", "objectiveNumber", "policies")
OBJECTIVES = range(1, 24)
IMAGE_FORMATS = ("png", "svg", "pdf")
DISCRETE_MAX = 10

TEXT = {
    "es": {
        "coverage_title": "Cobertura de los objetivos del PMM por país",
        "coverage_x": "Objetivo del PMM",
        "coverage_y": "País",
        "coverage_bar": "Número de políticas",
        "coverage_note": "Celdas vacías: ninguna política registrada.",
        "network_title": "Actores y objetivos del PMM",
        "network_note": "Grosor de la línea: número de políticas u órganos que los vinculan. "
                        "Línea continua: vínculo afirmado por una fuente; discontinua: mapeo editorial.",
        "actors": "Actores",
        "objectives": "Objetivos del PMM",
    },
    "en": {
        "coverage_title": "GCM objective coverage by country",
        "coverage_x": "GCM objective",
        "coverage_y": "Country",
        "coverage_bar": "Number of policies",
        "coverage_note": "Empty cells: no policy recorded.",
        "network_title": "Actors and GCM objectives",
        "network_note": "Line width: number of policies or bodies linking them. "
                        "Solid line: link stated by a source; dashed: editorial mapping.",
        "actors": "Actors",
        "objectives": "GCM objectives",
    },
}


class NoDataError(GcmgraphError):
    """The query behind a picture returned nothing to draw."""

    exit_code = 1


def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        raise InputError("plotting needs matplotlib, which is not installed",
                         hint=f"Install it with: {INSTALL_HINT}") from None
    return matplotlib, Figure, FigureCanvasAgg


def _new_figure(width: float, height: float) -> Figure:
    _, Figure, FigureCanvasAgg = _matplotlib()
    figure = Figure(figsize=(width, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _check_lang(lang: str) -> str:
    if lang not in TEXT:
        raise InputError(f"unknown language {lang!r}", hint="Use es or en.")
    return lang


def _short_label(kg: KnowledgeGraph | None, number: int, lang: str) -> str:
    """The objective's short label (skos:altLabel) in ``lang``, else its label, else nothing."""
    if kg is None:
        return ""
    from rdflib import Literal
    from rdflib.namespace import SKOS

    node = objective(number)
    for literal in kg.graph.objects(node, SKOS.altLabel):
        if isinstance(literal, Literal) and (literal.language or "").split("-")[0] == lang:
            return str(literal)
    return kg.label(node, lang) or ""


def coverage_matrix(data: pd.DataFrame) -> pd.DataFrame:
    """Countries (rows, by label) x the 23 objectives (columns), number of policies, 0 when none."""
    nothing = NoDataError(f"the query {COVERAGE_QUERY} returned no rows: no policy is linked to a "
                          "GCM objective in any country, so there is nothing to draw")
    if data.empty:
        raise nothing
    missing = [c for c in COVERAGE_COLUMNS if c not in data.columns]
    if missing:
        raise InputError(f"the coverage data lacks the column(s) {', '.join(missing)}",
                         hint=f"It needs {', '.join(COVERAGE_COLUMNS)} "
                              f"(the columns of the catalogue query {COVERAGE_QUERY}).")
    frame = data.dropna(subset=["country", "objectiveNumber"])
    if frame.empty:  # rows whose variables are all unbound are no rows
        raise nothing
    frame = frame.copy()
    labels = frame["countryLabel"].astype("string")
    frame["row"] = labels.fillna(frame["iso2"].astype("string")).fillna(frame["country"].astype("string"))
    frame["objectiveNumber"] = pd.to_numeric(frame["objectiveNumber"], errors="coerce")
    frame["policies"] = pd.to_numeric(frame["policies"], errors="coerce").fillna(0)
    frame = frame[frame["objectiveNumber"].isin(list(OBJECTIVES))]
    matrix = frame.pivot_table(index="row", columns="objectiveNumber", values="policies",
                               aggfunc="sum", fill_value=0)
    matrix = matrix.reindex(columns=list(OBJECTIVES), fill_value=0).astype(int)
    matrix.columns = [int(c) for c in matrix.columns]
    if matrix.empty or not matrix.to_numpy().any():
        raise nothing
    return matrix.sort_index(key=lambda index: index.str.casefold())


def coverage_heatmap(kg: KnowledgeGraph | None = None, lang: str = "es", data: pd.DataFrame | None = None,
                     query: str | Path = COVERAGE_QUERY) -> Figure:
    """The country x GCM objective heat map: cells count policies, empty cells have none.

    ``data`` is the result of the catalogue query ``objective-coverage`` (run on ``kg`` in
    ``lang`` when not given; ``query`` may name another query or ``.rq`` file with the same
    columns). Column labels are the objectives' numbers and short labels from ``kg``.
    """
    _check_lang(lang)
    if data is None:
        if kg is None:
            raise InputError("coverage_heatmap needs the graph or the query's data",
                             hint="Call coverage_heatmap(kg) or coverage_heatmap(data=frame).")
        data = kg.query(query, lang=lang)
    if not isinstance(data, pd.DataFrame):
        raise InputError(f"the query {query} must be a SELECT giving a table, not {type(data).__name__}")
    matrix = coverage_matrix(data)
    matplotlib, _, _ = _matplotlib()
    import matplotlib.ticker  # noqa: F401  (matplotlib.ticker.MaxNLocator below)
    import numpy as np

    text = TEXT[lang]
    rows, columns = matrix.shape
    figure = _new_figure(max(11.0, 4.0 + 0.5 * columns), 3.6 + 0.42 * rows)
    axes = figure.add_subplot()
    values = np.ma.masked_equal(matrix.to_numpy(), 0)
    top = max(int(matrix.to_numpy().max()), 1)
    # one colour per count up to DISCRETE_MAX, from the readable middle of the ramp (its palest
    # end looks empty); beyond that a continuous scale
    if top <= DISCRETE_MAX:
        ramp = matplotlib.colormaps["YlGnBu"](np.linspace(0.3, 0.9, top) if top > 1 else [0.55])
        colours = matplotlib.colors.ListedColormap(ramp)
        norm = matplotlib.colors.BoundaryNorm(np.arange(0.5, top + 1.5), colours.N)
        ticks = range(1, top + 1)
    else:
        colours = matplotlib.colors.ListedColormap(matplotlib.colormaps["YlGnBu"](np.linspace(0.3, 0.9, 256)))
        norm = matplotlib.colors.Normalize(1, top)
        ticks = matplotlib.ticker.MaxNLocator(integer=True)
    axes.set_facecolor("#f4f4f4")
    image = axes.imshow(values, cmap=colours, norm=norm, aspect="auto", interpolation="nearest")
    for (row, column), count in np.ndenumerate(matrix.to_numpy()):
        if count:
            red, green, blue, _ = colours(norm(count))
            dark = 0.299 * red + 0.587 * green + 0.114 * blue < 0.55
            axes.text(column, row, str(count), ha="center", va="center", fontsize=10,
                      fontweight="bold", color="white" if dark else "#1a1a1a")
    axes.set_xticks(range(columns))
    axes.set_xticklabels([f"{n} · {_short_label(kg, n, lang)}" if kg is not None else str(n)
                          for n in matrix.columns],
                         rotation=60 if kg is not None else 0, ha="right" if kg is not None else "center",
                         rotation_mode="anchor", fontsize=8.5)
    axes.set_yticks(range(rows))
    axes.set_yticklabels(matrix.index, fontsize=10)
    axes.set_xticks(np.arange(-0.5, columns), minor=True)
    axes.set_yticks(np.arange(-0.5, rows), minor=True)
    axes.grid(which="minor", color="white", linewidth=1.5)
    axes.tick_params(which="minor", length=0)
    for side in axes.spines.values():
        side.set_visible(False)
    axes.set_xlabel(text["coverage_x"])
    axes.set_ylabel(text["coverage_y"])
    axes.set_title(text["coverage_title"], fontsize=14, fontweight="bold", loc="left")
    bar = figure.colorbar(image, ax=axes, ticks=ticks, shrink=0.9 if rows > 3 else 1.0,
                          aspect=max(5, 4 * rows), pad=0.01)
    bar.set_label(text["coverage_bar"])
    figure.text(0.01, 0.005, text["coverage_note"], fontsize=8, color="#555555", ha="left", va="bottom")
    return figure


def network_figure(kg: KnowledgeGraph | nx.Graph, lang: str = "es") -> Figure:
    """The actor-objective projection as two columns: actors left, objectives right, one line per
    link, as thick as the number of policies or bodies behind it."""
    import networkx as nx

    from gcmgraph.network import actor_objective

    _check_lang(lang)
    G = actor_objective(kg, lang)
    if G.number_of_edges() == 0:
        raise NoDataError("no actor is linked to a GCM objective: there is no network to draw")
    text = TEXT[lang]
    objectives = sorted((n for n, side in G.nodes(data="bipartite") if side == 1),
                        key=lambda n: int(G.nodes[n].get("notation", 0)))
    position = {n: float(i) for i, n in enumerate(reversed(objectives))}
    # actors at the mean height of their objectives, so fewer lines cross
    actors = sorted((n for n, side in G.nodes(data="bipartite") if side == 0),
                    key=lambda n: (sum(position[o] for o in G[n]) / len(G[n]), G.nodes[n]["label"]))
    spread = max(len(objectives) - 1, 1) / max(len(actors) - 1, 1)
    actor_y = {n: i * spread for i, n in enumerate(actors)}
    height = max(len(actors), len(objectives))
    figure = _new_figure(12.0, 2.0 + 0.5 * height)
    axes = figure.add_subplot()
    widest = max(d["weight"] for *_, d in G.edges(data=True))
    for actor, target, data in G.edges(data=True):
        if G.nodes[actor].get("bipartite") != 0:
            actor, target = target, actor
        stated = "stated" in data.get("basis", "")
        axes.plot([0, 1], [actor_y[actor], position[target]], color="#2c7fb8" if stated else "#d95f0e",
                  linewidth=1.0 + 3.0 * data["weight"] / widest, alpha=0.7, zorder=1,
                  linestyle="-" if stated else "--")
    axes.scatter([0] * len(actors), [actor_y[a] for a in actors], s=90, color="#31a354", zorder=2)
    axes.scatter([1] * len(objectives), [position[o] for o in objectives], s=90, color="#756bb1", zorder=2)
    for actor in actors:
        label = textwrap.shorten(G.nodes[actor]["label"], 60, placeholder="…")
        axes.text(-0.03, actor_y[actor], f"{label}\n({G.nodes[actor]['type']})", ha="right",
                  va="center", fontsize=8.5)
    for node in objectives:
        short = _short_label(None if isinstance(kg, nx.Graph) else kg, int(G.nodes[node]["notation"]), lang)
        name = f"{G.nodes[node]['notation']} · {short}" if short else G.nodes[node]["label"]
        axes.text(1.03, position[node], name, ha="left", va="center", fontsize=9)
    axes.text(0, height - 0.3, text["actors"], ha="right", fontweight="bold")
    axes.text(1, height - 0.3, text["objectives"], ha="left", fontweight="bold")
    axes.set_xlim(-1.2, 1.9)
    axes.set_ylim(-0.8, height + 0.2)
    axes.axis("off")
    axes.set_title(text["network_title"], fontsize=14, fontweight="bold", loc="left")
    figure.text(0.01, 0.005, text["network_note"], fontsize=8, color="#555555", ha="left", va="bottom")
    return figure


def save(figure: Figure, path: Path | str, fmt: str | None = None) -> Path:
    """Write ``figure`` as PNG, SVG or PDF (from the suffix when ``fmt`` is not given), whole or
    not at all."""
    from gcmgraph.export import write_atomic

    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in IMAGE_FORMATS:
        raise InputError(f"cannot write a picture as {fmt or '(no suffix)'!r}", path=path,
                         hint=f"Give --out a name ending in one of: {', '.join('.' + f for f in IMAGE_FORMATS)}.")
    buffer = io.BytesIO()
    figure.savefig(buffer, format=fmt, dpi=150 if fmt == "png" else None)
    write_atomic(path, buffer.getvalue())
    return path
