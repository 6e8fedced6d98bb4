"""Tables of results (model summaries, scoring histories, metric tables), as H2O shows them.

The engine builds :class:`Table` objects; the server writes them as TwoDimTableV3. Columns
carry H2O's type names ("string", "int", "long", "double", "float") and printf formats.
"""

from dataclasses import dataclass, field


@dataclass
class Column:
    name: str
    type: str = "double"
    format: str = "%f"
    description: str = ""


@dataclass
class Table:
    """A named table of rows (a list of lists, one value per column).

    The first column of an H2O table is often a row label with an empty name; give it as a
    Column("", "string", "%s").
    """

    name: str
    columns: list
    rows: list = field(default_factory=list)
    description: str = ""

    def column(self, name):
        """The values of the column called ``name``."""
        index = [c.name for c in self.columns].index(name)
        return [row[index] for row in self.rows]

    def append(self, row):
        if len(row) != len(self.columns):
            raise ValueError(f"table '{self.name}' has {len(self.columns)} columns, row has {len(row)}")
        self.rows.append(list(row))


def col(name, kind="double", description=None, fmt=None):
    """A Column with H2O's default format for its type."""
    formats = {"string": "%s", "int": "%d", "long": "%d", "double": "%f", "float": "%f"}
    return Column(name, kind, fmt or formats.get(kind, "%s"), description if description is not None else name)
