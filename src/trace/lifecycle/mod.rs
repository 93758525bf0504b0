//! S3 lifecycle configurations: JSON, XML, validation and writing (being written).
