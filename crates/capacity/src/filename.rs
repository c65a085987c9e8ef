//! Safe file names built from data: every front end that names a file
//! after a commune, a round or a rubric (the command line's import, the web
//! app's downloads) builds the name here, so that no value in a file can
//! make a name that leaves the chosen directory.
//!
//! [`safe_file_name`] joins parts with `-` after turning each into an id
//! of the file formats ([`is_id`], `[A-Za-z0-9_.-]+`): any other character
//! becomes `-`, runs of `.` (`..`) become `-`, and leading or trailing `.`
//! and `-` are dropped. The result is one path component: never empty, no
//! separator (`/`, `\`), no `..`, no drive or absolute path, no control
//! character, not a name Windows reserves (`CON`, `NUL`, `COM1`…), at most
//! [`MAX_STEM`] bytes before the extension. Two different inputs may give
//! the same name (`Tour 1` and `Tour-1`): a caller writing several files
//! checks that the names it built are distinct.
//!
//! Pure (strings in, a string out); depends on nothing else in the crate.

/// The longest stem (name before the extension), in bytes.
pub const MAX_STEM: usize = 120;

/// Names Windows reserves for devices, whatever the extension.
const RESERVED: [&str; 22] = [
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// Whether `s` is an id of the file formats: ASCII letters, digits, `_`,
/// `.` and `-`, at least one.
///
/// ```
/// assert!(capacity::filename::is_id("ml-segou-san"));
/// assert!(!capacity::filename::is_id("San/2"));
/// assert!(!capacity::filename::is_id(""));
/// ```
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// `part` as an id fit for a file name: characters outside the id rule
/// become `-`, `..` becomes `-`, runs of `-` shrink to one, leading and
/// trailing `.` and `-` go. May be empty.
fn part_id(part: &str) -> String {
    let mapped: Vec<char> = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    let mut out = String::with_capacity(mapped.len());
    let mut i = 0;
    while let Some(&c) = mapped.get(i) {
        let run = mapped.iter().skip(i).take_while(|x| **x == c).count();
        // `..` (or more) is never kept: it would name the parent directory.
        let c = if c == '.' && run > 1 { '-' } else { c };
        let n = if c == '-' { 1 } else { run };
        if !(c == '-' && out.ends_with('-')) {
            out.extend(std::iter::repeat_n(c, n));
        }
        i += run;
    }
    out.trim_matches(['.', '-']).to_owned()
}

/// A file name made of `parts` joined by `-`, with `extension` (ASCII
/// letters and digits; anything else is dropped), safe to join to any
/// directory (see the module documentation). Empty parts are left out;
/// `fallback` (itself made safe, `file` when empty) is used when nothing
/// is left.
///
/// ```
/// use capacity::filename::safe_file_name;
/// assert_eq!(safe_file_name(&["ml-segou-san", "2025"], "toml", "assessment"), "ml-segou-san-2025.toml");
/// assert_eq!(safe_file_name(&["ml-x", "2024/../../../escaped"], "toml", "assessment"), "ml-x-2024-escaped.toml");
/// assert_eq!(safe_file_name(&["plan", "Tour été 2"], "csv", "plan"), "plan-Tour-t-2.csv");
/// assert_eq!(safe_file_name(&["..", "/"], "csv", "plan"), "plan.csv");
/// assert_eq!(safe_file_name(&["con"], "csv", "plan"), "_con.csv");
/// ```
pub fn safe_file_name(parts: &[&str], extension: &str, fallback: &str) -> String {
    let mut stem = parts
        .iter()
        .map(|p| part_id(p))
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if stem.is_empty() {
        stem = part_id(fallback);
    }
    if stem.is_empty() {
        stem = "file".to_owned();
    }
    if stem.len() > MAX_STEM {
        // Every byte is ASCII, so any cut is a character boundary.
        stem.truncate(MAX_STEM);
        let kept = stem.trim_end_matches(['.', '-']).len();
        stem.truncate(kept);
    }
    let device = stem.split('.').next().unwrap_or_default();
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(device)) {
        stem.insert(0, '_');
    }
    let extension: String = extension
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    if extension.is_empty() {
        stem
    } else {
        format!("{stem}.{extension}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(parts: &[&str], expected: &str) {
        let name = safe_file_name(parts, "toml", "x");
        assert_eq!(name, expected);
        assert_safe(&name);
    }

    /// What every built name must be: one plain component.
    #[track_caller]
    fn assert_safe(name: &str) {
        assert!(!name.is_empty());
        assert!(name.len() <= MAX_STEM + 1 + 4, "{name}");
        assert!(!name.contains(['/', '\\', ':', '\0']), "{name}");
        assert!(!name.contains(".."), "{name}");
        assert!(!name.starts_with(['.', '-']), "{name}");
        assert!(name.bytes().all(|b| b.is_ascii_graphic()), "{name}");
        let device = name.split('.').next().unwrap_or_default();
        assert!(
            !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(device)),
            "{name}"
        );
    }

    #[test]
    fn hostile_parts_give_one_plain_component() {
        check(&["ml-a", "2024"], "ml-a-2024.toml");
        check(&["ml-a", "2024/../../../escaped"], "ml-a-2024-escaped.toml");
        check(&["..", ".."], "x.toml");
        check(&["/etc/passwd"], "etc-passwd.toml");
        check(&["C:\\Windows\\system32"], "C-Windows-system32.toml");
        check(&["a\0b", "\r\n"], "a-b.toml");
        check(&["...a...b..."], "a-b.toml");
        check(&[".hidden"], "hidden.toml");
        check(&["1.0.0"], "1.0.0.toml");
        check(&["NUL"], "_NUL.toml");
        check(&["com1.txt"], "_com1.txt.toml");
        check(&["Ségou — été"], "S-gou-t.toml");
        check(&[""], "x.toml");
        let long = "a".repeat(500);
        let name = safe_file_name(&[&long], "toml", "x");
        assert_eq!(name.len(), MAX_STEM + 5);
        assert_safe(&name);
    }

    #[test]
    fn extension_and_fallback_are_made_safe() {
        assert_eq!(safe_file_name(&["a"], "../csv", "x"), "a.csv");
        assert_eq!(safe_file_name(&["a"], "", "x"), "a");
        assert_eq!(safe_file_name(&[], "csv", "../"), "file.csv");
    }
}
