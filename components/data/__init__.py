"""The parts of GlobalData, one module each: keys, storage, tables, database."""
