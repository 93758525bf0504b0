//! How a run reports progress and notes without printing: the library calls an [`Observer`];
//! the command line's draws bars and writes notes on stderr, a library user's may log them or
//! do nothing ([`Silent`]).

/// What a long step reports as it goes.
pub trait Sink: Send + Sync {
    fn set_position(&self, pos: u64);
    fn inc(&self, n: u64);
    fn set_message(&self, msg: String);
    fn finish(&self);
}

/// One long step's progress (a no-op when the observer keeps none).
pub struct Progress(Option<Box<dyn Sink>>);

impl Progress {
    pub fn new(sink: Box<dyn Sink>) -> Progress {
        Progress(Some(sink))
    }

    pub fn none() -> Progress {
        Progress(None)
    }

    pub fn set_position(&self, pos: u64) {
        if let Some(s) = &self.0 {
            s.set_position(pos)
        }
    }

    pub fn inc(&self, n: u64) {
        if let Some(s) = &self.0 {
            s.inc(n)
        }
    }

    pub fn set_message(&self, msg: impl FnOnce() -> String) {
        if let Some(s) = &self.0 {
            s.set_message(msg())
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(s) = &self.0 {
            s.finish()
        }
    }
}

/// How a long step counts: items, or bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Items,
    Bytes,
}

/// Receives a run's progress and notes.
pub trait Observer: Sync {
    /// A long step begins: `total` units of `unit` when known.
    fn progress(&self, what: &str, total: Option<u64>, unit: Unit) -> Progress;
    /// Something the user should know (a partitioned run, a solver's size).
    fn note(&self, text: &str);
}

/// An observer that keeps nothing.
pub struct Silent;

impl Observer for Silent {
    fn progress(&self, _: &str, _: Option<u64>, _: Unit) -> Progress {
        Progress::none()
    }

    fn note(&self, _: &str) {}
}
