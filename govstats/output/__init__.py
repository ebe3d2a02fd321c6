"""The package: typed chunks → CSV/Parquet, descriptor, workbook, publication, validation."""
