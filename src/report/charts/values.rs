//! Input sanitising and axis bounds: invalid quantities are counted and reported, never drawn
//! as if they were data.

/// Largest magnitude drawn; anything bigger is treated as invalid so sums cannot overflow.
pub(crate) const MAX_VALUE: f64 = 1e200;

/// Counts values that cannot be drawn honestly as quantities.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Clean {
    pub(crate) not_numbers: usize,
    pub(crate) negatives: usize,
}

impl Clean {
    /// A non-negative quantity: NaN/infinite and negative values become 0 and are counted.
    pub(crate) fn qty(&mut self, v: f64) -> f64 {
        if !v.is_finite() || v > MAX_VALUE {
            self.not_numbers += 1;
            0.0
        } else if v < 0.0 {
            self.negatives += 1;
            0.0
        } else {
            v
        }
    }
    /// The footnote that says what was replaced, if anything was.
    pub(crate) fn note(&self) -> Option<String> {
        let mut parts = Vec::new();
        if self.not_numbers > 0 {
            parts.push(format!("{} non-numeric or out-of-range", self.not_numbers));
        }
        if self.negatives > 0 {
            parts.push(format!("{} negative", self.negatives));
        }
        if parts.is_empty() {
            None
        } else {
            Some(format!(
                "Note: {} input value(s) drawn as zero.",
                parts.join(" and ")
            ))
        }
    }
}

/// An upper axis bound a little above `max` on a round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5,
/// 6, 8 × 10^n); 1 when there is nothing positive to show.
pub(crate) fn nice_upper(max: f64) -> f64 {
    if !max.is_finite() || max <= 0.0 {
        return 1.0;
    }
    let m = max * 1.06;
    let mag = 10f64.powf(m.log10().floor());
    let n = m / mag;
    let steps = [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0];
    let c = steps
        .iter()
        .copied()
        .find(|&c| c >= n - 1e-9)
        .unwrap_or(10.0);
    let up = c * mag;
    if up.is_finite() { up } else { max }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nice_bounds() {
        assert_eq!(nice_upper(0.0), 1.0);
        assert_eq!(nice_upper(f64::NAN), 1.0);
        assert_eq!(nice_upper(95.0), 120.0);
        assert_eq!(nice_upper(1000.0), 1200.0);
        assert!((nice_upper(0.7) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn sanitiser_counts() {
        let mut c = Clean::default();
        assert_eq!(c.qty(f64::NAN), 0.0);
        assert_eq!(c.qty(-3.0), 0.0);
        assert_eq!(c.qty(2.0), 2.0);
        assert_eq!(
            c.note().as_deref(),
            Some(
                "Note: 1 non-numeric or out-of-range and 1 negative input value(s) drawn as zero."
            )
        );
        assert!(Clean::default().note().is_none());
    }
}
