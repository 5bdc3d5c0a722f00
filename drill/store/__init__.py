"""drill.store: the progress database (SQLite); plain data in, plain data out, no rich."""
