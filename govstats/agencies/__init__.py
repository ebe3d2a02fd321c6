"""Who published a document and where: agency names, kinds, levels, regions and identities across years."""
