"""The collaboration FilterSets, one module per part (as the models): each serves the
list page and the API list alike (core.filtering)."""
