//! Errors and diagnostics: what is wrong, where, and how to fix it.
//!
//! Owns the crate's one error enum, [`Error`] (`#[non_exhaustive]`, every
//! variant carries its context, every message says how to fix the problem),
//! and [`Diagnostic`], which adds the place: the TOML key path
//! ([`KeyPath`], e.g. `indicator[3].weight`), the node path
//! (`domain/competency/indicator`) and the `line:column` [`Position`].
//! Validation collects every problem into [`Diagnostics`] instead of stopping
//! at the first.
//!
//! Positions come from the TOML reader's byte spans: a problem found on the
//! model (after reading) carries only its key path, and [`locate`] turns key
//! paths into spans and positions by reading the text once more, only when
//! there is something to report. This module knows the TOML document
//! structure but nothing about scoring.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;
use toml::de::{DeTable, DeValue};

/// The kind of thing a problem is about, used in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Item {
    /// The rubric itself.
    Rubric,
    /// A `[[domain]]`.
    Domain,
    /// A `[[competency]]`.
    Competency,
    /// An `[[indicator]]`.
    Indicator,
    /// A `[[scale.level]]`.
    Level,
    /// A `[[table]]`.
    Table,
    /// A `[[rater]]`.
    Rater,
    /// The `[commune]`.
    Commune,
    /// A competence named in `transferred`.
    Competence,
}

impl fmt::Display for Item {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Item::Rubric => "rubric",
            Item::Domain => "domain",
            Item::Competency => "competency",
            Item::Indicator => "indicator",
            Item::Level => "level",
            Item::Table => "table",
            Item::Rater => "rater",
            Item::Commune => "commune",
            Item::Competence => "competence",
        })
    }
}

