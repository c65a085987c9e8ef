//! The command line: every command, option and help text (clap derive).
//!
//! Only declarations: parsing is clap's, the work is in `commands`. The
//! exit codes are stated in [`EXIT_CODES`], shown after `--help` and in the
//! README.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The exit codes, as shown after `--help`.
pub const EXIT_CODES: &str = "\
Exit status:
  0  success
  1  problems in the input: a file that does not validate, an assessment
     whose rubric cannot be found, an import with errors (every problem is
     printed as FILE:LINE:COLUMN with the offending line)
  2  usage error (unknown command or option, missing argument, bad value)
  3  input/output or other failure (a file that cannot be read or written)

Rubrics: an assessment names its rubric id and version; the rubric is taken
from --rubric, else from the rubric files among the inputs, else from a
`rubrics/` or `assessments/rubrics/` directory next to the assessment or
above it, else from the reference rubrics built into this program. Use -v
to see which was used. In directories, `*.toml` files are read: those with a
top-level [scale] are rubrics, those with `rubric_version` are assessments,
other files (README.md, synth.toml) are skipped.

Set NO_COLOR to turn colours off (they are off when stderr is not a terminal).";

/// Commune capacity self-assessments: validate, score, plan, compare,
/// chart and report.
#[derive(Debug, Parser)]
#[command(name = "capacity", version, about, long_about = None, after_help = EXIT_CODES, after_long_help = EXIT_CODES)]
pub struct Cli {
    /// Options shared by every command.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Language of tables and reports.
    #[arg(long, global = true, value_enum, default_value_t = LangArg::Fr, env = "CAPACITY_LANG")]
    pub lang: LangArg,
    /// Rubric file or directory of rubrics to use first (repeatable).
    #[arg(long, global = true, value_name = "FILE_OR_DIR")]
    pub rubric: Vec<PathBuf>,
    /// Commands about one rubric (report, grants, chart, export): take the
    /// assessments of this rubric (`ID` or `ID@VERSION`) among the inputs.
    /// Without it, inputs of several rubrics are refused rather than some
    /// silently left out.
    #[arg(long, global = true, value_name = "ID[@VERSION]")]
    pub only: Option<String>,
    /// Say which rubric each assessment was scored with, and what was
    /// skipped.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// No progress bar and no summary lines on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// A language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LangArg {
    /// Français.
    Fr,
    /// English.
    En,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rubrics and assessments; print every problem with its place.
    #[command(after_help = EXIT_CODES)]
    Validate(Validate),
    /// Score one assessment: overall, domains, competencies, indicators.
    #[command(after_help = EXIT_CODES)]
    Score(One),
    /// Explain one score down to the raters' levels and evidence.
    #[command(after_help = EXIT_CODES)]
    Explain(Explain),
    /// Gaps to target of one assessment, by priority.
    #[command(after_help = EXIT_CODES)]
    Gaps(Gaps),
    /// The costed action plan of one assessment (md: for the PDESC).
    #[command(after_help = EXIT_CODES)]
    Plan(Plan),
    /// Compare many communes: level distributions, share at basic level,
    /// quartiles, ranking, progress between rounds, reform needs.
    #[command(after_help = EXIT_CODES)]
    Compare(Compare),
    /// Simulate a performance-based grant over many communes.
    #[command(after_help = EXIT_CODES)]
    Grants(Grants),
    /// Draw a chart as SVG.
    #[command(after_help = EXIT_CODES)]
    Chart(Chart),
    /// Write a self-contained HTML report: one commune, or many (regional).
    #[command(after_help = EXIT_CODES)]
    Report(Report),
    /// Write a synthetic dataset of fictional assessments.
    #[command(after_help = EXIT_CODES)]
    Synth(Synth),
    /// Export scores, gaps and plans as planners' spreadsheets.
    #[command(after_help = EXIT_CODES)]
    Export(Export),
    /// Write an XLSForm (Kobo/ODK) questionnaire for a rubric.
    #[command(after_help = EXIT_CODES)]
    Xlsform(Xlsform),
    /// Import data collected with Kobo/ODK.
    #[command(after_help = EXIT_CODES)]
    Import(Import),
}

