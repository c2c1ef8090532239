"""One module per revision of the exchange store's schema, oldest first."""
