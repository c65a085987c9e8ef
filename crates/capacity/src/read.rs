//! A fast reader for assessment files in the layout the tools write
//! (`crate::write`) and that hand-edited files usually keep; the `toml`
//! crate stays the reference reader and the only source of errors.
//!
//! Reading a national dataset (703 files of a few thousand lines each)
//! through the general TOML reader and serde takes about half a second;
//! most of that is generality these files do not use. [`assessment`]
//! recognises a strict subset of TOML, line by line:
//!
//! - blank lines and whole-line or trailing `#` comments;
//! - the headers `[commune]`, `[[rater]]`, `[[answer]]` and
//!   `[[answer.rating]]`, in that order (raters after the commune, ratings
//!   inside answers); a file with the council's plan decisions
//!   (`[[plan.decision]]`, `[[plan.council_action]]`, a few lines kept by
//!   few files) is left to the `toml` crate;
//! - `key = value` with the bare keys of the file format only, each at
//!   most once per table, where a value is a one-line basic (`"…"`, TOML
//!   1.0 escapes) or literal (`'…'`) string, a plain decimal integer, `true`
//!   or `false`, a one-line array of strings, or (for `consensus`) a
//!   one-line inline table of strings.
//!
//! It returns `None` as soon as anything falls outside that subset or the
//! file model (an unknown or repeated key, a missing field, a value of the
//! wrong type, a control character, a multi-line string, …), without
//! trying to say why: the caller then reads the text with the `toml` crate,
//! which gives the exact `line:column` of any problem. Everything it
//! accepts, the `toml` crate accepts too and reads to an equal
//! [`Assessment`] (checked by tests on every sample file, the synthetic
//! national dataset and property-test inputs). This module depends only on
//! the file model.

use crate::assessment::{Answer, Assessment, Commune, Consensus, Rater, Rating, Role};
use crate::rubric::{Kind, Setting};

/// Reads `text` if it keeps to the subset above; `None` otherwise (read it
/// with the `toml` crate then).
pub(crate) fn assessment(text: &str) -> Option<Assessment> {
    let mut doc = Doc::default();
    let mut section = Section::Root;
    let mut c = Cursor::new(text);
    loop {
        c.skip_ws();
        match c.peek() {
            None => break,
            Some(b'\n' | b'\r' | b'#') => c.end()?,
            Some(b'[') => {
                let (array, name) = c.header()?;
                section = doc.header(section, array, name)?;
                c.end()?;
            }
            Some(_) => {
                let key = c.key()?;
                c.skip_ws();
                c.eat(b'=')?;
                c.skip_ws();
                doc.field(section, key, &mut c)?;
                c.end()?;
            }
        }
    }
    doc.finish()
}

/// The table the next `key = value` lines belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Root,
    Commune,
    Rater,
    Answer,
    Rating,
}

/// Sets `slot` once: a repeated key is not ours to judge.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

#[derive(Default)]
struct RootFields {
    format: Option<u32>,
    rubric: Option<String>,
    rubric_version: Option<String>,
    round: Option<String>,
    date: Option<String>,
    fictional: Option<bool>,
    finalised: Option<bool>,
    comment: Option<String>,
}

#[derive(Default)]
struct CommuneFields {
    id: Option<String>,
    name: Option<String>,
    cercle: Option<String>,
    region: Option<String>,
    kind: Option<Kind>,
    population: Option<u64>,
    setting: Option<Setting>,
    transferred: Option<Vec<String>>,
}

#[derive(Default)]
struct RaterFields {
    id: Option<String>,
    name: Option<String>,
    role: Option<Role>,
}

#[derive(Default)]
struct AnswerFields {
    indicator: Option<String>,
    target: Option<String>,
    comment: Option<String>,
    consensus: Option<Consensus>,
    ratings: Vec<Rating>,
}

#[derive(Default)]
struct RatingFields {
    rater: Option<String>,
    level: Option<String>,
    evidence: Option<String>,
    refs: Option<Vec<String>>,
}

/// The document read so far; the open rater, answer and rating are kept as
/// fields until the next header closes them.
#[derive(Default)]
struct Doc {
    root: RootFields,
    commune: Option<CommuneFields>,
    raters: Vec<Rater>,
    answers: Vec<Answer>,
    rater: Option<RaterFields>,
    answer: Option<AnswerFields>,
    rating: Option<RatingFields>,
}

