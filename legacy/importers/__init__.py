"""One module per predecessor service. Each has `tables(run) -> list[Table]`, in the order their
foreign keys need, and may have `finish(run)` (derived values) and `NEEDS_OWNER = True`.
"""

IMPORTERS = {
    "accounts-service": "legacy.importers.accounts",
    "sprockets-service": "legacy.importers.sprockets",
    "catalog-service": "legacy.importers.catalog",
    "posts-service": "legacy.importers.posts",
    "messaging-service": "legacy.importers.messaging",
}
