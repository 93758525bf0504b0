//! S3 server access logs (being written).
