//! Placeholder; the fleet benchmark is written with its module.
fn main() {}
