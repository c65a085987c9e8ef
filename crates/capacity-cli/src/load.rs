//! Finding, reading, validating and scoring the files a command is given.
//!
//! Inputs are files or directories. Directories are walked (sorted, so the
//! output does not depend on the file system) for `*.toml`; a TOML file
//! whose top level has a `scale` table is a rubric, one with
//! `rubric_version` is an assessment, any other is skipped (a dataset's
//! `synth.toml`, say). A file named explicitly is a rubric when it has a
//! `scale`, else an assessment, so that a broken file is reported rather
//! than skipped.
//!
//! An assessment names its rubric by id and version; the rubric is looked
//! up in this order:
//!
//! 1. `--rubric FILE_OR_DIR` (given first);
//! 2. the rubric files among the inputs;
//! 3. next to the assessment: a `rubrics/` or `assessments/rubrics/`
//!    directory in its directory or any directory above it (so
//!    `assessments/samples/x.toml` finds `assessments/rubrics/`, and a
//!    synthetic dataset's `assessments/2025/x.toml` finds its
//!    `rubrics/`);
//! 4. the reference rubrics built into the program (`capacity-data`).
//!
//! A rubric is identified by its id and version, whatever its source: two
//! sources with the same `id@version` and the same content are one rubric
//! (so assessments resolved from a file and from the built-in copy are
//! compared together); two sources with the same `id@version` and
//! different content are a problem naming both, and no assessment of that
//! rubric is scored until one of them is renamed or removed.
//!
//! Files are read as UTF-8 (a byte-order mark is dropped); a file in
//! another encoding is a problem naming its line and byte offset
//! ([`capacity::encoding::decode`]).
//!
//! Every problem is collected with its place ([`Problem`]); scoring runs
//! only on assessments without problems.

use crate::diag::Problem;
use crate::error::CliError;
use capacity::{Assessment, CompiledRubric, Diagnostic, Diagnostics, Error, KeyPath, Scored};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a rubric came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// `--rubric`.
    Option(String),
    /// One of the inputs.
    Input(String),
    /// A `rubrics/` directory next to or above the assessment.
    Nearby(String),
    /// Built into the program.
    Embedded(&'static str),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Option(p) => write!(f, "{p} (--rubric)"),
            Origin::Input(p) => write!(f, "{p} (among the inputs)"),
            Origin::Nearby(p) => write!(f, "{p} (next to the assessment)"),
            Origin::Embedded(n) => write!(f, "built-in {n}"),
        }
    }
}

/// A compiled rubric and where it came from.
#[derive(Debug)]
pub struct RubricEntry {
    /// The rubric.
    pub compiled: CompiledRubric,
    /// Where it came from.
    pub origin: Origin,
}

/// One valid, scored assessment.
#[derive(Debug)]
pub struct Loaded {
    /// The file.
    pub file: String,
    /// The assessment.
    pub assessment: Assessment,
    /// Its results.
    pub scored: Scored,
    /// Its rubric (index in [`Batch::rubrics`]).
    pub rubric: usize,
}

/// Everything read for a command.
#[derive(Debug, Default)]
pub struct Batch {
    /// Rubrics loaded (valid ones).
    pub rubrics: Vec<RubricEntry>,
    /// Valid, scored assessments, in input order.
    pub assessments: Vec<Loaded>,
    /// Every problem found.
    pub problems: Vec<Problem>,
    /// Files read (rubrics and assessments).
    pub files: usize,
    /// Files skipped (neither rubric nor assessment).
    pub skipped: Vec<String>,
    /// Rubric files read among the inputs (valid or not).
    pub rubric_files: usize,
    /// Notes for verbose mode.
    pub notes: Vec<String>,
}

impl Batch {
    /// The rubric of an assessment.
    pub fn rubric_of(&self, l: &Loaded) -> Option<&CompiledRubric> {
        self.rubrics.get(l.rubric).map(|r| &r.compiled)
    }
}

/// A file read from disk.
struct Read {
    file: String,
    path: PathBuf,
    text: Arc<String>,
}

/// A file read and classified, with its assessment parsed when it is one.
type ReadFile = (Read, Kind, Option<Result<Assessment, Diagnostics>>);

/// What a TOML file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rubric,
    Assessment,
    Other,
}

