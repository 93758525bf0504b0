//! Differences between two price books: prices that changed, appeared or vanished, each with
//! the publication (or source) on either side, so a budget that moves because AWS changed a
//! price can say which price and which publication.

use super::{PriceBook, PricePath, Value};

/// What happened to one key between the old and the new book.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    Changed { old: Value, new: Value },
    Appeared { new: Value },
    Vanished { old: Value },
}

/// One key's change, with the source of each side's table.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyChange {
    pub key: PricePath,
    pub change: Change,
    pub old_source: Option<String>,
    pub new_source: Option<String>,
}

/// The changes from `old` to `new`, in key order. Free allowances count as part of the value.
pub fn diff(old: &PriceBook, new: &PriceBook) -> Vec<KeyChange> {
    let src = |b: &PriceBook, p: &PricePath| {
        b.entries.get(p).map(|e| {
            let t = b.table_of(e);
            match &t.publication {
                Some(p) => p.label(),
                None => format!("{} ({})", t.source, t.effective_date),
            }
        })
    };
    let mut keys: Vec<&PricePath> = old.entries.keys().chain(new.entries.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for k in keys {
        let change = match (old.entries.get(k), new.entries.get(k)) {
            (Some(a), Some(b)) if a.value == b.value && a.free_allowance == b.free_allowance => {
                continue;
            }
            (Some(a), Some(b)) => Change::Changed {
                old: a.value.clone(),
                new: b.value.clone(),
            },
            (None, Some(b)) => Change::Appeared {
                new: b.value.clone(),
            },
            (Some(a), None) => Change::Vanished {
                old: a.value.clone(),
            },
            (None, None) => continue,
        };
        out.push(KeyChange {
            key: k.clone(),
            change,
            old_source: src(old, k),
            new_source: src(new, k),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    #[test]
    fn changed_appeared_vanished() {
        let base = PriceBook::from_text(
            "old.toml",
            "schema_version = 1\nregion = \"us-east-1\"\ninherits = \"aws-us-east-1.toml\"\n\
             source = \"t\"\neffective_date = \"2025\"\n",
        )
        .unwrap();
        let new = PriceBook::from_text(
            "new.toml",
            "schema_version = 1\nregion = \"us-east-1\"\ninherits = \"aws-us-east-1.toml\"\n\
             source = \"t\"\neffective_date = \"2026\"\n\
             [ec2.on_demand]\nsource = \"x\"\neffective_date = \"2026\"\n\
             \"m5.large\" = 0.1\n\"zz9.large\" = 1\n",
        )
        .unwrap();
        let d = diff(&base, &new);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].key.to_string(), "ec2.on_demand.\"m5.large\"");
        assert_eq!(
            d[0].change,
            Change::Changed {
                old: Value::Flat(Decimal::new(96, 3)),
                new: Value::Flat(Decimal::new(1, 1))
            }
        );
        assert!(matches!(d[1].change, Change::Appeared { .. }));
        let back = diff(&new, &base);
        assert!(matches!(back[1].change, Change::Vanished { .. }));
    }
}
