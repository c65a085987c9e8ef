//! Writing the two file models back to TOML, laid out the way
//! `docs/file-formats.md` shows them (`title.fr = "…"` dotted keys,
//! `[[indicator]]` sections with their `[indicator.descriptor]` and
//! `[[indicator.action]]`), so that files saved by the tools stay pleasant
//! to read and to diff. Comments of a file read earlier are not kept.
//!
//! Strings are quoted by the `toml` crate itself; everything written reads
//! back to an equal model (checked by property tests). This module depends
//! only on the file models.

use crate::assessment::{Assessment, Role};
use crate::plan::Decision;
use crate::rubric::{Aggregation, Kind, Method, Rubric, Setting};
use crate::text::Text;
use rust_decimal::Decimal;
use std::fmt::Write as _;

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn key(k: &str) -> String {
    if !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        k.to_owned()
    } else {
        quote(k)
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| quote(s)).collect();
    format!("[{}]", quoted.join(", "))
}

fn method(m: Method) -> &'static str {
    match m {
        Method::WeightedMean => "weighted_mean",
        Method::WeakestLink => "weakest_link",
        Method::Table => "table",
    }
}

fn setting(s: Setting) -> &'static str {
    match s {
        Setting::Urban => "urban",
        Setting::Rural => "rural",
    }
}

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Commune => "commune",
        Kind::Cercle => "cercle",
    }
}

fn role(r: Role) -> &'static str {
    r.code()
}

fn aggregation(a: &Aggregation) -> String {
    match &a.table {
        Some(t) => format!(
            "{{ method = {}, table = {} }}",
            quote(method(a.method)),
            quote(t)
        ),
        None => format!("{{ method = {} }}", quote(method(a.method))),
    }
}

/// A TOML document being written.
#[derive(Default)]
struct Doc(String);

impl Doc {
    fn raw(&mut self, k: &str, value: &str) {
        let _ = writeln!(self.0, "{} = {value}", key(k));
    }

    fn str(&mut self, k: &str, value: &str) {
        self.raw(k, &quote(value));
    }

    fn opt_str(&mut self, k: &str, value: Option<&String>) {
        if let Some(v) = value {
            self.str(k, v);
        }
    }

    fn dec(&mut self, k: &str, value: Decimal) {
        self.str(k, &value.to_string());
    }

    fn text(&mut self, k: &str, t: &Text) {
        let k = key(k);
        let _ = writeln!(self.0, "{k}.fr = {}", quote(&t.fr));
        if let Some(en) = &t.en {
            let _ = writeln!(self.0, "{k}.en = {}", quote(en));
        }
    }

    fn table(&mut self, header: &str) {
        let _ = write!(self.0, "\n[{header}]\n");
    }

    fn array(&mut self, header: &str) {
        let _ = write!(self.0, "\n[[{header}]]\n");
    }
}

/// The rubric as TOML text.
pub(crate) fn rubric(r: &Rubric) -> String {
    let mut d = Doc::default();
    d.raw("format", &r.format.to_string());
    d.str("id", &r.id);
    d.str("version", &r.version);
    d.text("title", &r.title);
    if let Some(t) = &r.description {
        d.text("description", t);
    }
    if !r.sources.is_empty() {
        d.raw("sources", &list(&r.sources));
    }
    d.table("scale");
    d.str("basic", &r.scale.basic);
    if let Some(span) = r.scale.disagreement_span {
        d.raw("disagreement_span", &span.to_string());
    }
    for level in &r.scale.levels {
        d.array("scale.level");
        d.str("code", &level.code);
        d.dec("value", level.value);
        d.text("label", &level.label);
    }
    if let Some(a) = &r.aggregation {
        d.table("aggregation");
        d.str("method", method(a.method));
        d.opt_str("table", a.table.as_ref());
    }
    for t in &r.tables {
        d.array("table");
        d.str("id", &t.id);
        for row in &t.rows {
            d.array("table.row");
            d.raw("inputs", &list(&row.inputs));
            d.str("result", &row.result);
            d.dec("score", row.score);
        }
    }
    for dom in &r.domains {
        d.array("domain");
        d.str("id", &dom.id);
        d.text("title", &dom.title);
        if let Some(w) = dom.weight {
            d.dec("weight", w);
        }
        if let Some(a) = &dom.aggregation {
            d.raw("aggregation", &aggregation(a));
        }
    }
    for c in &r.competencies {
        d.array("competency");
        d.str("id", &c.id);
        d.str("domain", &c.domain);
        d.text("title", &c.title);
        if let Some(w) = c.weight {
            d.dec("weight", w);
        }
        if let Some(a) = &c.aggregation {
            d.raw("aggregation", &aggregation(a));
        }
    }
    for i in &r.indicators {
        d.array("indicator");
        d.str("id", &i.id);
        d.str("competency", &i.competency);
        d.text("title", &i.title);
        if let Some(q) = &i.question {
            d.text("question", q);
        }
        if let Some(w) = i.weight {
            d.dec("weight", w);
        }
        d.str("target", &i.target);
        if i.critical {
            d.raw("critical", "true");
        }
        d.opt_str("minimum", i.minimum.as_ref());
        d.str("source", &i.source);
        d.text("evidence", &i.evidence);
        if let Some(rule) = &i.applies_when {
            d.table("indicator.applies_when");
            if let Some(v) = rule.min_population {
                d.raw("min_population", &v.to_string());
            }
            if let Some(v) = rule.max_population {
                d.raw("max_population", &v.to_string());
            }
            if let Some(s) = rule.setting {
                d.str("setting", setting(s));
            }
            d.opt_str("transferred", rule.transferred.as_ref());
            if let Some(kinds) = &rule.kinds {
                let kinds: Vec<String> = kinds.iter().map(|k| kind(*k).to_owned()).collect();
                d.raw("kinds", &list(&kinds));
            }
        }
        if !i.descriptor.is_empty() {
            d.table("indicator.descriptor");
            // Scale order first (as people write them), then any stray code.
            let levels = r.scale.levels.iter().map(|l| l.code.as_str());
            for code in levels.clone() {
                if let Some(text) = i.descriptor.get(code) {
                    d.text(code, text);
                }
            }
            for (code, text) in &i.descriptor {
                if !levels.clone().any(|l| l == code) {
                    d.text(code, text);
                }
            }
        }
        for a in &i.actions {
            d.array("indicator.action");
            d.str("from", &a.from);
            d.text("text", &a.text);
            d.dec("cost", a.cost);
            d.str("horizon", a.horizon.code());
            d.text("responsible", &a.responsible);
        }
    }
    d.0
}