/// What a file is. A line-based look first (a `[scale]` table or a
/// `scale.` key at the top level: a rubric; a `rubric_version` key: an
/// assessment), so that 1 400 files are not parsed twice; a full parse only
/// when the lines say nothing.
fn classify(text: &str) -> Kind {
    let mut section = false;
    for line in text.lines() {
        let l = line.trim_start();
        if l.starts_with('[') {
            if l.starts_with("[scale]") || l.starts_with("[[scale.") || l.starts_with("[scale.") {
                return Kind::Rubric;
            }
            section = true;
        } else if !section {
            let key = l.split(['=', ' ', '.']).next().unwrap_or("");
            match key {
                "scale" => return Kind::Rubric,
                "rubric_version" => return Kind::Assessment,
                _ => {}
            }
        }
    }
    match text.parse::<toml::Table>() {
        Ok(t) if t.get("scale").is_some_and(toml::Value::is_table) => Kind::Rubric,
        Ok(t) if t.contains_key("rubric_version") => Kind::Assessment,
        Ok(_) => Kind::Other,
        Err(_) => Kind::Assessment,
    }
}

/// A path as shown: relative to the working directory when under it.
fn display(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) if path.is_absolute() => path
            .strip_prefix(&cwd)
            .unwrap_or(path)
            .display()
            .to_string(),
        _ => path.display().to_string(),
    }
}

/// The text of the file at `path`: an I/O failure is an error, a file that
/// is not UTF-8 a problem naming its place and the fix.
pub fn read_text(path: &Path, file: &str) -> Result<Result<String, Problem>, CliError> {
    let bytes = std::fs::read(path).map_err(|e| CliError::io(path, e))?;
    Ok(match capacity::encoding::decode(&bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => Err(Problem::file(file, e.to_string())),
    })
}

fn read(path: &Path) -> Result<Result<Read, Problem>, CliError> {
    let file = display(path);
    Ok(read_text(path, &file)?.map(|text| Read {
        file,
        path: path.to_owned(),
        text: Arc::new(text),
    }))
}

/// The `*.toml` files under `dir`, sorted, recursively.
fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), CliError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| CliError::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().is_some_and(|e| e == "toml") {
            out.push(p);
        }
    }
    Ok(())
}

/// Input files: `(path, named explicitly)`.
fn expand(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, CliError> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut files = Vec::new();
            walk(input, &mut files)?;
            out.extend(files.into_iter().map(|f| (f, false)));
        } else if input.exists() {
            out.push((input.clone(), true));
        } else {
            return Err(CliError::io(
                input,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or directory"),
            ));
        }
    }
    Ok(out)
}

/// Rubrics by `id@version`: one entry per identity, whatever its source.
#[derive(Default)]
struct Registry {
    /// `id@version` → index in [`Batch::rubrics`].
    by_key: HashMap<String, usize>,
    /// The keys given by `--rubric` or among the inputs (looked up first).
    given: HashSet<String>,
    /// Per directory searched: its rubrics (`id@version` → index).
    nearby: HashMap<PathBuf, Vec<(String, usize)>>,
    /// Built-in rubrics tried, by id.
    embedded: HashMap<String, Option<usize>>,
    /// Keys defined differently by two sources: the two origins.
    conflicts: HashMap<String, (String, String)>,
}

/// How a command wants its inputs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Show a progress bar on a terminal.
    pub progress: bool,
}