/// Everything that can be wrong with a rubric, an assessment, or the way they
/// are used together. Messages are lowercase, carry the offending values and
/// end with how to fix the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Error {
    /// The TOML reader refused the text (syntax, unknown key, wrong type,
    /// missing key).
    #[error("{message}")]
    Toml {
        /// The reader's message.
        message: String,
    },
    /// `format` names a file format this version does not read.
    #[error("file format {found} is not supported: write `format = 1`")]
    UnsupportedFormat {
        /// The format found.
        found: u32,
    },
    /// An id has characters outside `[A-Za-z0-9_.-]` or is empty.
    #[error("{item} id `{id}` is not valid: use only ASCII letters, digits, `_`, `.` and `-`")]
    InvalidId {
        /// What the id names.
        item: Item,
        /// The id as written.
        id: String,
    },
    /// Two items share an id.
    #[error("{item} id `{id}` is already used by a {first}: give each one its own id")]
    DuplicateId {
        /// The item carrying the second use.
        item: Item,
        /// The repeated id.
        id: String,
        /// The item carrying the first use.
        first: Item,
    },
    /// A required text or value is empty.
    #[error("`{field}` is empty: write it")]
    Empty {
        /// The key (e.g. `title.fr`).
        field: String,
    },
    /// The rubric has no domain.
    #[error("the rubric has no domain: add a [[domain]] with its competencies and indicators")]
    NoDomain,
    /// A domain without competency, or a competency without indicator.
    #[error(
        "{item} `{id}` has no {child}: add a [[{child}]] with `{item} = \"{id}\"`, or remove the {item}"
    )]
    Childless {
        /// The empty node's kind.
        item: Item,
        /// The empty node's id.
        id: String,
        /// The kind of child it needs.
        child: Item,
    },
    /// A competency or indicator names a parent that does not exist.
    #[error(
        "{item} `{id}` belongs to {parent_item} `{parent}`, which does not exist: use the id of a [[{parent_item}]]"
    )]
    UnknownParent {
        /// The child's kind.
        item: Item,
        /// The child's id.
        id: String,
        /// The parent's kind.
        parent_item: Item,
        /// The parent id as written.
        parent: String,
    },
    /// A weight is zero or negative.
    #[error(
        "weight must be greater than 0, found \"{weight}\": write a positive decimal such as \"1\""
    )]
    NonPositiveWeight {
        /// The weight found.
        #[serde(with = "rust_decimal::serde::str")]
        weight: Decimal,
    },
    /// A weight above the supported bound.
    #[error("weight \"{weight}\" is too large: weights must not exceed \"{max}\"")]
    WeightTooLarge {
        /// The weight found.
        #[serde(with = "rust_decimal::serde::str")]
        weight: Decimal,
        /// The largest weight accepted.
        #[serde(with = "rust_decimal::serde::str")]
        max: Decimal,
    },
    /// Too few or too many levels in the scale.
    #[error("the scale has {found} level(s): it needs between 2 and {max} [[scale.level]] tables")]
    LevelCount {
        /// Levels found.
        found: usize,
        /// The largest number accepted.
        max: usize,
    },
    /// A level code is `NA` or `NI`.
    #[error(
        "level code `{code}` is reserved (NA: not applicable, NI: no information): choose another code"
    )]
    ReservedCode {
        /// The code.
        code: String,
    },
    /// Two levels share a code.
    #[error("level code `{code}` appears twice in the scale: give each level its own code")]
    DuplicateLevel {
        /// The code.
        code: String,
    },
    /// Level values do not strictly increase.
    #[error(
        "level `{code}` has value \"{value}\", not greater than \"{previous_value}\" of level `{previous}` before it: list levels lowest first with strictly increasing values"
    )]
    ScaleNotIncreasing {
        /// The level out of order.
        code: String,
        /// Its value.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
        /// The level before it.
        previous: String,
        /// The value of the level before it.
        #[serde(with = "rust_decimal::serde::str")]
        previous_value: Decimal,
    },
    /// A level value outside the supported range.
    #[error(
        "level value \"{value}\" is out of range: use values between \"-1000000000\" and \"1000000000\""
    )]
    LevelValueOutOfRange {
        /// The value found.
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
    },
    /// A level code that the scale does not have.
    #[error("unknown level `{code}`: use one of {known}")]
    UnknownLevel {
        /// The code as written.
        code: String,
        /// The scale's codes, lowest first.
        known: String,
    },
    /// A rating that is neither a level code nor `NA`/`NI`.
    #[error(
        "unknown rating `{code}`: use one of {known}, NA (not applicable) or NI (no information)"
    )]
    UnknownMark {
        /// The code as written.
        code: String,
        /// The scale's codes, lowest first.
        known: String,
    },
    /// `NA` or `NI` where a level is needed (e.g. a target).
    #[error("`{field}` must be a level of the scale, not `{code}`: use one of {known}")]
    LevelRequired {
        /// The key.
        field: String,
        /// The code as written.
        code: String,
        /// The scale's codes, lowest first.
        known: String,
    },
    /// `disagreement_span` is zero.
    #[error(
        "disagreement_span must be at least 1, found {found}: write the number of steps apart that counts as disagreement (default 2)"
    )]
    DisagreementSpan {
        /// The value found.
        found: u8,
    },
    /// `method = "table"` without `table = "…"`.
    #[error("method = \"table\" needs `table = \"…\"` naming a [[table]]")]
    MissingTable,
    /// `table = "…"` with another method.
    #[error("`table` is only read with method = \"table\": remove it or set method = \"table\"")]
    UnexpectedTable,
    /// A table id that no `[[table]]` declares.
    #[error("unknown table `{table}`: declare a [[table]] with id = \"{table}\"{known}")]
    UnknownTable {
        /// The table id as written.
        table: String,
        /// The declared table ids, as an addendum (", or use one of …").
        known: String,
    },
    /// A table row with no input.
    #[error("a table row needs at least one input level in `inputs`")]
    EmptyTableRow,
    /// A table row with too many inputs.
    #[error("table row has {arity} inputs: at most {max} are supported")]
    TableArity {
        /// Inputs in the row.
        arity: usize,
        /// The largest number accepted.
        max: usize,
    },
    /// The same multiset of inputs appears twice in a table.
    #[error("row {inputs} appears twice in table `{table}`: keep one")]
    DuplicateTableRow {
        /// The table.
        table: String,
        /// The inputs, sorted.
        inputs: String,
    },
    /// A table score outside 0–100.
    #[error("score \"{score}\" is outside 0–100: write a score between \"0\" and \"100\"")]
    ScoreOutOfRange {
        /// The score found.
        #[serde(with = "rust_decimal::serde::str")]
        score: Decimal,
    },
    /// A table misses combinations of an arity it covers.
    #[error(
        "table `{table}` lacks {count} row(s) for {arity} inputs, e.g. {example}: list every combination of levels for each number of inputs the table covers"
    )]
    IncompleteTable {
        /// The table.
        table: String,
        /// The arity with missing rows.
        arity: usize,
        /// How many combinations are missing.
        count: usize,
        /// One missing combination.
        example: String,
    },
    /// A node aggregates with a table that has no rows for its number of
    /// children.
    #[error(
        "{item} `{id}` combines {arity} children with table `{table}`, which has no rows for {arity} inputs: add them to the table"
    )]
    TableArityMissing {
        /// The node's kind.
        item: Item,
        /// The node's id.
        id: String,
        /// Its number of children.
        arity: usize,
        /// The table.
        table: String,
    },
    /// `minimum` on an indicator that is not critical.
    #[error(
        "`minimum` is only read for critical indicators: add `critical = true` or remove `minimum`"
    )]
    MinimumWithoutCritical,
    /// An indicator lacks the descriptor of a level.
    #[error(
        "no descriptor for level `{level}`: add `{level}.fr = \"…\"` under [indicator.descriptor]"
    )]
    MissingDescriptor {
        /// The level code.
        level: String,
    },
    /// An action from the highest level.
    #[error(
        "an action from the highest level `{level}` leads nowhere: actions lead from a level to the next one"
    )]
    ActionFromTop {
        /// The level code.
        level: String,
    },
    /// A cost that is not a whole, non-negative, bounded number of francs.
    #[error(
        "cost must be a whole number of francs between \"0\" and \"1000000000000000\", found \"{cost}\""
    )]
    InvalidCost {
        /// The cost found.
        #[serde(with = "rust_decimal::serde::str")]
        cost: Decimal,
    },
    /// `min_population` above `max_population`.
    #[error(
        "min_population ({min}) is greater than max_population ({max}): no commune could match"
    )]
    PopulationRange {
        /// The lower bound.
        min: u64,
        /// The upper bound.
        max: u64,
    },
    /// `kinds = []`.
    #[error("`kinds` is empty: list at least one of commune, cercle, or remove it")]
    EmptyKinds,
    /// The assessment names another rubric.
    #[error(
        "this assessment is for rubric `{found}`, not `{expected}`: load rubric `{found}` or correct `rubric`"
    )]
    WrongRubric {
        /// The loaded rubric's id.
        expected: String,
        /// The id the assessment names.
        found: String,
    },
    /// The assessment names another version of the rubric.
    #[error(
        "this assessment is for version {found} of rubric `{rubric}`, but version {expected} is loaded: load version {found} or migrate the assessment"
    )]
    WrongRubricVersion {
        /// The rubric id.
        rubric: String,
        /// The loaded version.
        expected: String,
        /// The version the assessment names.
        found: String,
    },
    /// A date that is not `YYYY-MM-DD`.
    #[error("date `{date}` is not a valid ISO date: write YYYY-MM-DD, e.g. \"2024-03-14\"")]
    InvalidDate {
        /// The date as written.
        date: String,
    },
    /// A rating by a rater that is not declared.
    #[error("rater `{rater}` is not declared: add a [[rater]] with id = \"{rater}\"{known}")]
    UnknownRater {
        /// The rater id as written.
        rater: String,
        /// The declared raters, as an addendum (", or use one of …").
        known: String,
    },
    /// An answer for an indicator the rubric does not have.
    #[error("the rubric has no indicator `{indicator}`: check the id against the rubric")]
    UnknownIndicator {
        /// The id as written.
        indicator: String,
    },
    /// Two answers for one indicator.
    #[error("indicator `{indicator}` is answered twice: merge the two [[answer]] tables")]
    DuplicateAnswer {
        /// The indicator.
        indicator: String,
    },
    /// Two ratings by one rater on one indicator.
    #[error("rater `{rater}` rates indicator `{indicator}` twice: keep one rating")]
    DuplicateRating {
        /// The indicator.
        indicator: String,
        /// The rater.
        rater: String,
    },
    /// A plan decision whose action is not written `INDICATOR/FROM/INDEX`.
    #[error(
        "action `{action}` is not a plan action key: write INDICATOR/FROM/INDEX, e.g. \"ADM-EC-01/C/0\" (`capacity plan --format json` lists them)"
    )]
    InvalidActionKey {
        /// The key as written.
        action: String,
    },
    /// A plan decision naming an action the rubric does not have.
    #[error(
        "the rubric has no action {index} from level `{from}` for indicator `{indicator}`: use a key `capacity plan --format json` lists"
    )]
    UnknownAction {
        /// The indicator id.
        indicator: String,
        /// The level code the step starts from.
        from: String,
        /// The action's index.
        index: u32,
    },
    /// Two plan decisions about one action.
    #[error("action `{action}` is decided twice: keep one [[plan.decision]]")]
    DuplicateDecision {
        /// The action's key.
        action: String,
    },
    /// More raters than supported.
    #[error("{found} raters are declared: at most {max} are supported")]
    TooManyRaters {
        /// Raters declared.
        found: usize,
        /// The largest number accepted.
        max: usize,
    },
    /// Scoring, gaps or explanation were asked with results made for another
    /// rubric.
    #[error(
        "the data was prepared for rubric `{found}`, not `{expected}`: resolve the assessment again with this rubric"
    )]
    RubricMismatch {
        /// The rubric at hand (`id@version`).
        expected: String,
        /// The rubric the data was prepared for.
        found: String,
    },
}

