"""How the handlers are packaged for Lambda, without Pulumi: which handler ships for which
architecture (targets), the slice of uv.lock each needs (lock_closure), deterministic zips of
their code (zips, handler_code) and the committed record of the dependency build (record).

Used by ci/ (which builds the dependency layers) and by components/ (whose artifacts.py turns
the record and the zips into pulumi archives at program time)."""