/// Reads every input, compiles the rubrics, resolves and scores the
/// assessments, collecting problems.
pub fn load(inputs: &[PathBuf], rubric_opts: &[PathBuf], opts: Options) -> Result<Batch, CliError> {
    let mut batch = Batch::default();
    let mut reg = Registry::default();

    // 1. --rubric.
    for (path, _) in expand(rubric_opts)? {
        let r = match read(&path)? {
            Ok(r) => r,
            Err(p) => {
                batch.problems.push(p);
                continue;
            }
        };
        add_rubric(
            &mut batch,
            &mut reg,
            &r,
            Origin::Option(r.file.clone()),
            true,
        );
    }
    // 2. The inputs: read, classified and (assessments) parsed on a few
    // threads, then taken in input order.
    let files = expand(inputs)?;
    let bar = crate::out::progress_bar(files.len(), opts.progress, "reading");
    let read_files = parallel(
        &files,
        |(path, explicit)| -> Result<Result<ReadFile, Problem>, CliError> {
            let r = match read(path)? {
                Ok(r) => r,
                Err(p) => {
                    bar.inc(1);
                    return Ok(Err(p));
                }
            };
            let kind = match classify(&r.text) {
                Kind::Other if *explicit => Kind::Assessment,
                k => k,
            };
            let parsed = (kind == Kind::Assessment).then(|| Assessment::from_toml(&r.text));
            bar.inc(1);
            Ok(Ok((r, kind, parsed)))
        },
    );
    bar.finish_and_clear();
    let mut assessments = Vec::new();
    for item in read_files {
        let (r, kind, parsed) = match item? {
            Ok(read) => read,
            Err(p) => {
                // Not UTF-8: counted as read, reported, not parsed.
                batch.files += 1;
                batch.problems.push(p);
                continue;
            }
        };
        match (kind, parsed) {
            (Kind::Rubric, _) => {
                batch.rubric_files += 1;
                add_rubric(
                    &mut batch,
                    &mut reg,
                    &r,
                    Origin::Input(r.file.clone()),
                    true,
                );
            }
            (Kind::Assessment, Some(p)) => assessments.push((r, p)),
            _ => batch.skipped.push(r.file.clone()),
        }
    }
    batch.files += batch.rubric_files + assessments.len();

    // 3. The assessments: find the rubric, resolve, score.
    let bar = crate::out::progress_bar(assessments.len(), opts.progress, "scoring");
    let mut used: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut parsed = Vec::with_capacity(assessments.len());
    for (r, p) in assessments {
        match p {
            Err(d) => batch
                .problems
                .extend(Problem::from_diagnostics(&r.file, &r.text, &d)),
            Ok(a) => {
                if let Some(ix) = find_rubric(&mut batch, &mut reg, &r, &a) {
                    parsed.push((r, a, ix));
                }
            }
        }
    }
    let scored = score_all(&batch, &parsed, &bar);
    for ((r, a, ix), result) in parsed.into_iter().zip(scored) {
        match result {
            Err(problems) => batch.problems.extend(problems),
            Ok(scored) => {
                if let Some(entry) = batch.rubrics.get(ix) {
                    *used
                        .entry((entry.compiled.key().to_owned(), entry.origin.to_string()))
                        .or_default() += 1;
                }
                batch.assessments.push(Loaded {
                    file: r.file,
                    assessment: a,
                    scored,
                    rubric: ix,
                });
            }
        }
    }
    bar.finish_and_clear();
    // Problems by file name (a stable sort keeps each file's problems in
    // document order, as the core gives them).
    batch.problems.sort_by(|a, b| a.file.cmp(&b.file));
    for ((key, origin), n) in used {
        batch
            .notes
            .push(format!("rubric {key} from {origin}: {n} assessment(s)"));
    }
    for s in &batch.skipped {
        batch
            .notes
            .push(format!("{s}: skipped (neither a rubric nor an assessment)"));
    }
    Ok(batch)
}

/// Resolves and scores the assessments, on two threads when there are many
/// (the machine this runs on has few cores; scoring is CPU-bound).
fn score_all(
    batch: &Batch,
    parsed: &[(Read, Assessment, usize)],
    bar: &indicatif::ProgressBar,
) -> Vec<Result<Scored, Vec<Problem>>> {
    let one = |(r, a, ix): &(Read, Assessment, usize)| -> Result<Scored, Vec<Problem>> {
        let Some(entry) = batch.rubrics.get(*ix) else {
            return Err(vec![Problem::file(&r.file, "internal: rubric lost")]);
        };
        let rubric = &entry.compiled;
        let resolved = rubric
            .resolve(a)
            .map_err(|d| Problem::from_diagnostics(&r.file, &r.text, &d.locate(&r.text)))?;
        let out = capacity::score(rubric, &resolved)
            .map_err(|e| vec![Problem::file(&r.file, e.to_string())]);
        bar.inc(1);
        out
    };
    parallel(parsed, one)
}

/// `f` over `items` on up to four threads (scoring and parsing are
/// CPU-bound; the machines this runs on have few cores), results in input
/// order.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    if items.len() < 64 || threads < 2 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<_>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(v) => out.extend(v),
                // A thread only panics on a bug; re-raise it rather than
                // lose results silently.
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        out
    })
}

