//! S3 Inventory reports: manifest.json and CSV / CSV.gz / Parquet data files (being written).