impl Doc {
    /// Opens the section of header `[name]` (`[[name]]` for an `array`);
    /// only the canonical order is accepted.
    fn header(&mut self, at: Section, array: bool, name: &str) -> Option<Section> {
        let next = match (array, name) {
            (true, "answer.rating") => Section::Rating,
            (true, "answer") => Section::Answer,
            (true, "rater") => Section::Rater,
            (false, "commune") => Section::Commune,
            _ => return None,
        };
        let allowed = match next {
            Section::Root => false,
            Section::Commune => at == Section::Root,
            Section::Rater => matches!(at, Section::Commune | Section::Rater),
            Section::Answer => matches!(
                at,
                Section::Commune | Section::Rater | Section::Answer | Section::Rating
            ),
            Section::Rating => matches!(at, Section::Answer | Section::Rating),
        };
        if !allowed {
            return None;
        }
        self.close_rating()?;
        if next != Section::Rating {
            self.close_rater()?;
            self.close_answer()?;
        }
        match next {
            Section::Root => return None,
            Section::Commune => self.commune = Some(CommuneFields::default()),
            Section::Rater => self.rater = Some(RaterFields::default()),
            Section::Answer => {
                self.answer = Some(AnswerFields {
                    // Usually one rating per rater.
                    ratings: Vec::with_capacity(self.raters.len()),
                    ..AnswerFields::default()
                });
            }
            Section::Rating => self.rating = Some(RatingFields::default()),
        }
        Some(next)
    }

    fn close_rating(&mut self) -> Option<()> {
        if let Some(r) = self.rating.take() {
            let rating = Rating {
                rater: r.rater?,
                level: r.level?,
                evidence: r.evidence,
                refs: r.refs.unwrap_or_default(),
            };
            self.answer.as_mut()?.ratings.push(rating);
        }
        Some(())
    }

    fn close_rater(&mut self) -> Option<()> {
        if let Some(r) = self.rater.take() {
            self.raters.push(Rater {
                id: r.id?,
                name: r.name?,
                role: r.role?,
            });
        }
        Some(())
    }

    fn close_answer(&mut self) -> Option<()> {
        if let Some(a) = self.answer.take() {
            self.answers.push(Answer {
                indicator: a.indicator?,
                target: a.target,
                comment: a.comment,
                consensus: a.consensus,
                ratings: a.ratings,
            });
        }
        Some(())
    }

    /// Reads the value of `key` in `section`.
    fn field(&mut self, section: Section, key: &str, c: &mut Cursor<'_>) -> Option<()> {
        match section {
            Section::Root => {
                let r = &mut self.root;
                match key {
                    "format" => once(&mut r.format, u32::try_from(c.integer()?).ok()?),
                    "rubric" => once(&mut r.rubric, c.string()?),
                    "rubric_version" => once(&mut r.rubric_version, c.string()?),
                    "round" => once(&mut r.round, c.string()?),
                    "date" => once(&mut r.date, c.string()?),
                    "fictional" => once(&mut r.fictional, c.boolean()?),
                    "finalised" => once(&mut r.finalised, c.boolean()?),
                    "comment" => once(&mut r.comment, c.string()?),
                    _ => None,
                }
            }
            Section::Commune => {
                let m = self.commune.as_mut()?;
                match key {
                    "id" => once(&mut m.id, c.string()?),
                    "name" => once(&mut m.name, c.string()?),
                    "cercle" => once(&mut m.cercle, c.string()?),
                    "region" => once(&mut m.region, c.string()?),
                    "kind" => {
                        let kind = match c.string()?.as_str() {
                            "commune" => Kind::Commune,
                            "cercle" => Kind::Cercle,
                            _ => return None,
                        };
                        once(&mut m.kind, kind)
                    }
                    "population" => once(&mut m.population, c.integer()?),
                    "setting" => {
                        let setting = match c.string()?.as_str() {
                            "urban" => Setting::Urban,
                            "rural" => Setting::Rural,
                            _ => return None,
                        };
                        once(&mut m.setting, setting)
                    }
                    "transferred" => once(&mut m.transferred, c.strings()?),
                    _ => None,
                }
            }
            Section::Rater => {
                let r = self.rater.as_mut()?;
                match key {
                    "id" => once(&mut r.id, c.string()?),
                    "name" => once(&mut r.name, c.string()?),
                    "role" => {
                        let role = match c.string()?.as_str() {
                            "elected" => Role::Elected,
                            "staff" => Role::Staff,
                            "citizen" => Role::Citizen,
                            "facilitator" => Role::Facilitator,
                            _ => return None,
                        };
                        once(&mut r.role, role)
                    }
                    _ => None,
                }
            }
            Section::Answer => {
                let a = self.answer.as_mut()?;
                match key {
                    "indicator" => once(&mut a.indicator, c.string()?),
                    "target" => once(&mut a.target, c.string()?),
                    "comment" => once(&mut a.comment, c.string()?),
                    "consensus" => once(&mut a.consensus, c.consensus()?),
                    _ => None,
                }
            }
            Section::Rating => {
                let r = self.rating.as_mut()?;
                match key {
                    "rater" => once(&mut r.rater, c.string()?),
                    "level" => once(&mut r.level, c.string()?),
                    "evidence" => once(&mut r.evidence, c.string()?),
                    "refs" => once(&mut r.refs, c.strings()?),
                    _ => None,
                }
            }
        }
    }