/// Compiles a rubric file and registers it; records its problems.
fn add_rubric(
    batch: &mut Batch,
    reg: &mut Registry,
    r: &Read,
    origin: Origin,
    given: bool,
) -> Option<usize> {
    match CompiledRubric::from_toml(&r.text) {
        Err(d) => {
            batch
                .problems
                .extend(Problem::from_diagnostics(&r.file, &r.text, &d));
            None
        }
        Ok(compiled) => {
            let ix = register(batch, reg, compiled, origin, Some(r))?;
            if given && let Some(e) = batch.rubrics.get(ix) {
                reg.given.insert(e.compiled.key().to_owned());
            }
            Some(ix)
        }
    }
}

/// Registers a compiled rubric under its `id@version`: the index of the
/// rubric with that identity (the same one when the content is equal), or
/// `None` and a problem when another source defines it differently.
fn register(
    batch: &mut Batch,
    reg: &mut Registry,
    compiled: CompiledRubric,
    origin: Origin,
    file: Option<&Read>,
) -> Option<usize> {
    let key = compiled.key().to_owned();
    if let Some(&ix) = reg.by_key.get(&key) {
        let existing = batch.rubrics.get(ix)?;
        if existing.compiled.identity(&compiled) == capacity::RubricIdentity::Same {
            batch.notes.push(format!(
                "rubric {key} from {origin}: same content as from {}",
                existing.origin
            ));
            return Some(ix);
        }
        let first = existing.origin.to_string();
        let message = format!(
            "rubric {key} is defined differently in {first} and in {origin}: one id and version must name one content; give one of them another `version` (or `id`), or remove one"
        );
        reg.conflicts
            .entry(key)
            .or_insert_with(|| (first, origin.to_string()));
        let problem = match file {
            Some(r) => {
                let mut d = vec![Diagnostic::new(
                    Error::Toml { message },
                    KeyPath::default().key("version"),
                )];
                capacity::diagnostic::locate(&mut d, &r.text);
                Problem::from_diagnostics(&r.file, &r.text, &Diagnostics(d))
            }
            None => vec![Problem::file(&origin.to_string(), message)],
        };
        batch
            .problems
            .extend(problems_once(&batch.problems, problem));
        return None;
    }
    let ix = batch.rubrics.len();
    batch.rubrics.push(RubricEntry { compiled, origin });
    reg.by_key.insert(key, ix);
    Some(ix)
}

/// `new` without the problems already in `have` (a rubric read twice is
/// reported once).
fn problems_once(have: &[Problem], new: Vec<Problem>) -> Vec<Problem> {
    new.into_iter()
        .filter(|p| {
            !have
                .iter()
                .any(|h| h.file == p.file && h.message == p.message)
        })
        .collect()
}

/// The directories where rubrics next to `path` may be.
fn nearby_dirs(path: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let start = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let start = if start.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        start
    };
    // Absolute, so that the walk goes above the working directory.
    let start = start.canonicalize().unwrap_or(start);
    for dir in start.ancestors() {
        for sub in ["rubrics", "assessments/rubrics"] {
            let d = dir.join(sub);
            if d.is_dir() {
                out.push(d);
            }
        }
    }
    out
}

/// Loads the rubrics of a nearby directory once.
fn scan_nearby(batch: &mut Batch, reg: &mut Registry, dir: &Path) -> Vec<(String, usize)> {
    if let Some(v) = reg.nearby.get(dir) {
        return v.clone();
    }
    let mut found = Vec::new();
    let mut files = Vec::new();
    if walk(dir, &mut files).is_ok() {
        for f in files {
            let r = match read(&f) {
                Ok(Ok(r)) => r,
                Ok(Err(p)) => {
                    let once = problems_once(&batch.problems, vec![p]);
                    batch.problems.extend(once);
                    continue;
                }
                Err(_) => continue,
            };
            if classify(&r.text) != Kind::Rubric {
                continue;
            }
            // A broken rubric next to an assessment is reported (once),
            // since the user may expect it to be used.
            if let Some(ix) = add_rubric(batch, reg, &r, Origin::Nearby(r.file.clone()), false)
                && let Some(e) = batch.rubrics.get(ix)
            {
                found.push((e.compiled.key().to_owned(), ix));
            }
        }
    }
    reg.nearby.insert(dir.to_owned(), found.clone());
    found
}

