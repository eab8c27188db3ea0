"""Use cases, one module per area. Every public method takes the caller's Principal first."""
