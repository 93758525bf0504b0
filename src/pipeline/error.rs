//! The one error type of a run: the inputs are wrong (a scenario, evidence past its limits, a
//! missing price: exit 2 at the command line), or an output could not be written (a partition
//! or temporary file: exit 3). Either wraps the typed error of the stage that failed, keeping
//! its message and its causes.

use std::error::Error;

type Cause = Box<dyn Error + Send + Sync>;

/// A run that failed, and whose fault it was.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The inputs are wrong: fix them and run again.
    #[error(transparent)]
    Input(Cause),
    /// Something could not be written (partition files, temporary evidence).
    #[error(transparent)]
    Output(Cause),
}

impl PipelineError {
    pub fn is_input(&self) -> bool {
        matches!(self, PipelineError::Input(_))
    }
}

/// An input error from a typed error or a message.
pub(crate) fn input(e: impl Into<Cause>) -> PipelineError {
    PipelineError::Input(e.into())
}

/// An output error from a typed error or a message.
pub(crate) fn output(e: impl Into<Cause>) -> PipelineError {
    PipelineError::Output(e.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("inventory.json: cannot read")]
    struct Named(#[source] std::io::Error);

    /// The wrapper adds nothing to the message and keeps the causes.
    #[test]
    fn messages_and_causes_are_the_stage_errors() {
        let e = input(Named(std::io::Error::other("gone")));
        assert!(e.is_input());
        assert_eq!(e.to_string(), "inventory.json: cannot read");
        assert_eq!(e.source().map(|c| c.to_string()).as_deref(), Some("gone"));
        let e = output("cannot write partition 3".to_string());
        assert!(!e.is_input());
        assert_eq!(e.to_string(), "cannot write partition 3");
    }
}
