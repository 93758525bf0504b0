//! Optimizers: good_lp models that choose lifecycle rules per object group and compute purchase
//! mixes, returning domain types (never raw solver values).
//!
//! * `candidates`: lifecycle rule bodies generated from a grid, kept when S3 accepts them;
//! * `costing`: the simulator's costing pass turned into the lifecycle problem, and the exact
//!   usage of a chosen assignment;
//! * `groups`: object groups (prefix × size band) and how their rules merge;
//! * `lifecycle_model`: the MILP choosing one candidate per group under rule-count, SLA,
//!   restore, retention and budget constraints; `lifecycle_check` re-checks it exactly and
//!   names the binding constraint of an infeasible model;
//! * `emit`: the chosen assignment as a `put-bucket-lifecycle-configuration` document;
//! * `purchase`: the RI / Savings Plan / Spot / On-Demand mix for hourly demand, solved as one
//!   MILP (`purchase_model`) or, for long horizons, by Benders decomposition
//!   (`purchase_benders` over `purchase_recourse`'s hourly dispatch, with the Lagrangian bound
//!   of `purchase_lagrange`), with an exact evaluator (`purchase_eval`) and JSON / CSV writers
//!   (`purchase_output`);
//! * `spec`: the scenario's `[optimize]` section;
//! * `fleet_bridge`: the purchase model fed from the fleet simulator's demand and rates, and
//!   its plan re-simulated (deterministic and Monte Carlo);
//! * `solver`: the one place that picks HiGHS or microlp.
//!
//! Money stays `rust_decimal::Decimal` everywhere except inside the LP.

pub mod candidates;
pub mod costing;
pub mod emit;
pub mod fleet_bridge;
pub mod groups;
mod lifecycle_chains;
pub mod lifecycle_check;
mod lifecycle_milp;
pub mod lifecycle_model;
pub mod lifecycle_search;
pub mod purchase;
mod purchase_benders;
pub mod purchase_eval;
mod purchase_lagrange;
mod purchase_model;
pub mod purchase_output;
mod purchase_recourse;
pub mod solver;
pub mod spec;

pub use candidates::{Candidate, CandidateError, CandidateGrid, generate};
pub use emit::{EmitError, EmitOptions, EmittedLifecycle, emit_lifecycle};
pub use groups::{Group, GroupError, SizeBand};
pub use lifecycle_check::{Binding, assignment_total, check_assignment};
pub use lifecycle_model::{
    GroupChoice, LifecycleChoice, LifecycleConstraints, LifecycleModelError, LifecycleProblem,
    ReadImpact, RestoreAllowance, RunnerUp, solve_lifecycle,
};
pub use purchase::{
    DECOMPOSED_GAP_RELATIVE, DECOMPOSED_GAP_USD, Demand, Pool, PurchaseError, PurchaseMethod,
    PurchaseParams, PurchasePlan, Reservation, RiOffer, RiTerm, RiskLimit, solve_purchase,
    solve_purchase_with,
};
pub use purchase_eval::{
    BreakEven, DemandDrop, PlanCost, PurchaseRecommendation, all_on_demand_cost, evaluate,
};
pub use purchase_output::{PlanLine, PlanOutputError, plan_lines, plan_to_json, write_plan_csv};
pub use solver::{Decomposition, ModelStats, SolveError};