/// The assessment as TOML text.
pub(crate) fn assessment(a: &Assessment) -> String {
    let mut d = Doc::default();
    d.raw("format", &a.format.to_string());
    d.str("rubric", &a.rubric);
    d.str("rubric_version", &a.rubric_version);
    d.str("round", &a.round);
    d.str("date", &a.date);
    if a.fictional {
        d.raw("fictional", "true");
    }
    if a.finalised {
        d.raw("finalised", "true");
    }
    d.opt_str("comment", a.comment.as_ref());
    let c = &a.commune;
    d.table("commune");
    d.str("id", &c.id);
    d.str("name", &c.name);
    d.str("cercle", &c.cercle);
    d.str("region", &c.region);
    d.str("kind", kind(c.kind));
    if let Some(p) = c.population {
        d.raw("population", &p.to_string());
    }
    if let Some(s) = c.setting {
        d.str("setting", setting(s));
    }
    d.raw("transferred", &list(&c.transferred));
    for r in &a.raters {
        d.array("rater");
        d.str("id", &r.id);
        d.str("name", &r.name);
        d.str("role", role(r.role));
    }
    for answer in &a.answers {
        d.array("answer");
        d.str("indicator", &answer.indicator);
        d.opt_str("target", answer.target.as_ref());
        d.opt_str("comment", answer.comment.as_ref());
        if let Some(c) = &answer.consensus {
            let value = match &c.justification {
                Some(j) => format!(
                    "{{ level = {}, justification = {} }}",
                    quote(&c.level),
                    quote(j)
                ),
                None => format!("{{ level = {} }}", quote(&c.level)),
            };
            d.raw("consensus", &value);
        }
        for r in &answer.ratings {
            d.array("answer.rating");
            d.str("rater", &r.rater);
            d.str("level", &r.level);
            d.opt_str("evidence", r.evidence.as_ref());
            if !r.refs.is_empty() {
                d.raw("refs", &list(&r.refs));
            }
        }
    }
    for decision in &a.plan.decisions {
        d.array("plan.decision");
        d.str("action", &decision.action);
        d.str("decision", decision_code(decision.decision));
        if let Some(cost) = decision.cost {
            d.str("cost", &cost.to_string());
        }
    }
    for action in &a.plan.council {
        d.array("plan.council_action");
        if !action.key.is_empty() {
            d.str("key", &action.key);
        }
        d.str("indicator", &action.indicator);
        d.str("title", &action.title);
        d.str("cost", &action.cost.to_string());
        d.str("horizon", action.horizon.code());
        d.str("responsible", &action.responsible);
        d.opt_str("deadline", action.deadline.as_ref());
        d.str("status", action.status.code());
    }
    d.0
}

fn decision_code(decision: Decision) -> &'static str {
    match decision {
        Decision::Proposed => "proposed",
        Decision::Accepted => "accepted",
        Decision::Dropped => "dropped",
    }
}
