"""One reader per input format: bytes → text blocks and grids of located cells."""
