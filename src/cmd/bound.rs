//! The clairvoyant bound as a policy: the price book's marginal unit prices handed to the
//! simulator (which never reads a book itself).

use costlab::cost::BookUnitPrices;
use costlab::pricing::PriceBook;
use costlab::sim::s3::{Clairvoyant, Policy, PolicyKind};
use std::sync::Arc;

/// The name the bound is reported under.
pub const NAME: &str = "clairvoyant-bound";

/// The bound over `peers`, scored with `book`'s prices.
pub fn policy(book: &PriceBook, peers: &[Policy]) -> Policy {
    Policy {
        name: NAME.into(),
        kind: PolicyKind::Clairvoyant(Clairvoyant {
            prices: Arc::new(BookUnitPrices::new(book)),
            peers: peers.to_vec(),
        }),
    }
}
