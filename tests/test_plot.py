"""Pictures: the coverage heat map and the actor-objective network, from Python and the command line."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

pytest.importorskip("matplotlib", reason="the plot extra is not installed: pip install 'gcmgraph[plot]'")

from gcmgraph import plot  # noqa: E402
from gcmgraph.errors import InputError  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_png(path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path
    assert len(data) > 10_000, path  # a real picture, not an empty canvas


def texts(figure) -> str:
    """Every piece of text drawn on the figure (titles, tick labels, annotations, notes)."""
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in figure.findobj(Text))


COLUMNS = ["country", "countryLabel", "iso2", "objective", "objectiveNumber", "objectiveLabel", "policies"]


def coverage_rows(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(country=f"https://w3id.org/gcmgraph/id/country/{iso2}", countryLabel=label,
                              iso2=iso2, objective=f"https://w3id.org/gcmgraph/id/objective/{n}",
                              objectiveNumber=n, objectiveLabel="", policies=count)
                         for iso2, label, n, count in rows], columns=COLUMNS)


@pytest.mark.parametrize("lang, title, column", [
    ("es", "Cobertura de los objetivos del PMM por país", "16 · Inclusión y cohesión social"),
    ("en", "GCM objective coverage by country", "16 · Inclusion and social cohesion"),
])
def test_coverage_heatmap_in_both_languages(kg, tmp_path, lang, title, column):
    figure = plot.coverage_heatmap(kg, lang)
    drawn = texts(figure)
    assert title in drawn
    assert column in drawn
    assert ("México" if lang == "es" else "Mexico") in drawn
    axes = figure.axes[0]
    assert len(axes.get_xticklabels()) == 23  # every objective, also those with no policy
    assert len(figure.axes) == 2  # the heat map and its colour bar
    path = plot.save(figure, tmp_path / f"coverage-{lang}.png")
    assert_png(path)


def test_coverage_matrix_counts_and_zeros():
    matrix = plot.coverage_matrix(coverage_rows(("CO", "Colombia", 16, 2), ("CO", "Colombia", 3, 1),
                                                ("HN", "Honduras", 16, 1)))
    assert list(matrix.index) == ["Colombia", "Honduras"]
    assert list(matrix.columns) == list(range(1, 24))
    assert matrix.loc["Colombia", 16] == 2 and matrix.loc["Honduras", 3] == 0


def test_zeros_are_drawn_empty():
    figure = plot.coverage_heatmap(data=coverage_rows(("CO", "Colombia", 16, 2)), lang="en")
    annotations = [t.get_text() for t in figure.axes[0].texts]
    assert annotations == ["2"]  # one number, in the one cell with policies; no zeros written


def test_no_rows_is_a_clear_error():
    with pytest.raises(plot.NoDataError, match="returned no rows"):
        plot.coverage_heatmap(data=coverage_rows(), lang="es")


def test_missing_columns_are_named():
    with pytest.raises(InputError, match="policies"):
        plot.coverage_heatmap(data=pd.DataFrame({"country": ["x"], "countryLabel": ["X"], "iso2": ["XX"],
                                                 "objectiveNumber": [1]}))


def test_missing_query_is_an_input_error(kg):
    with pytest.raises(InputError):
        plot.coverage_heatmap(kg, query="no-such-query")


def test_network_figure(kg, tmp_path):
    for lang, title in (("es", "Actores y objetivos del PMM"), ("en", "Actors and GCM objectives")):
        figure = plot.network_figure(kg, lang)
        drawn = texts(figure)
        assert title in drawn
        assert "Tapachula" in drawn
        assert_png(plot.save(figure, tmp_path / f"network-{lang}.png"))


def test_save_refuses_unknown_picture_format(kg, tmp_path):
    figure = plot.coverage_heatmap(data=coverage_rows(("CO", "Colombia", 16, 2)))
    with pytest.raises(InputError, match=".png"):
        plot.save(figure, tmp_path / "coverage.jpg")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("lang", ["es", "en"])
def test_cli_plot_coverage(cli, tmp_path, lang):
    out = tmp_path / "coverage.png"
    result = cli("plot", "coverage", "--out", str(out), "--lang", lang)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert_png(out)


def test_cli_plot_network(cli, tmp_path):
    out = tmp_path / "network.png"
    result = cli("plot", "network", "--out", str(out), "--lang", "en")
    assert result.returncode == 0, result.stderr
    assert_png(out)


def test_cli_plot_coverage_query_without_rows(cli, tmp_path):
    empty = tmp_path / "empty.rq"
    empty.write_text(
        "SELECT ?country ?countryLabel ?iso2 ?objective ?objectiveNumber ?objectiveLabel ?policies\n"
        "WHERE { FILTER(false) }\n", encoding="utf-8")
    out = tmp_path / "coverage.png"
    result = cli("plot", "coverage", "--out", str(out), "--query", str(empty))
    assert result.returncode == 1
    assert "no rows" in result.stderr
    assert not out.exists()


def test_cli_plot_unknown_query_and_suffix(cli, tmp_path):
    result = cli("plot", "coverage", "--out", str(tmp_path / "c.png"), "--query", "no-such-query")
    assert result.returncode == 2 and "error:" in result.stderr
    result = cli("plot", "coverage", "--out", str(tmp_path / "c.gif"))
    assert result.returncode == 2 and ".png" in result.stderr
    assert not list(tmp_path.iterdir())


def test_without_matplotlib_the_command_says_what_to_install(tmp_path):
    """Hide matplotlib from a fresh interpreter: `gcmgraph plot` exits 2 naming the extra."""
    script = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'matplotlib' or name.startswith('matplotlib.'):\n"
        "            raise ImportError('hidden for the test')\n"
        "sys.meta_path.insert(0, Hide())\n"
        "import gcmgraph\n"
        "assert 'matplotlib' not in sys.modules, 'import gcmgraph must not import matplotlib'\n"
        "from gcmgraph.cli import main\n"
        f"sys.argv = ['gcmgraph', 'plot', 'coverage', '--out', {str(tmp_path / 'c.png')!r}]\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert result.returncode == 2, result.stderr
    assert "pip install 'gcmgraph[plot]'" in result.stderr


def test_core_import_does_not_load_matplotlib():
    result = subprocess.run([sys.executable, "-c", "import sys, gcmgraph, gcmgraph.network, gcmgraph.cli; "
                             "print('matplotlib' in sys.modules)"], capture_output=True, text=True, timeout=600)
    assert result.stdout.strip() == "False", result.stderr
