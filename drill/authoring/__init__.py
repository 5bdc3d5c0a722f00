"""drill.authoring: proving and writing questions — drill check (check, quality, param_reads) and
the templates of drill new / drill solvers."""