/// A 1-based line and column in a text; the column counts characters
/// (Unicode scalar values), not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Position {
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text, and
    /// moved back to a character boundary).
    ///
    /// ```
    /// use capacity::Position;
    /// let p = Position::from_offset("a = 1\nbé = 2\n", 10);
    /// assert_eq!(p.to_string(), "2:4");
    /// ```
    pub fn from_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = text.get(..offset).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
        let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// The lines of a text, to turn many byte offsets into [`Position`]s in
/// time linear in the text and the number of offsets (the line is found by
/// binary search; the column is counted from the previous offset when it is
/// on the same line and not before it, so offsets taken in increasing order
/// never count a character twice). [`Position::from_offset`] scans from
/// the start of the text each time: fine for one offset, quadratic for
/// thousands.
///
/// ```
/// use capacity::diagnostic::LineIndex;
/// let index = LineIndex::new("a = 1\nbé = 2\n");
/// assert_eq!(index.position(10).to_string(), "2:4");
/// assert_eq!(index.line_span(2), Some((6, 13)));
/// ```
#[derive(Debug)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of each line.
    starts: Vec<usize>,
    /// The last offset asked and its position.
    last: std::cell::Cell<(usize, Position)>,
}

impl<'a> LineIndex<'a> {
    /// The index of `text` (one pass).
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            text,
            starts,
            last: std::cell::Cell::new((0, Position { line: 1, column: 1 })),
        }
    }

    /// The position of byte `offset` (clamped to the text, and moved back
    /// to a character boundary), as [`Position::from_offset`] gives it.
    pub fn position(&self, offset: usize) -> Position {
        let text = self.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|s| *s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0);
        let (last_offset, last) = self.last.get();
        let line_no = u32::try_from(line).unwrap_or(u32::MAX);
        let (from, column) =
            if last.line == line_no && last_offset >= start && last_offset <= offset {
                (last_offset, last.column as usize)
            } else {
                (start, 1)
            };
        let column = column + text.get(from..offset).unwrap_or_default().chars().count();
        let p = Position {
            line: line_no,
            column: u32::try_from(column).unwrap_or(u32::MAX),
        };
        self.last.set((offset, p));
        p
    }

    /// The byte range of line `line` (1-based), without its line break.
    pub fn line_span(&self, line: u64) -> Option<(usize, usize)> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.starts.get(i)?;
        let end = self.starts.get(i + 1).map_or(self.text.len(), |e| e - 1);
        let body = self.text.get(start..end)?.trim_end_matches('\r');
        Some((start, start + body.len()))
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One step of a [`KeyPath`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Segment {
    /// A key of a table.
    Key(String),
    /// An index in an array (0-based).
    Index(usize),
}

/// Where a value sits in a TOML document, e.g. `indicator[3].weight`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KeyPath(pub Vec<Segment>);

impl KeyPath {
    /// The path with one more key.
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(Segment::Key(key.to_owned()));
        self
    }

    /// The path with one more array index.
    pub fn index(mut self, index: usize) -> Self {
        self.0.push(Segment::Index(index));
        self
    }

    /// The path `key[index]` (an element of an array of tables).
    pub fn item(key: &str, index: usize) -> Self {
        Self::default().key(key).index(index)
    }
}

