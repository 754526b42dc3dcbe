"""statsvc: a Gnocchi-style statistics REST service built on a plugin core."""
