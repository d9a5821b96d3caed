"""Import and export of the catalog exchange format `aiplus-catalog/1` (catalog-format.md).

- `document`: the format's fields and errors, reading and writing the file's text;
- `reading`: a record's values checked by the API's serializers, in the format's words;
- `importing`: `import_catalog`, all or nothing;
- `export`: `export_catalog`.
"""

from matchmaking.catalog_io.document import (
    FORMAT,
    IMPORT_STATUSES,
    CatalogError,
    CatalogImportError,
    ImportResult,
    dump_catalog,
    parse_document,
)
from matchmaking.catalog_io.export import export_catalog, stable_keys
from matchmaking.catalog_io.importing import import_catalog

__all__ = [
    "FORMAT",
    "IMPORT_STATUSES",
    "CatalogError",
    "CatalogImportError",
    "ImportResult",
    "dump_catalog",
    "export_catalog",
    "import_catalog",
    "parse_document",
    "stable_keys",
]
