//! Synthetic workloads: seeded generators of S3 access logs and inventories (being written).
