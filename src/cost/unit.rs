//! Marginal unit prices: what one more base unit of a meter costs at the list price (first
//! band, no allowance, no discount). Decisions that weigh one choice against another (the
//! simulator's clairvoyant bound, the optimizer) score candidates with these; bills are always
//! rated by `rate`.

use super::describe::{PriceSource, describe};
use crate::meter::Meter;
use crate::pricing::{EntryKind, PriceBook};
use crate::units::Month;
use rust_decimal::Decimal;

/// The marginal list price of one base unit of `meter` in `month` (first volume band, no free
/// allowance, no discount): what a decision that weighs one object against another should use.
/// `None` when the book has no such price or it is not a simple price (Spot estimates included).
pub fn unit_price(book: &PriceBook, meter: &Meter, month: Month) -> Option<Decimal> {
    let spec = describe(meter, month);
    let PriceSource::Key(key) = &spec.price else {
        return None;
    };
    let per = match crate::pricing::schema_kind(&key.path()) {
        Some(EntryKind::Price { per, .. }) => Decimal::from(per),
        _ => return None,
    };
    let list = book.price(key).ok()?.value.first_band()?;
    Some(list / per / spec.divisor)
}

/// A book's [`unit_price`]s as f64, looked up once per (month, meter) and thread: what the
/// simulator's clairvoyant bound and the optimizer score candidates with. The cache is per
/// thread (no lock: scoring runs on every core at once) and keyed by this instance's id.
pub struct BookUnitPrices {
    book: PriceBook,
    id: u64,
}

impl BookUnitPrices {
    pub fn new(book: &PriceBook) -> BookUnitPrices {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        BookUnitPrices {
            book: book.clone(),
            id: NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        }
    }
}

type PriceCache = rustc_hash::FxHashMap<(u64, Month, Meter), Option<f64>>;

impl crate::meter::UnitPrices for BookUnitPrices {
    fn unit_price(&self, month: Month, meter: &Meter) -> Option<f64> {
        use rust_decimal::prelude::ToPrimitive;
        thread_local! {
            static CACHE: std::cell::RefCell<PriceCache> = Default::default();
        }
        CACHE.with(|c| {
            let key = (self.id, month, meter.clone());
            if let Some(v) = c.borrow().get(&key) {
                return *v;
            }
            let v = unit_price(&self.book, meter, month).and_then(|d| d.to_f64());
            c.borrow_mut().insert(key, v);
            v
        })
    }
}
