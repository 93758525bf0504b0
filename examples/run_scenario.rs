//! Runs a bundled scenario from Rust, the way `costlab run` does, and prints each policy's
//! bill: the library entry point (`costlab::pipeline`) for a notebook binding, a worker in a
//! distributed job, or another tool.
//!
//!   cargo run --release --example run_scenario -- scenarios/dr-replication.toml

use costlab::output::progress::Term;
use costlab::pipeline::{self, Options};
use costlab::scenario::read_scenario;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "scenarios/datalake.toml".into());
    let mut scenario = read_scenario(path.as_ref())?;
    // Progress bars and notes on stderr, as the command line shows them; `Options::default()`
    // alone runs silently.
    let term = Term::new();
    let options = Options {
        observer: &term,
        ..Options::default()
    };
    let report = pipeline::run(&mut scenario, &options)?;
    println!(
        "{}: {} to {} (seed {})",
        report.scenario, report.horizon.start, report.horizon.end, report.seed
    );
    for p in &report.policies {
        println!("{:<24} ${}", p.name, p.total_usd.round_dp(2));
        for m in &p.months {
            println!("  {}  ${}", m.month, m.total_usd.round_dp(2));
        }
    }
    let skipped = report.evidence.ledger.skipped();
    if skipped > 0 {
        println!("({skipped} malformed evidence lines were skipped)");
    }
    Ok(())
}