impl fmt::Display for KeyPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// One problem, with its place: position (`line:column`) when the text is
/// known, the node path (`domain/competency/indicator`) when the problem
/// concerns a node, and the TOML key path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// What is wrong, with its context.
    pub error: Error,
    /// Where in the document (may be empty for whole-document problems).
    pub key: KeyPath,
    /// The node concerned, as `domain/competency/indicator`.
    pub path: Option<String>,
    /// Byte range in the text, when known.
    pub span: Option<(usize, usize)>,
    /// Line and column in the text, when known.
    pub position: Option<Position>,
}

impl Diagnostic {
    /// A diagnostic at a key path, not yet located in a text.
    pub fn new(error: Error, key: KeyPath) -> Self {
        Self {
            error,
            key,
            path: None,
            span: None,
            position: None,
        }
    }

    /// The same diagnostic about node `path`.
    pub fn with_path(mut self, path: Option<String>) -> Self {
        self.path = path;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(f, "{p}: ")?,
            None if !self.key.0.is_empty() => write!(f, "{}: ", self.key)?,
            None => {}
        }
        if let Some(path) = &self.path {
            write!(f, "{path}: ")?;
        }
        write!(f, "{}", self.error)
    }
}

impl std::error::Error for Diagnostic {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Every problem found, in document order when positions are known.
///
/// Displays one problem per line:
///
/// ```
/// let err = capacity::Rubric::from_toml("format = 1\nid = 3\n").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "2:6: invalid type: integer `3`, expected a string",
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// The problems, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// How many problems.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is no problem.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn push(&mut self, error: Error, key: KeyPath, path: Option<String>) {
        self.0.push(Diagnostic::new(error, key).with_path(path));
    }

    /// Fills in spans and positions from `text` (see [`locate`]) and sorts
    /// the problems in document order.
    pub fn locate(mut self, text: &str) -> Self {
        locate(&mut self.0, text);
        self
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Reads a TOML document into `T`, turning the reader's error into a located
/// diagnostic (with the node path when the error sits inside a
/// `[[domain]]`, `[[competency]]`, `[[indicator]]` or `[[answer]]`).
pub(crate) fn from_toml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Diagnostics> {
    toml::from_str(text).map_err(|e| {
        let mut message = e.message().trim_end().trim_end_matches('.').to_owned();
        let span = e.span();
        // A bare TOML date reaches serde as a map: say what to write instead.
        if let Some(snippet) = span.clone().and_then(|s| text.get(s))
            && message.starts_with("invalid type: map, expected a string")
            && snippet.starts_with(|c: char| c.is_ascii_digit())
        {
            message = format!("write the date as a string: `date = \"{snippet}\"`");
        }
        let mut d = Diagnostic::new(Error::Toml { message }, KeyPath::default());
        if let Some(span) = span {
            d.span = Some((span.start, span.end));
            d.position = Some(Position::from_offset(text, span.start));
            if let Ok(root) = DeTable::parse(text) {
                d.path = node_path_at(root.get_ref(), span.start);
            }
        }
        Diagnostics(vec![d])
    })
}

/// Fills in the span, position and (when missing) nothing else of each
/// diagnostic, by walking its key path in the document: the deepest part of
/// the path that exists gives the span (so a missing key points at the table
/// that lacks it). Sorts the diagnostics by position, keeping the order of
/// those at the same place.
pub fn locate(diagnostics: &mut [Diagnostic], text: &str) {
    let Ok(root) = DeTable::parse(text) else {
        return;
    };
    for d in diagnostics.iter_mut() {
        if d.span.is_none() {
            let span = span_of(root.get_ref(), &d.key).unwrap_or(0..0);
            d.span = Some((span.start, span.end));
            d.position = None;
        }
    }
    // Positions in increasing order of offset, from one line index: linear
    // in the text and the number of problems.
    diagnostics.sort_by_key(|d| d.span.map(|(s, _)| s));
    let index = LineIndex::new(text);
    for d in diagnostics.iter_mut() {
        if d.position.is_none()
            && let Some((start, _)) = d.span
        {
            d.position = Some(index.position(start));
        }
    }
    diagnostics.sort_by_key(|d| d.position);
}

fn table_get<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a toml::Spanned<DeValue<'i>>> {
    table
        .iter()
        .find(|(k, _)| k.get_ref().as_ref() == key)
        .map(|(_, v)| v)
}