    fn finish(mut self) -> Option<Assessment> {
        self.close_rating()?;
        self.close_rater()?;
        self.close_answer()?;
        let r = self.root;
        let m = self.commune?;
        Some(Assessment {
            format: r.format?,
            rubric: r.rubric?,
            rubric_version: r.rubric_version?,
            round: r.round?,
            date: r.date?,
            fictional: r.fictional.unwrap_or(false),
            finalised: r.finalised.unwrap_or(false),
            comment: r.comment,
            commune: Commune {
                id: m.id?,
                name: m.name?,
                cercle: m.cercle?,
                region: m.region?,
                kind: m.kind.unwrap_or_default(),
                population: m.population,
                setting: m.setting,
                transferred: m.transferred?,
            },
            raters: self.raters,
            answers: self.answers,
            plan: Default::default(),
        })
    }
}

/// A position in the text.
struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// Byte classes, looked up rather than tested one condition at a time.
const KEY: u8 = 1;
const HEADER: u8 = 2;
/// Ends the plain run of a basic string: `"`, `\\` or a control
/// character.
const BASIC_STOP: u8 = 4;
// Evaluated at compile time: an index out of bounds would not compile.
#[allow(clippy::indexing_slicing)]
const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' {
            t[b] = KEY | HEADER;
        }
        if c == b'.' {
            t[b] = HEADER;
        }
        if c == b'"' || c == b'\\' || !allowed(c) {
            t[b] |= BASIC_STOP;
        }
        b += 1;
    }
    t
};

fn class(b: u8, class: u8) -> bool {
    // A byte indexes a 256-entry table: always in bounds.
    #[allow(clippy::indexing_slicing)]
    let bits = CLASSES[b as usize];
    bits & class != 0
}

