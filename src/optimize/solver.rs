//! The one place that picks the LP/MILP solver (`highs` by default, `microlp` as the pure-Rust
//! fallback feature), the `f64` boundary helpers, and what every model reports about its size
//! and solve time.

use good_lp::{
    Constraint, Expression, IntoAffineExpression, ProblemVariables, ResolutionError, Solution,
    SolverModel,
};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use serde::Serialize;
use std::time::Instant;

/// Size and solve time of one solved model.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ModelStats {
    /// Name of the solver backend (`highs` or `microlp`).
    pub solver: &'static str,
    /// Columns, of which `integer_variables` are integer or binary.
    pub variables: usize,
    pub integer_variables: usize,
    /// Rows (named constraint families expanded).
    pub constraints: usize,
    /// Wall time of building and solving, seconds.
    pub solve_seconds: f64,
    /// Set when the model was solved by decomposition; sizes above are then the last master's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decomposition: Option<Decomposition>,
}

/// How a decomposed model converged: its proven bounds on the optimum.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decomposition {
    /// `benders`.
    pub method: &'static str,
    /// Master problems solved.
    pub iterations: usize,
    /// Distinct hourly demand vectors, and the buckets they are cut in.
    pub hour_patterns: usize,
    pub buckets: usize,
    /// The optimum lies between these (the plan's model cost is the upper bound), in dollars.
    pub lower_bound_usd: rust_decimal::Decimal,
    pub upper_bound_usd: rust_decimal::Decimal,
    /// What proved the lower bound: `lp-relaxation` (a master with RI counts continuous),
    /// `lagrangian` (integer RI counts per pool, the hourly commitment budget priced), or
    /// `integer-master`.
    pub lower_bound_by: &'static str,
}

/// What can go wrong inside the solver call.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SolveError {
    /// The solver proved the model infeasible.
    #[error("the model is infeasible")]
    Infeasible,
    /// Unbounded (a modelling bug: every model here has bounded variables).
    #[error("the model is unbounded")]
    Unbounded,
    /// Anything else the backend reported.
    #[error("the {solver} solver failed: {message}")]
    Backend {
        solver: &'static str,
        message: String,
    },
}

/// Name of the backend compiled in.
#[cfg(feature = "highs")]
pub const SOLVER_NAME: &str = "highs";
#[cfg(all(feature = "microlp", not(feature = "highs")))]
pub const SOLVER_NAME: &str = "microlp";
#[cfg(not(any(feature = "highs", feature = "microlp")))]
pub const SOLVER_NAME: &str = "none";

/// Solves `min objective` subject to `constraints`, reading the solution with `read`.
/// `exact` asks a MILP for a proven optimum (zero relative gap) instead of the backend's
/// default 1e-4 relative gap.
pub(crate) fn minimise<T>(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    exact: bool,
    read: impl FnOnce(&dyn Solution) -> T,
) -> Result<(T, ModelStats), SolveError> {
    minimise_within(vars, objective, constraints, exact.then_some(0.0), read)
}

/// As `minimise`, with a MILP's relative gap: `Some(g)` stops once the incumbent is proven
/// within `g` of the optimum (0: exact), `None` keeps the backend's default (HiGHS: 1e-4).
pub(crate) fn minimise_within<T>(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    gap: Option<f64>,
    read: impl FnOnce(&dyn Solution) -> T,
) -> Result<(T, ModelStats), SolveError> {
    let start = Instant::now();
    let variables = vars.len();
    let integer_variables = vars
        .iter_variables_with_def()
        .filter(|(_, d)| d.is_integer())
        .count();
    let rows = constraints.len();
    let value = if variables == 0 {
        // Nothing to decide (backends reject empty models): every row is a constant.
        if constraints.iter().any(|c| {
            let k = c.expression().constant();
            if c.is_equality() { k != 0.0 } else { k > 0.0 }
        }) {
            return Err(SolveError::Infeasible);
        }
        read(&std::collections::HashMap::<good_lp::Variable, f64>::new())
    } else {
        backend(vars, objective, constraints, gap, read)?
    };
    Ok((
        value,
        ModelStats {
            solver: SOLVER_NAME,
            variables,
            integer_variables,
            constraints: rows,
            solve_seconds: start.elapsed().as_secs_f64(),
            decomposition: None,
        },
    ))
}

