"""gcmgraph: a knowledge graph of migration governance and the Global Compact for Migration.

>>> import gcmgraph
>>> kg = gcmgraph.load()
>>> report = kg.validate()
>>> report.conforms
True
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("gcmgraph")
except PackageNotFoundError:  # running from a checkout without an install
    __version__ = "0.0.0"

from gcmgraph.errors import GcmgraphError, InputError
from gcmgraph.graph import GraphNotFoundWarning, KnowledgeGraph, connect, load
from gcmgraph.namespaces import GCM, objective
from gcmgraph.validation import Severity, ValidationReport, ValidationResult

__all__ = [
    "GCM",
    "GcmgraphError",
    "GraphNotFoundWarning",
    "InputError",
    "KnowledgeGraph",
    "Severity",
    "ValidationReport",
    "ValidationResult",
    "connect",
    "load",
    "objective",
]