/// The rubric of assessment `a` (file `r`), or a problem recorded.
fn find_rubric(batch: &mut Batch, reg: &mut Registry, r: &Read, a: &Assessment) -> Option<usize> {
    let key = format!("{}@{}", a.rubric, a.rubric_version);
    let found = lookup(batch, reg, r, a, &key);
    if let Some((first, second)) = reg.conflicts.get(&key) {
        let message = format!(
            "rubric {key} is defined differently in {first} and in {second}: this assessment is not scored until one of them is renamed or removed"
        );
        let mut d = vec![Diagnostic::new(
            Error::Toml { message },
            KeyPath::default().key("rubric_version"),
        )];
        capacity::diagnostic::locate(&mut d, &r.text);
        batch
            .problems
            .extend(Problem::from_diagnostics(&r.file, &r.text, &Diagnostics(d)));
        return None;
    }
    if found.is_some() {
        return found;
    }
    not_found(batch, reg, r, a);
    None
}

/// The rubric `key` of assessment `a`, from the sources in lookup order.
fn lookup(
    batch: &mut Batch,
    reg: &mut Registry,
    r: &Read,
    a: &Assessment,
    key: &str,
) -> Option<usize> {
    if reg.given.contains(key) {
        return reg.by_key.get(key).copied();
    }
    for dir in nearby_dirs(&r.path) {
        if let Some((_, ix)) = scan_nearby(batch, reg, &dir)
            .into_iter()
            .find(|(k, _)| k == key)
        {
            return Some(ix);
        }
    }
    if !reg.embedded.contains_key(&a.rubric) {
        let ix = match (
            capacity_data::embedded::rubric(&a.rubric),
            capacity_data::embedded::compile(&a.rubric),
        ) {
            (Some(file), Some(Ok(compiled))) => {
                register(batch, reg, compiled, Origin::Embedded(file.name), None)
            }
            _ => None,
        };
        reg.embedded.insert(a.rubric.clone(), ix);
    }
    // Any source of the same identity (another assessment's directory, the
    // built-in copy) is the same rubric.
    reg.by_key.get(key).copied()
}

/// Records that no rubric `key` was found for `a`, naming the versions of
/// its id that were.
fn not_found(batch: &mut Batch, reg: &Registry, r: &Read, a: &Assessment) {
    let mut versions: Vec<String> = Vec::new();
    for k in reg.by_key.keys() {
        if let Some((id, v)) = k.split_once('@')
            && id == a.rubric
            && !versions.iter().any(|x| x == v)
        {
            versions.push(v.to_owned());
        }
    }
    versions.sort();
    // Not found: say where, at the key that names it.
    let (field, error, help) = if versions.is_empty() {
        (
            "rubric",
            format!(
                "no rubric `{}` is available: pass it with --rubric FILE, or put it in a rubrics/ directory next to the assessment",
                a.rubric
            ),
            format!(
                "built-in rubrics: {}",
                capacity_data::embedded::rubrics()
                    .iter()
                    .map(|f| f.stem())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    } else {
        (
            "rubric_version",
            Error::WrongRubricVersion {
                rubric: a.rubric.clone(),
                expected: versions.join(", "),
                found: a.rubric_version.clone(),
            }
            .to_string(),
            format!(
                "pass version {} of `{}` with --rubric FILE",
                a.rubric_version, a.rubric
            ),
        )
    };
    let mut d = vec![Diagnostic::new(
        Error::Toml { message: error },
        KeyPath::default().key(field),
    )];
    capacity::diagnostic::locate(&mut d, &r.text);
    let problems = Problem::from_diagnostics(&r.file, &r.text, &Diagnostics(d));
    batch
        .problems
        .extend(problems.into_iter().map(|p| p.with_help(help.clone())));
}

/// Reads one rubric given by path or by the id of a built-in rubric.
pub fn rubric_by_name(
    name: &str,
) -> Result<(CompiledRubric, String), Result<Vec<Problem>, CliError>> {
    let path = Path::new(name);
    if path.is_file() {
        let r = read(path).map_err(Err)?.map_err(|p| Ok(vec![p]))?;
        return CompiledRubric::from_toml(&r.text)
            .map(|c| (c, r.file.clone()))
            .map_err(|d| Ok(Problem::from_diagnostics(&r.file, &r.text, &d)));
    }
    match capacity_data::embedded::compile(name) {
        Some(Ok(c)) => Ok((c, format!("built-in {name}"))),
        Some(Err(d)) => Err(Ok(Problem::from_diagnostics(
            name,
            &Arc::new(String::new()),
            &d,
        ))),
        None => Err(Err(CliError::io(
            path,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "no such file, and no built-in rubric has that id",
            ),
        ))),
    }
}
