"""Per-flow catalogs: each module defines FR and EN dicts with the same keys (checked by the tests)."""
