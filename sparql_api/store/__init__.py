"""One store interface (``base.Store``), two backends: embedded Oxigraph and any remote SPARQL 1.1 store."""
