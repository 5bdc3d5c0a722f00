"""drill's built-in question bank: one ``<topic>.yaml`` file per topic (data only)."""
