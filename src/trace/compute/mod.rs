//! Compute evidence: hourly usage, job traces and spot price history (being written).
