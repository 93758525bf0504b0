//! The `costlab` binary: parses arguments and dispatches to `cmd`. Nothing else lives here.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc: the replay allocates and frees millions of small keys and event lists; with
/// glibc's allocator a quarter of a log replay's time went to malloc/free (scripts/bench-sim.sh).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the vendored mimalloc v3's `mi_option_e`
/// (c_src/mimalloc/v3/include/mimalloc.h of libmimalloc-sys 0.1.49, pinned by Cargo.lock).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Runs before Rust's runtime, which puts `/dev/null` on a closed stdout: remembers that stdout
/// was closed, so that output to it fails (exit 3) instead of vanishing (`output::stdio`).
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static RECORD_CLOSED_STDOUT: extern "C" fn() = costlab::output::stdio::record_closed_stdout;

fn main() -> ExitCode {
    // SIGINT, SIGTERM and SIGHUP remove the temporary files and folders of this run before it
    // exits (130, 143, 129); what killed runs left in TMPDIR is removed now.
    if let Err(e) = costlab::output::temp::install_signal_cleanup(interrupted) {
        eprintln!(
            "costlab: warning: cannot handle signals ({e}): an interrupted run may leave temporary files"
        );
    }
    costlab::output::temp::remove_stale(&std::env::temp_dir());
    // Freed memory is kept rather than handed back to the OS every 10 ms: a run is short and
    // re-faulting the pages it frees (kernel page clearing) was a quarter of a log replay's profile.
    // SAFETY: sets a plain integer option; called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
    // No transparent huge pages (mimalloc asks for them on its arenas, before `main`):
    // faulting in and clearing 2 MiB pages cost a log replay up to 1 s of kernel time.
    #[cfg(target_os = "linux")]
    // SAFETY: a flag on this process; no memory is touched. Failure leaves THP as it was.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    run()
}

/// costlab tells you what your AWS bill will be under choices you have not made yet.
///
/// Exit codes: 0 success; 1 a budget is broken (`check`); 2 the inputs are wrong (a usage,
/// pricing or scenario file, or the arguments); 3 an output could not be written.
#[derive(Parser, Debug)]
#[command(name = "costlab", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// The main job: simulate a scenario and write its report folder (HTML, Markdown, CSV,
    /// charts, report.json).
    Run(cmd::run::RunArgs),
    /// Recommend lifecycle rules (deployable JSON) and a compute purchase mix, with the saving.
    Optimize(cmd::optimize::OptimizeArgs),
    /// The CI budget gate: exit 1 when a scenario's cost breaks its budget.
    Check(cmd::check::CheckArgs),
    /// Regenerate a view (html, md, csv, png…) of a saved report.json.
    Report(cmd::report::ReportArgs),
    /// Rate a hand-written monthly usage file into a bill of line items.
    Estimate(cmd::estimate::EstimateArgs),
    /// Inspect the price books (`costlab pricing show`).
    Pricing(cmd::pricing::PricingArgs),
    /// Read S3 server access logs (`costlab logs parse`, `costlab logs stats`).
    Logs(cmd::logs::LogsArgs),
    /// Replay evidence against storage policies and price every month.
    Simulate(Box<cmd::simulate::SimulateArgs>),
    /// Merge usage shards of one simulation and price the whole.
    Merge(cmd::merge::MergeArgs),
    /// Write a synthetic workload (S3 access logs and an inventory) from a seeded spec.
    Generate(cmd::generate::GenerateArgs),
    /// Check S3 lifecycle configurations before deploying them (`costlab lifecycle validate`).
    Lifecycle(cmd::lifecycle::LifecycleArgs),
}

fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Run(a) => cmd::run::run(a),
        Command::Optimize(a) => cmd::optimize::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Check(a) => cmd::check::run(a),
        Command::Estimate(a) => cmd::estimate::run(a),
        Command::Pricing(a) => cmd::pricing::run(a),
        Command::Logs(a) => cmd::logs::run(a),
        Command::Generate(a) => cmd::generate::run(a),
        Command::Simulate(a) => cmd::simulate::run(a),
        Command::Merge(a) => cmd::merge::run(a),
        Command::Lifecycle(a) => cmd::lifecycle::run(a),
    };
    // An error may be a signal's cleanup seen from this side: let the handler finish first.
    costlab::output::temp::settle();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            // Messages may quote inputs (file names, keys): no control character reaches
            // the terminal.
            eprintln!(
                "costlab: error: {}",
                costlab::output::escape::terminal_lines(&f.message())
            );
            ExitCode::from(f.code)
        }
    }
}

/// Called by the signal handler once the temporary files are gone.
fn interrupted(signal: i32) {
    let name = match signal {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        _ => "a signal",
    };
    eprintln!("costlab: interrupted by {name}; its temporary files are removed");
}
