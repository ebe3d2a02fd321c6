"""Pure string helpers: keys and width folding for matching, encodings, repair of markup and glosses."""