#[cfg(feature = "highs")]
fn backend<T>(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    gap: Option<f64>,
    read: impl FnOnce(&dyn Solution) -> T,
) -> Result<T, SolveError> {
    let solve = |presolve: bool| -> Result<good_lp::solvers::highs::HighsSolution, SolveError> {
        let mut model = vars
            .clone()
            .minimise(objective.clone())
            .using(good_lp::solvers::highs::highs)
            .set_threads(1)
            .set_option("output_flag", false);
        if !presolve {
            model = model.set_option("presolve", "off");
        }
        if let Some(gap) = gap {
            model = model
                .set_mip_rel_gap(gap as f32)
                .map_err(|e| backend_error(e.to_string()))?
                .set_mip_abs_gap(1e-7)
                .map_err(|e| backend_error(e.to_string()))?;
        }
        for c in &constraints {
            model.add_constraint(c.clone());
        }
        model.solve().map_err(resolution_error)
    };
    // HiGHS 1.x's presolve occasionally ends a small, feasible MILP with a bare "Error" status
    // (seen with the policy, restore and budget rows together), or calls it infeasible (seen
    // with the rule, policy and restore rows together: `tests/optimize.rs`,
    // `regression_presolve_calls_a_feasible_model_infeasible`); the same model solves without
    // presolve, so either gets one retry that way.
    let solution = match solve(true) {
        Err(SolveError::Backend { .. } | SolveError::Infeasible) => solve(false)?,
        other => other?,
    };
    Ok(read(&solution))
}

#[cfg(all(feature = "microlp", not(feature = "highs")))]
fn backend<T>(
    vars: ProblemVariables,
    objective: Expression,
    constraints: Vec<Constraint>,
    gap: Option<f64>,
    read: impl FnOnce(&dyn Solution) -> T,
) -> Result<T, SolveError> {
    use good_lp::WithMipGap;
    let mut model = vars
        .minimise(objective)
        .using(good_lp::solvers::microlp::microlp);
    if let Some(gap) = gap {
        model = model
            .with_mip_gap(gap as f32)
            .map_err(|e| backend_error(e.to_string()))?;
    }
    for c in constraints {
        model.add_constraint(c);
    }
    let solution = model.solve().map_err(resolution_error)?;
    Ok(read(&solution))
}

#[cfg(not(any(feature = "highs", feature = "microlp")))]
fn backend<T>(
    _vars: ProblemVariables,
    _objective: Expression,
    _constraints: Vec<Constraint>,
    _gap: Option<f64>,
    _read: impl FnOnce(&dyn Solution) -> T,
) -> Result<T, SolveError> {
    Err(backend_error(
        "costlab was built without an LP solver; enable feature `highs` or `microlp`".into(),
    ))
}

fn backend_error(message: String) -> SolveError {
    SolveError::Backend {
        solver: SOLVER_NAME,
        message,
    }
}

#[cfg_attr(not(any(feature = "highs", feature = "microlp")), allow(dead_code))]
fn resolution_error(e: ResolutionError) -> SolveError {
    match e {
        ResolutionError::Infeasible => SolveError::Infeasible,
        ResolutionError::Unbounded => SolveError::Unbounded,
        other => backend_error(other.to_string()),
    }
}

/// Money or a quantity crossing into the LP. Decimals are at most 28 digits, so the
/// conversion never fails; it only rounds to the nearest `f64`.
pub(crate) fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A solver value back to an integer count (solvers return 2.9999999 for 3).
pub(crate) fn to_count(v: f64) -> u32 {
    if v.is_finite() && v > 0.0 {
        v.round().min(f64::from(u32::MAX)) as u32
    } else {
        0
    }
}

/// A solver value back to a decimal, rounded half-even to `dp` places.
pub(crate) fn to_decimal(v: f64, dp: u32) -> Decimal {
    let d = Decimal::from_f64(v.max(0.0)).unwrap_or(Decimal::ZERO);
    d.round_dp(dp)
}
