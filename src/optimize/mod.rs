//! Optimizers: good_lp models that choose lifecycle rules per object group and compute purchase
//! mixes, returning domain types (never raw solver values).