fn span_of(root: &DeTable<'_>, path: &KeyPath) -> Option<std::ops::Range<usize>> {
    let mut span = None;
    let mut table = Some(root);
    let mut array: Option<&toml::de::DeArray<'_>> = None;
    for segment in &path.0 {
        let value = match segment {
            Segment::Key(k) => table.and_then(|t| table_get(t, k)),
            Segment::Index(i) => array.and_then(|a| a.get(*i)),
        };
        let Some(value) = value else { break };
        span = Some(value.span());
        table = None;
        array = None;
        match value.get_ref() {
            DeValue::Table(t) => table = Some(t),
            DeValue::Array(a) => array = Some(a),
            _ => {}
        }
    }
    span
}

fn str_of<'a>(table: &'a DeTable<'_>, key: &str) -> Option<&'a str> {
    match table_get(table, key).map(|v| v.get_ref()) {
        Some(DeValue::String(s)) => Some(s.as_ref()),
        _ => None,
    }
}

/// The `domain/competency/indicator` path of the node whose table contains
/// byte `offset` (the last array-of-tables header at or before it).
fn node_path_at(root: &DeTable<'_>, offset: usize) -> Option<String> {
    let mut best: Option<(usize, &str, &DeTable<'_>)> = None;
    for (key, value) in root.iter() {
        let key = key.get_ref().as_ref();
        let candidates: Vec<(usize, &DeTable<'_>)> = match value.get_ref() {
            DeValue::Array(items) => items
                .iter()
                .filter_map(|item| match item.get_ref() {
                    DeValue::Table(t) => Some((item.span().start, t)),
                    _ => None,
                })
                .collect(),
            DeValue::Table(t) => vec![(value.span().start, t)],
            _ => Vec::new(),
        };
        for (start, table) in candidates {
            if start <= offset && best.is_none_or(|(b, _, _)| start >= b) {
                best = Some((start, key, table));
            }
        }
    }
    let (_, key, table) = best?;
    let id = |t: &DeTable<'_>| str_of(t, "id").map(str::to_owned);
    let domain_of = |competency: &str| -> Option<String> {
        let Some(DeValue::Array(items)) = table_get(root, "competency").map(|v| v.get_ref()) else {
            return None;
        };
        items.iter().find_map(|item| match item.get_ref() {
            DeValue::Table(t) if str_of(t, "id") == Some(competency) => {
                str_of(t, "domain").map(str::to_owned)
            }
            _ => None,
        })
    };
    match key {
        "domain" => id(table),
        "competency" => {
            let own = id(table)?;
            Some(match str_of(table, "domain") {
                Some(d) => format!("{d}/{own}"),
                None => own,
            })
        }
        "indicator" => {
            let own = id(table)?;
            let competency = str_of(table, "competency");
            Some(match competency {
                Some(c) => match domain_of(c) {
                    Some(d) => format!("{d}/{c}/{own}"),
                    None => format!("{c}/{own}"),
                },
                None => own,
            })
        }
        "answer" => str_of(table, "indicator").map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check_position(text: &str, offset: usize, expected: &str) {
        assert_eq!(Position::from_offset(text, offset).to_string(), expected);
    }

    #[test]
    fn positions_count_characters() {
        check_position("", 0, "1:1");
        check_position("abc", 2, "1:3");
        check_position("a\nbc", 2, "2:1");
        check_position("é\nàé = 1", 7, "2:3");
        // Inside a multi-byte character: moved back to its start.
        check_position("é", 1, "1:1");
        // Past the end: clamped.
        check_position("ab\n", 99, "2:1");
    }

    #[test]
    fn line_index_agrees_with_from_offset() {
        let text = "é\nàé = 1\r\n\nabc = \"ü\"\nlast";
        let index = LineIndex::new(text);
        // In order, out of order and repeated: the same answers.
        let offsets: Vec<usize> = (0..=text.len() + 2)
            .chain((0..=text.len()).rev())
            .chain([5, 5, 0, 7])
            .collect();
        for offset in offsets {
            assert_eq!(
                index.position(offset),
                Position::from_offset(text, offset),
                "offset {offset}"
            );
        }
        assert_eq!(index.line_span(1), Some((0, 2)));
        assert_eq!(index.line_span(2), Some((3, 11)));
        assert_eq!(index.line_span(3), Some((13, 13)));
        assert_eq!(index.line_span(5), Some((25, 29)));
        assert_eq!(index.line_span(6), None);
        assert_eq!(index.line_span(0), None);
    }

    #[test]
    fn key_paths_display_like_toml() {
        let p = KeyPath::item("indicator", 3).key("descriptor").key("B");
        assert_eq!(p.to_string(), "indicator[3].descriptor.B");
        assert_eq!(KeyPath::default().key("scale").to_string(), "scale");
    }
}
