"""The exchange store's Alembic migrations (run by ``ExchangeStore.init`` and ``upgrade``)."""
