//! The model of the future past the evidence, as the views show it: the model and what it
//! assumes, what the age profile measured per prefix, and every policy's total under each model
//! side by side with the ranking flips flagged — shared by the HTML, Markdown and terminal
//! views.

use super::html::esc;
use super::markdown::md_escape;
use super::model::{FutureRecord, Sensitivity};
use super::views::usd;
use std::io::{self, Write};

/// One sentence: the model, where the evidence ends, what it assumes.
pub fn headline(f: &FutureRecord) -> String {
    match (&f.evidence_ends, f.applies) {
        (Some(end), true) => format!(
            "The evidence ends on {end}; past it the model of the future is \"{}\": {}.",
            f.model, f.assumes
        ),
        (Some(end), false) => format!(
            "The evidence runs to {end}, past the horizon's end: no model of the future is needed."
        ),
        (None, _) => format!(
            "No access logs; the model of the future is \"{}\".",
            f.model
        ),
    }
}

/// The flip in a sentence, when there is one.
pub fn flip(s: &Sensitivity) -> Option<String> {
    if s.not_first_under.is_empty() {
        return None;
    }
    let first = s.first.as_deref().unwrap_or("the first policy");
    let under = s.not_first_under.join("\", \"");
    if s.not_first_under.contains(&s.chosen) {
        // The recommendation (held to its constraints, e.g. no read waiting for a restore)
        // costs more than a compared policy even under the model the run used.
        return Some(format!(
            "{first} is not the cheapest policy under \"{under}\", the model used included: \
             a cheaper compared policy breaks a constraint the recommendation keeps, or the \
             optimizer's search missed it."
        ));
    }
    Some(format!(
        "The ranking depends on the future: {first} is first under \"{}\" but not the cheapest \
         under \"{under}\".",
        s.chosen
    ))
}

/// The HTML section.
pub fn html(out: &mut dyn Write, f: &FutureRecord) -> io::Result<()> {
    writeln!(
        out,
        "<section id=\"future\"><h2>The future past the evidence</h2><p>{}</p>",
        esc(&headline(f))
    )?;
    for n in &f.notes {
        writeln!(out, "<p class=\"muted\">{}</p>", esc(n))?;
    }
    if let Some(s) = &f.sensitivity {
        if let Some(t) = flip(s) {
            writeln!(out, "<p class=\"flip\"><strong>{}</strong></p>", esc(&t))?;
        }
        write!(out, "<table><thead><tr><th>Policy</th>")?;
        for m in &s.models {
            let mark = if *m == s.chosen { " (used)" } else { "" };
            write!(out, "<th class=\"num\">{}{mark}</th>", esc(m))?;
        }
        writeln!(out, "</tr></thead><tbody>")?;
        for r in &s.rows {
            write!(out, "<tr><td>{}</td>", esc(&r.policy))?;
            for (t, k) in r.totals_usd.iter().zip(&r.ranks) {
                write!(
                    out,
                    "<td class=\"num\">{} <span class=\"muted\">#{k}</span></td>",
                    usd(*t)
                )?;
            }
            writeln!(out, "</tr>")?;
        }
        writeln!(
            out,
            "</tbody></table><p class=\"muted\">Totals over the horizon under each model; #1 is the cheapest under that model.</p>"
        )?;
        for l in &s.left_out {
            writeln!(out, "<p class=\"muted\">Left out: {}</p>", esc(l))?;
        }
    }
    if !f.prefixes.is_empty() {
        writeln!(
            out,
            "<h3>Access by object age, as measured</h3><table><thead><tr><th>Prefix</th><th class=\"num\">Reads per object per day, first week</th><th class=\"num\">… at 90 days and older</th><th class=\"num\">Deleted within a year</th><th class=\"num\">Oldest age observed (days)</th></tr></thead><tbody>"
        )?;
        for p in &f.prefixes {
            writeln!(
                out,
                "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.1}%</td><td class=\"num\">{}</td></tr>",
                esc(&p.prefix),
                p.reads_per_day_first_week,
                p.reads_per_day_after_90_days,
                p.deleted_within_a_year * 100.0,
                p.oldest_observed_days
            )?;
        }
        writeln!(out, "</tbody></table>")?;
    }
    writeln!(out, "</section>")
}

/// The Markdown section.
pub fn markdown(out: &mut dyn Write, f: &FutureRecord) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "**The future past the evidence**: {}",
        md_escape(&headline(f))
    )?;
    for n in &f.notes {
        writeln!(out)?;
        writeln!(out, "- {}", md_escape(n))?;
    }
    let Some(s) = &f.sensitivity else {
        return Ok(());
    };
    if let Some(t) = flip(s) {
        writeln!(out)?;
        writeln!(out, "**{}**", md_escape(&t))?;
    }
    writeln!(out)?;
    write!(out, "| policy |")?;
    for m in &s.models {
        let mark = if *m == s.chosen { " (used)" } else { "" };
        write!(out, " {}{mark} |", md_escape(m))?;
    }
    writeln!(out)?;
    write!(out, "|---|")?;
    for _ in &s.models {
        write!(out, "---:|")?;
    }
    writeln!(out)?;
    for r in &s.rows {
        write!(out, "| {} |", md_escape(&r.policy))?;
        for (t, k) in r.totals_usd.iter().zip(&r.ranks) {
            // "rank", not "#": a pull-request comment links #1 to issue 1.
            write!(out, " {} (rank {k}) |", usd(*t))?;
        }
        writeln!(out)?;
    }
    for l in &s.left_out {
        writeln!(out)?;
        writeln!(out, "- Left out: {}", md_escape(l))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(not_first_under: &[&str]) -> Sensitivity {
        Sensitivity {
            models: vec!["age-profile".into(), "silent".into()],
            chosen: "age-profile".into(),
            first: Some("recommended".into()),
            not_first_under: not_first_under.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
            left_out: Vec::new(),
        }
    }

    /// A flip under another model, and a recommendation dearer even under the model used: the
    /// second never reads as "first under the model but not the cheapest under it".
    #[test]
    fn the_flip_sentence_says_which_case_it_is() {
        assert_eq!(flip(&table(&[])), None);
        let other = flip(&table(&["silent"])).unwrap();
        assert!(
            other.starts_with(
                "The ranking depends on the future: recommended is first under \"age-profile\""
            ),
            "{other}"
        );
        let used = flip(&table(&["age-profile", "silent"])).unwrap();
        assert!(
            used.contains(
                "not the cheapest policy under \"age-profile\", \"silent\", the model used included"
            ),
            "{used}"
        );
        assert!(!used.contains("is first under"), "{used}");
    }
}