/// `validate`.
#[derive(Debug, Args)]
pub struct Validate {
    /// Rubric or assessment files, or directories to walk.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// How to print problems: human (with the source line), short (one
    /// line each, FILE:LINE:COLUMN: message) or json.
    #[arg(long, value_enum, default_value_t = ProblemFormat::Human)]
    pub format: ProblemFormat,
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProblemFormat {
    /// With the offending line and a caret.
    Human,
    /// One line per problem.
    Short,
    /// A JSON array on stdout.
    Json,
}

/// Output formats of one-assessment commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table for the terminal.
    Table,
    /// JSON (the core's results, with ids).
    Json,
    /// CSV (plain decimals with a point, whole francs).
    Csv,
    /// Markdown (pipe tables).
    Md,
}

/// One assessment and an output format.
#[derive(Debug, Args)]
pub struct One {
    /// The assessment file.
    #[arg(value_name = "ASSESSMENT")]
    pub assessment: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `explain`.
#[derive(Debug, Args)]
pub struct Explain {
    /// The assessment file.
    #[arg(value_name = "ASSESSMENT")]
    pub assessment: PathBuf,
    /// A domain, competency or indicator id (default: the overall score).
    #[arg(value_name = "ID")]
    pub id: Option<String>,
    /// Output format (table: plain text; json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// `gaps`.
#[derive(Debug, Args)]
pub struct Gaps {
    /// The assessment file.
    #[arg(value_name = "ASSESSMENT")]
    pub assessment: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Show only the first N priorities.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
}

/// `plan`.
#[derive(Debug, Args)]
pub struct Plan {
    /// The assessment file.
    #[arg(value_name = "ASSESSMENT")]
    pub assessment: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Groups shown next to the national figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// By region.
    Region,
    /// By cercle.
    Cercle,
}

/// `compare`.
#[derive(Debug, Args)]
pub struct Compare {
    /// Assessment files or directories (several rounds of a commune
    /// allowed: its latest round is compared, progress is shown).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// Groups next to the national figures.
    #[arg(long, value_enum, default_value_t = ByArg::Region)]
    pub by: ByArg,
    /// Compare this round (default: each commune's latest).
    #[arg(long, value_name = "LABEL")]
    pub round: Option<String>,
    /// Output format (table, csv or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also print the per-indicator distributions.
    #[arg(long)]
    pub indicators: bool,
}

/// `grants`.
#[derive(Debug, Args)]
pub struct Grants {
    /// Assessment files or directories.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// The pool to share, in whole FCFA (spaces or underscores allowed).
    #[arg(long, value_name = "AMOUNT")]
    pub pool: String,
    /// The lowest overall score (0–100) that can receive a grant.
    #[arg(long, value_name = "PCT")]
    pub threshold: String,
    /// Share in proportion to score × population instead of score.
    #[arg(long)]
    pub by_population: bool,
    /// Let provisional assessments (some indicator unanswered) receive a
    /// grant.
    #[arg(long)]
    pub accept_provisional: bool,
    /// Use this round (default: each commune's latest).
    #[arg(long, value_name = "LABEL")]
    pub round: Option<String>,
    /// Output format (table, csv or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// The charts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ChartKind {
    /// Competency scores against target (one assessment; a second file of
    /// the same commune adds its earlier round).
    Radar,
    /// The largest gaps to target (one assessment).
    Gaps,
    /// Communes × competencies (many).
    Heatmap,
    /// Two rounds of one commune.
    Progress,
    /// Level distribution per competency (many).
    Distribution,
}

/// `chart`.
#[derive(Debug, Args)]
pub struct Chart {
    /// Which chart.
    #[arg(value_enum)]
    pub kind: ChartKind,
    /// Assessment files or directories.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// Output SVG file.
    #[arg(short, long, value_name = "FILE.svg")]
    pub output: PathBuf,
    /// Layout width in pixels.
    #[arg(long, default_value_t = 640)]
    pub width: u32,
    /// Domains instead of competencies (radar, progress).
    #[arg(long)]
    pub domains: bool,
    /// Indicators instead of competencies (gaps, heatmap, distribution).
    #[arg(long)]
    pub indicators: bool,
    /// How many bars (gaps) or rows (heatmap).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// A title replacing the default one.
    #[arg(long)]
    pub title: Option<String>,
}

/// `report`.
#[derive(Debug, Args)]
pub struct Report {
    /// One assessment (commune report; earlier rounds of the same commune
    /// add progress), or many files or directories (regional report).
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// Output HTML file.
    #[arg(short, long, value_name = "FILE.html")]
    pub output: PathBuf,
    /// Groups in the regional report.
    #[arg(long, value_enum, default_value_t = ByArg::Region)]
    pub by: ByArg,
    /// Compare this round (regional report).
    #[arg(long, value_name = "LABEL")]
    pub round: Option<String>,
    /// Make a regional report even for a single commune.
    #[arg(long)]
    pub regional: bool,
}

/// `synth`.
#[derive(Debug, Args)]
pub struct Synth {
    /// Seed of the generator: the same seed gives the same files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output directory (a previous dataset there is replaced; any other
    /// non-empty directory is refused).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Number of communes (703: the national map).
    #[arg(long, default_value_t = 703)]
    pub communes: usize,
    /// Round labels, comma-separated, oldest first.
    #[arg(long, value_delimiter = ',', default_value = "2023,2025")]
    pub rounds: Vec<String>,
    /// Raters per workshop, MIN-MAX or a single number.
    #[arg(long, default_value = "3-6", value_parser = parse_range)]
    pub raters: (usize, usize),
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let number = |t: &str| {
        t.trim()
            .parse::<usize>()
            .map_err(|_| format!("`{s}` is not a range: write MIN-MAX, e.g. 3-6"))
    };
    match s.split_once('-') {
        Some((lo, hi)) => Ok((number(lo)?, number(hi)?)),
        None => number(s).map(|n| (n, n)),
    }
}

/// Spreadsheet formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SheetFormat {
    /// CSV.
    Csv,
    /// Excel workbook.
    Xlsx,
}

/// `export`.
#[derive(Debug, Args)]
pub struct Export {
    /// Assessment files or directories.
    #[arg(required = true, value_name = "FILE_OR_DIR")]
    pub inputs: Vec<PathBuf>,
    /// Spreadsheet format.
    #[arg(long, value_enum, default_value_t = SheetFormat::Xlsx)]
    pub format: SheetFormat,
    /// Output file.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
}

/// `xlsform`.
#[derive(Debug, Args)]
pub struct Xlsform {
    /// The rubric file (or the id of a built-in rubric).
    #[arg(value_name = "RUBRIC")]
    pub rubric_file: String,
    /// Output XLSX file.
    #[arg(short, long, value_name = "FILE.xlsx")]
    pub output: PathBuf,
    /// The round's default label in the form (e.g. 2025).
    #[arg(long, value_name = "LABEL")]
    pub round: Option<String>,
}

/// `import`.
#[derive(Debug, Args)]
pub struct Import {
    /// Where the data come from.
    #[command(subcommand)]
    pub source: ImportSource,
}

/// Import sources.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A Kobo/ODK CSV export of a form made by `capacity xlsform`.
    Kobo(Kobo),
}

/// `import kobo`.
#[derive(Debug, Args)]
pub struct Kobo {
    /// The CSV export. The rubric the form was made from is given with
    /// `--rubric FILE` (or found as for the other commands: a built-in
    /// rubric id works too).
    #[arg(value_name = "EXPORT.csv")]
    pub export: PathBuf,
    /// Output directory for the assessments (one file per commune and
    /// round, `<commune id>-<round>.toml`).
    #[arg(short, long, value_name = "DIR")]
    pub output: PathBuf,
    /// Replace assessment files that already exist in the directory.
    #[arg(long)]
    pub force: bool,
}
