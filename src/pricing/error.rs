//! Errors from loading price books and looking prices up.

use thiserror::Error;

#[derive(Debug, Error, PartialEq)]
pub enum PricingError {
    /// A problem at a place in a file.
    #[error("{file}:{line}: {key}: {message}")]
    At {
        file: String,
        line: usize,
        key: String,
        message: String,
    },
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("no price for `{key}` in the {region} price book ({file}); add it to the pricing file")]
    Missing {
        region: String,
        key: String,
        file: String,
    },
}
