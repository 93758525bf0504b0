//! Placeholder; the optimize benchmark is written with its module.
fn main() {}