/// Whether `b` may appear in a string or a comment: TOML forbids control
/// characters there, except tab (bytes of multi-byte characters are fine).
const fn allowed(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// Whether `b` may follow a number or a boolean.
fn after_scalar(b: Option<u8>) -> bool {
    matches!(b, None | Some(b' ' | b'\t' | b'#' | b'\n' | b'\r'))
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            pos: 0,
        }
    }

    fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// The end of a line: blanks, an optional comment, then `\n`, `\r\n`
    /// or the end of the text.
    fn end(&mut self) -> Option<()> {
        self.skip_ws();
        if self.peek() == Some(b'#') {
            let n = self
                .rest()
                .iter()
                .position(|b| *b == b'\n' || *b == b'\r' || !allowed(*b))
                .unwrap_or(self.rest().len());
            self.pos += n;
        }
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.pos += 1;
                Some(())
            }
            Some(b'\r') if self.at(1) == Some(b'\n') => {
                self.pos += 2;
                Some(())
            }
            Some(_) => None,
        }
    }

    /// A header: `[name]` or `[[name]]`, the name made of key characters
    /// and dots, nothing in between.
    fn header(&mut self) -> Option<(bool, &'a str)> {
        self.eat(b'[')?;
        let array = self.eat(b'[').is_some();
        let start = self.pos;
        let n = self
            .rest()
            .iter()
            .take_while(|b| class(**b, HEADER))
            .count();
        self.pos += n;
        let name = self.text.get(start..self.pos)?;
        self.eat(b']')?;
        if array {
            self.eat(b']')?;
        }
        Some((array, name))
    }

    /// A bare key.
    fn key(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let n = self.rest().iter().take_while(|b| class(**b, KEY)).count();
        if n == 0 {
            return None;
        }
        self.pos += n;
        self.text.get(start..self.pos)
    }

    /// A plain decimal integer (no sign, no `_`, no leading zero).
    fn integer(&mut self) -> Option<u64> {
        let start = self.pos;
        let len = self
            .rest()
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let text = self.text.get(start..start + len)?;
        if len == 0 || (len > 1 && text.starts_with('0')) {
            return None;
        }
        self.pos += len;
        // A digit run followed by `-`, `:`, `.`, `e`, … is a date, a time,
        // a float or worse: not ours.
        if !after_scalar(self.peek()) {
            return None;
        }
        text.parse().ok()
    }

    fn boolean(&mut self) -> Option<bool> {
        let value = if self.rest().starts_with(b"true") {
            self.pos += 4;
            true
        } else if self.rest().starts_with(b"false") {
            self.pos += 5;
            false
        } else {
            return None;
        };
        after_scalar(self.peek()).then_some(value)
    }

    /// A one-line basic or literal string.
    fn string(&mut self) -> Option<String> {
        match self.peek()? {
            b'"' => self.basic(),
            b'\'' => self.literal(),
            _ => None,
        }
    }

    fn literal(&mut self) -> Option<String> {
        self.eat(b'\'')?;
        if self.peek() == Some(b'\'') && self.at(1) == Some(b'\'') {
            return None; // multi-line
        }
        let start = self.pos;
        let n = self
            .rest()
            .iter()
            .position(|b| *b == b'\'' || !allowed(*b))?;
        self.pos += n;
        self.eat(b'\'')?;
        self.text.get(start..start + n).map(str::to_owned)
    }

    fn basic(&mut self) -> Option<String> {
        self.eat(b'"')?;
        if self.peek() == Some(b'"') && self.at(1) == Some(b'"') {
            return None; // multi-line
        }
        let start = self.pos;
        let stop = |b: &u8| class(*b, BASIC_STOP);
        let n = self.rest().iter().position(stop)?;
        self.pos += n;
        if self.eat(b'"').is_some() {
            // The common case: no escape.
            return self.text.get(start..start + n).map(str::to_owned);
        }
        let mut out = String::from(self.text.get(start..start + n)?);
        loop {
            self.eat(b'\\')?;
            let e = self.peek()?;
            self.pos += 1;
            let c = match e {
                b'b' => '\u{8}',
                b't' => '\t',
                b'n' => '\n',
                b'f' => '\u{c}',
                b'r' => '\r',
                b'"' => '"',
                b'\\' => '\\',
                b'u' => self.unicode(4)?,
                b'U' => self.unicode(8)?,
                _ => return None,
            };
            out.push(c);
            let run = self.pos;
            let n = self.rest().iter().position(stop)?;
            self.pos += n;
            out.push_str(self.text.get(run..run + n)?);
            if self.eat(b'"').is_some() {
                return Some(out);
            }
        }
    }

    /// `digits` hex digits naming a Unicode scalar value.
    fn unicode(&mut self, digits: usize) -> Option<char> {
        let hex = self.text.get(self.pos..self.pos + digits)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += digits;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    /// A one-line array of strings (no trailing comma).
    fn strings(&mut self) -> Option<Vec<String>> {
        self.eat(b'[')?;
        self.skip_ws();
        let mut items = Vec::new();
        if self.eat(b']').is_some() {
            return Some(items);
        }
        loop {
            items.push(self.string()?);
            self.skip_ws();
            if self.eat(b']').is_some() {
                return Some(items);
            }
            self.eat(b',')?;
            self.skip_ws();
        }
    }

    /// `{ level = "…", justification = "…" }` (justification optional, in
    /// any order, no trailing comma).
    fn consensus(&mut self) -> Option<Consensus> {
        self.eat(b'{')?;
        let (mut level, mut justification) = (None, None);
        loop {
            self.skip_ws();
            let key = self.key()?;
            self.skip_ws();
            self.eat(b'=')?;
            self.skip_ws();
            match key {
                "level" => once(&mut level, self.string()?)?,
                "justification" => once(&mut justification, self.string()?)?,
                _ => return None,
            }
            self.skip_ws();
            if self.eat(b'}').is_some() {
                break;
            }
            self.eat(b',')?;
        }
        Some(Consensus {
            level: level?,
            justification,
        })
    }
}
