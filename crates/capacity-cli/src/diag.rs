//! Problems in input files, printed with their place.
//!
//! A [`Problem`] is one thing wrong in one file: the message (the core's,
//! which says how to fix it), and when known the byte span, its
//! `line:column` and the file's text. It is shown with miette: the
//! offending line with a caret under the span, the file name and
//! position in the header. Colours only when stderr is a terminal and
//! `NO_COLOR` is unset, so tests read plain text. The short form is one
//! line, `FILE:LINE:COLUMN: message`, for editors and CI logs.

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};
use serde::Serialize;
use std::io::IsTerminal;
use std::sync::Arc;

/// One problem in one file.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The file, as given on the command line (or found in a directory).
    pub file: String,
    /// The file's text, when the problem can point into it.
    pub text: Option<Arc<String>>,
    /// Byte range of the offending part.
    pub span: Option<(usize, usize)>,
    /// 1-based line and column (characters) of the span's start.
    pub position: Option<capacity::Position>,
    /// What is wrong and how to fix it.
    pub message: String,
    /// A hint shown under the source.
    pub help: Option<String>,
}

impl Problem {
    /// A problem about a whole file (no position).
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        Problem {
            file: file.to_owned(),
            text: None,
            span: None,
            position: None,
            message: message.into(),
            help: None,
        }
    }

    /// The problems of the core's diagnostics about `file` with `text`.
    pub fn from_diagnostics(
        file: &str,
        text: &Arc<String>,
        diags: &capacity::Diagnostics,
    ) -> Vec<Problem> {
        diags
            .iter()
            .map(|d| {
                let message = match &d.path {
                    Some(path) => format!("{path}: {}", d.error),
                    None => d.error.to_string(),
                };
                Problem {
                    file: file.to_owned(),
                    text: Some(Arc::clone(text)),
                    span: d.span,
                    position: d.position.or_else(|| {
                        d.span
                            .map(|(s, _)| capacity::Position::from_offset(text, s))
                    }),
                    message,
                    help: None,
                }
            })
            .collect()
    }

    /// With a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// `FILE:LINE:COLUMN: message` (or `FILE: message`).
    pub fn short(&self) -> String {
        match self.position {
            Some(p) => format!("{}:{}:{}: {}", self.file, p.line, p.column, self.message),
            None => format!("{}: {}", self.file, self.message),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.short())
    }
}

impl std::error::Error for Problem {}

/// The miette view of a problem: the message carries the place, the
/// source shows the line.
#[derive(Debug)]
struct Shown<'a> {
    problem: &'a Problem,
    source: Option<NamedSource<Arc<String>>>,
}

impl std::fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.problem.short())
    }
}

impl std::error::Error for Shown<'_> {}

impl miette::Diagnostic for Shown<'_> {
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (start, end) = self.problem.span?;
        self.source.as_ref()?;
        let span = SourceSpan::new(start.into(), end.saturating_sub(start));
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some("here".to_owned()),
            span,
        ))))
    }

    fn help(&self) -> Option<Box<dyn std::fmt::Display + '_>> {
        self.problem
            .help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
}

/// Whether stderr gets colours: a terminal, and `NO_COLOR` unset.
pub fn colour() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The longest source line shown under a problem, in bytes.
const MAX_SHOWN_LINE: usize = 1000;

/// A problem as printed on stderr, with the offending line.
pub fn render(problem: &Problem) -> String {
    // On a terminal, colours and lines wrapped to 100 columns; elsewhere
    // (files, pipes, tests) plain text and long lines, so that each
    // problem's first line can be searched for whole.
    let (theme, width) = if colour() {
        (GraphicalTheme::unicode(), 100)
    } else {
        (GraphicalTheme::unicode_nocolor(), 400)
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_context_lines(1);
    // A very long line (a CSV header with thousands of columns) is not
    // shown: the message names the place, and the output stays small.
    let long_line = match (&problem.text, problem.span) {
        (Some(t), Some((start, end))) => {
            let before = t.get(..start).unwrap_or_default();
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let line_end = t
                .get(end..)
                .and_then(|rest| rest.find('\n'))
                .map_or(t.len(), |i| end + i);
            line_end.saturating_sub(line_start) > MAX_SHOWN_LINE
        }
        _ => false,
    };
    let shown = Shown {
        problem,
        source: problem.text.as_ref().filter(|_| !long_line).and_then(|t| {
            problem.span.map(|_| {
                NamedSource::new(problem.file.clone(), Arc::clone(t)).with_language("TOML")
            })
        }),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &shown).is_err() {
        out = format!("error: {}\n", problem.short());
    }
    out
}

/// A problem as JSON.
#[derive(Debug, Serialize)]
pub struct ProblemJson<'a> {
    /// The file.
    pub file: &'a str,
    /// The line, from 1.
    pub line: Option<u32>,
    /// The column, from 1, in characters.
    pub column: Option<u32>,
    /// What is wrong and how to fix it.
    pub message: &'a str,
}

impl<'a> From<&'a Problem> for ProblemJson<'a> {
    fn from(p: &'a Problem) -> Self {
        ProblemJson {
            file: &p.file,
            line: p.position.map(|p| p.line),
            column: p.position.map(|p| p.column),
            message: &p.message,
        }
    }
}
