"""Pure rules: no database, no I/O. Services call these and persist the outcome."""
