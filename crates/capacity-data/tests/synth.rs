//! The synthetic dataset: determinism, the national map, validity of every
//! generated assessment, realism of the level distributions, a golden
//! snapshot of the first commune of seed 42, and properties for any seed.

use capacity::{Assessment, CompiledRubric, Flags, Role, Scored, Scorer, Status, example};
use capacity_data::{Dataset, SynthConfig, embedded, files, generate};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

fn rubric() -> &'static CompiledRubric {
    static RUBRIC: OnceLock<CompiledRubric> = OnceLock::new();
    RUBRIC.get_or_init(|| embedded::reference_rubric().expect("the reference rubric compiles"))
}

/// The national dataset of seed 42 (703 communes × 2023, 2025) and every
/// assessment's score, made once for all the tests of this file.
fn national() -> &'static (Dataset, Vec<Scored>) {
    static NATIONAL: OnceLock<(Dataset, Vec<Scored>)> = OnceLock::new();
    NATIONAL.get_or_init(|| {
        let rubric = rubric();
        let data = generate(rubric, &SynthConfig::default()).expect("default config is valid");
        let mut scorer = Scorer::new(rubric);
        let scored = data
            .assessments
            .iter()
            .map(|a| {
                let resolved = rubric
                    .resolve(a)
                    .unwrap_or_else(|e| panic!("{} {}: {e}", a.commune.id, a.round));
                scorer.score(&resolved).expect("scores")
            })
            .collect();
        (data, scored)
    })
}

fn texts(data: &Dataset) -> Vec<String> {
    data.assessments.iter().map(Assessment::to_toml).collect()
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_other_data() {
    let rubric = rubric();
    let config = SynthConfig {
        seed: 42,
        communes: 300,
        ..Default::default()
    };
    let a = texts(&generate(rubric, &config).expect("valid"));
    let b = texts(&generate(rubric, &config).expect("valid"));
    assert_eq!(a.len(), 600);
    assert!(a == b, "two runs of seed 42 differ");

    let other = texts(&generate(rubric, &SynthConfig { seed: 43, ..config }).expect("valid"));
    let differing = a.iter().zip(&other).filter(|(x, y)| x != y).count();
    assert!(
        differing == a.len(),
        "seed 43 repeats {} assessments of seed 42",
        a.len() - differing
    );
}

#[test]
fn a_commune_does_not_depend_on_how_many_others_are_generated() {
    let (national, _) = national();
    let few = generate(
        rubric(),
        &SynthConfig {
            communes: 10,
            ..Default::default()
        },
    )
    .expect("valid");
    let regions: BTreeSet<&str> = few
        .communes
        .iter()
        .map(|c| c.commune.region.as_str())
        .collect();
    assert_eq!(regions.len(), 9, "10 communes spread over {regions:?}");
    for (i, c) in few.communes.iter().enumerate() {
        let k = national
            .communes
            .iter()
            .position(|n| n.commune.id == c.commune.id)
            .expect("a commune of the national map");
        assert_eq!(few.assessment(i, 0), national.assessment(k, 0));
        assert_eq!(few.assessment(i, 1), national.assessment(k, 1));
    }
    // Adding a round at the end leaves the earlier ones alone.
    let three = generate(
        rubric(),
        &SynthConfig {
            communes: 10,
            rounds: vec!["2023".into(), "2025".into(), "2027".into()],
            ..Default::default()
        },
    )
    .expect("valid");
    for i in 0..10 {
        assert_eq!(three.assessment(i, 1), few.assessment(i, 1));
    }
}

#[test]
fn the_national_dataset_has_703_communes_per_round_with_unique_ids() {
    let (data, _) = national();
    assert_eq!(data.communes.len(), 703);
    assert_eq!(data.assessments.len(), 1406);
    for round in ["2023", "2025"] {
        let ids: BTreeSet<&str> = data.round(round).map(|a| a.commune.id.as_str()).collect();
        assert_eq!(ids.len(), 703, "round {round}");
    }
    let mut per_region: BTreeMap<&str, usize> = BTreeMap::new();
    let mut cercles = BTreeSet::new();
    for c in &data.communes {
        *per_region.entry(&c.commune.region).or_default() += 1;
        cercles.insert((&c.commune.region, &c.commune.cercle));
    }
    assert_eq!(
        per_region.into_iter().collect::<Vec<_>>(),
        [
            ("District de Bamako", 6),
            ("Gao", 24),
            ("Kayes", 129),
            ("Kidal", 11),
            ("Koulikoro", 108),
            ("Mopti", 108),
            ("Sikasso", 147),
            ("Ségou", 118),
            ("Tombouctou", 52),
        ]
    );
    // 49 cercles and the District of Bamako.
    assert_eq!(cercles.len(), 50);
    for a in &data.assessments {
        assert!(a.fictional, "{}", a.commune.id);
        assert!((3..=6).contains(&a.raters.len()), "{}", a.commune.id);
        assert_eq!(a.raters.first().map(|r| r.role), Some(Role::Elected));
    }
    // Every assessment validated and scored when `national()` was built.
}

#[test]
fn a_larger_dataset_repeats_the_map_with_distinct_ids() {
    let data = generate(
        rubric(),
        &SynthConfig {
            communes: 1406,
            rounds: vec!["2024".into()],
            raters: 3..=3,
            ..Default::default()
        },
    )
    .expect("valid");
    let ids: BTreeSet<&str> = data
        .communes
        .iter()
        .map(|c| c.commune.id.as_str())
        .collect();
    assert_eq!(ids.len(), 1406);
    assert!(ids.contains("syn-bamako-commune-iv-x2"));
}

/// Summary figures of one round.
#[derive(Debug, Default)]
struct Figures {
    answered: u32,
    at_or_above_basic: u32,
    consensus: u32,
    disagreement: u32,
    unresolved: u32,
    provisional: u32,
    with_ni: u32,
    with_rater_na: u32,
    assessments: u32,
}

fn figures(data: &Dataset, scored: &[Scored], round: &str) -> Figures {
    let rubric = rubric();
    let basic = rubric.basic();
    let mut f = Figures::default();
    for (a, s) in data.assessments.iter().zip(scored) {
        if a.round != round {
            continue;
        }
        f.assessments += 1;
        f.provisional += u32::from(s.provisional);
        f.with_ni += u32::from(s.coverage.no_information > 0);
        f.with_rater_na += u32::from(
            a.answers
                .iter()
                .any(|ans| ans.ratings.iter().any(|r| r.level == "NA")),
        );
        for r in &s.indicators {
            if let Status::Level(l) = r.status {
                f.answered += 1;
                f.at_or_above_basic += u32::from(l >= basic);
            }
            f.consensus += u32::from(r.flags.contains(Flags::CONSENSUS));
            if r.flags.contains(Flags::DISAGREEMENT) {
                f.disagreement += 1;
                f.unresolved += u32::from(!r.flags.contains(Flags::CONSENSUS));
            }
        }
    }
    f
}

fn share(part: u32, whole: u32) -> f64 {
    f64::from(part) / f64::from(whole.max(1))
}

#[track_caller]
fn check_between(what: &str, value: f64, lo: f64, hi: f64) {
    assert!(
        (lo..=hi).contains(&value),
        "{what}: {value:.3} is outside {lo}..={hi}"
    );
}

#[test]
fn levels_raters_and_gaps_in_the_data_look_like_real_workshops() {
    let (data, scored) = national();
    for round in ["2023", "2025"] {
        let f = figures(data, scored, round);
        eprintln!("{round}: {f:?}");
        check_between(
            "share of levels at or above basic",
            share(f.at_or_above_basic, f.answered),
            0.2,
            0.8,
        );
        check_between(
            "share of indicators with a consensus",
            share(f.consensus, f.answered),
            0.08,
            0.5,
        );
        check_between(
            "share of indicators with disagreement",
            share(f.disagreement, f.answered),
            0.02,
            0.25,
        );
        check_between(
            "share of provisional assessments",
            share(f.provisional, f.assessments),
            0.01,
            0.15,
        );
        check_between(
            "share of assessments with NI",
            share(f.with_ni, f.assessments),
            0.2,
            0.95,
        );
        check_between(
            "share of assessments with a rater's NA",
            share(f.with_rater_na, f.assessments),
            0.05,
            0.9,
        );
        assert!(f.unresolved > 0, "some disagreement stays unresolved");
    }
    let first = figures(data, scored, "2023");
    let second = figures(data, scored, "2025");
    assert!(
        share(second.at_or_above_basic, second.answered)
            > share(first.at_or_above_basic, first.answered),
        "the second round shows progress"
    );
    let roles: BTreeSet<String> = data
        .assessments
        .iter()
        .flat_map(|a| a.raters.iter().map(|r| format!("{:?}", r.role)))
        .collect();
    assert_eq!(roles.len(), 4, "{roles:?}");
}

#[test]
fn the_second_round_shows_mostly_modest_progress_with_some_declines() {
    let (data, scored) = national();
    let (mut up, mut down, mut same, mut pairs) = (0u32, 0u32, 0u32, 0u32);
    let mut overall_up = 0u32;
    for pair in scored.chunks(2) {
        let [a, b] = pair else { continue };
        for (x, y) in a.indicators.iter().zip(&b.indicators) {
            if let (Status::Level(x), Status::Level(y)) = (x.status, y.status) {
                pairs += 1;
                match y.cmp(&x) {
                    std::cmp::Ordering::Greater => up += 1,
                    std::cmp::Ordering::Less => down += 1,
                    std::cmp::Ordering::Equal => same += 1,
                }
            }
        }
        overall_up += u32::from(b.overall > a.overall);
    }
    eprintln!("indicator levels: {up} up, {down} down, {same} same; {overall_up} communes up");
    check_between("share of indicators that rise", share(up, pairs), 0.15, 0.5);
    check_between(
        "share of indicators that decline",
        share(down, pairs),
        0.03,
        0.25,
    );
    assert!(up > 2 * down);
    check_between(
        "share of communes whose overall score rises",
        share(overall_up, 703),
        0.6,
        0.97,
    );
    assert_eq!(data.assessments.len(), scored.len());
}

#[test]
fn bamako_and_the_south_score_above_the_centre_and_the_north() {
    let (data, scored) = national();
    let mut by_region: BTreeMap<&str, (f64, u32)> = BTreeMap::new();
    for (a, s) in data.assessments.iter().zip(scored) {
        if let Some(overall) = s.overall {
            let e = by_region.entry(&a.commune.region).or_default();
            e.0 += overall.to_string().parse::<f64>().unwrap_or_default();
            e.1 += 1;
        }
    }
    let mean = |regions: &[&str]| {
        let (sum, n) = regions
            .iter()
            .filter_map(|r| by_region.get(r))
            .fold((0.0, 0), |(s, n), (rs, rn)| (s + rs, n + rn));
        sum / f64::from(n)
    };
    let bamako = mean(&["District de Bamako"]);
    let south = mean(&["Sikasso", "Koulikoro"]);
    let centre = mean(&["Mopti"]);
    let north = mean(&["Tombouctou", "Gao", "Kidal"]);
    eprintln!(
        "mean overall: Bamako {bamako:.1}, South {south:.1}, Mopti {centre:.1}, North {north:.1}"
    );
    assert!(bamako > south && south > centre && centre > north);
    assert!(bamako - north > 10.0, "a visible gap, not noise");
}

#[test]
fn the_latent_capacity_is_what_the_scores_recover() {
    let (data, scored) = national();
    let mut pairs: Vec<(f64, f64)> = data
        .communes
        .iter()
        .zip(scored.iter().step_by(2))
        .filter_map(|(c, s)| {
            let overall = s.overall?.to_string().parse::<f64>().ok()?;
            Some((c.capacity, overall))
        })
        .collect();
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let quarter = pairs.len() / 4;
    let mean = |xs: &[(f64, f64)]| xs.iter().map(|p| p.1).sum::<f64>() / xs.len() as f64;
    let (low, high) = (
        mean(&pairs[..quarter]),
        mean(&pairs[pairs.len() - quarter..]),
    );
    eprintln!("mean overall of the weakest quarter {low:.1}, of the strongest {high:.1}");
    assert!(high - low > 15.0);
}

#[test]
fn populations_settings_and_competences_are_plausible() {
    let (data, _) = national();
    let communes: Vec<_> = data.communes.iter().map(|c| &c.commune).collect();
    let total: u64 = communes.iter().filter_map(|c| c.population).sum();
    check_between(
        "total population (millions)",
        total as f64 / 1e6,
        10.0,
        30.0,
    );
    let mut rural: Vec<u64> = communes
        .iter()
        .filter(|c| c.setting == Some(capacity::Setting::Rural))
        .filter_map(|c| c.population)
        .collect();
    rural.sort_unstable();
    let median = rural.get(rural.len() / 2).copied().unwrap_or_default();
    check_between("median rural population", median as f64, 8_000.0, 25_000.0);
    for c in communes.iter().filter(|c| c.region == "District de Bamako") {
        let p = c.population.unwrap_or(200_000);
        assert!(p >= 150_000, "{}: {p}", c.name);
    }
    let urban = communes
        .iter()
        .filter(|c| c.setting == Some(capacity::Setting::Urban))
        .count();
    check_between("urban communes", urban as f64, 40.0, 60.0);
    let unknown = communes.iter().filter(|c| c.setting.is_none()).count();
    assert!(
        (1..=25).contains(&unknown),
        "{unknown} communes without setting"
    );
    let with = |competence: &str| {
        communes
            .iter()
            .filter(|c| c.transferred.iter().any(|t| t == competence))
            .count() as f64
            / 703.0
    };
    check_between("education transferred", with("education"), 0.6, 0.95);
    check_between("health transferred", with("sante"), 0.4, 0.8);
    check_between("water transferred", with("hydraulique"), 0.15, 0.55);
}

/// One assessment in a compact form for review: the header, then one line
/// per answer with each rater's mark (`-` when the rater gave none), the
/// consensus and the comment. Evidence is left out (the fingerprint below
/// covers it); the layout does not depend on the core's TOML writer.
fn compact(a: &Assessment) -> String {
    use std::fmt::Write as _;
    let c = &a.commune;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} · round {} · {} · {}",
        c.id,
        a.rubric,
        a.round,
        a.date,
        if a.finalised {
            "finalised"
        } else {
            "not finalised"
        }
    );
    let _ = writeln!(
        out,
        "{} ({}, {}) · {:?} · population {:?} · transferred {:?}",
        c.name, c.cercle, c.region, c.setting, c.population, c.transferred
    );
    for r in &a.raters {
        let _ = writeln!(out, "  {} {} ({:?})", r.id, r.name, r.role);
    }
    for ans in &a.answers {
        let marks: Vec<String> = a
            .raters
            .iter()
            .map(|r| {
                ans.ratings
                    .iter()
                    .find(|x| x.rater == r.id)
                    .map_or("-".to_owned(), |x| x.level.clone())
            })
            .collect();
        let _ = write!(out, "{:<11}{}", ans.indicator, marks.join(" "));
        if let Some(t) = &ans.target {
            let _ = write!(out, " · target {t}");
        }
        if let Some(k) = &ans.consensus {
            let _ = write!(out, " → {}", k.level);
        }
        if let Some(comment) = &ans.comment {
            let _ = write!(out, " · {comment}");
        }
        out.push('\n');
    }
    out
}

/// The golden snapshot: both rounds of the first commune of seed 42, in
/// compact form. It changes only when the generator changes on purpose:
/// then run with `UPDATE_GOLDEN=1`, review the diff as code, and bump
/// `synth::ALGORITHM` (and the `rng` key tag).
#[test]
fn the_first_commune_of_seed_42_is_pinned() {
    let data = generate(
        rubric(),
        &SynthConfig {
            seed: 42,
            communes: 1,
            ..Default::default()
        },
    )
    .expect("valid");
    let (national, _) = national();
    assert_eq!(data.assessments[..], national.assessments[..2]);
    let got = data
        .assessments
        .iter()
        .map(compact)
        .collect::<Vec<_>>()
        .join("\n");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/golden/seed-42-first-commune.txt"
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, &got).expect("write the golden file");
        return;
    }
    let want = std::fs::read_to_string(path).expect("the golden file exists");
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "the first commune of seed 42 changed (first difference at line {}): \
             if on purpose, rerun with UPDATE_GOLDEN=1 and review the diff",
            line + 1
        );
    }
}

#[test]
fn a_fingerprint_of_the_national_dataset_is_pinned() {
    // FNV-1a over the data (not the TOML layout): commune attributes, raters
    // and every mark, so that any change of the algorithm shows, whatever
    // the core's writer does.
    let (data, _) = national();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain([0xff]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for a in &data.assessments {
        let c = &a.commune;
        eat(&c.id);
        eat(&c.name);
        eat(&format!(
            "{:?}{:?}{:?}",
            c.population, c.setting, c.transferred
        ));
        eat(&a.date);
        eat(&format!("{}", a.finalised));
        for r in &a.raters {
            eat(&format!("{}{}{:?}", r.id, r.name, r.role));
        }
        for ans in &a.answers {
            eat(&ans.indicator);
            eat(&format!(
                "{:?}{:?}{:?}",
                ans.target, ans.consensus, ans.comment
            ));
            for r in &ans.ratings {
                eat(&format!(
                    "{}{}{:?}{:?}",
                    r.rater, r.level, r.evidence, r.refs
                ));
            }
        }
    }
    assert_eq!(
        format!("{h:016x}"),
        "b0f23097adb917d7",
        "the national dataset of seed 42 changed: if on purpose, review the golden diff, bump synth::ALGORITHM and update this value"
    );
}

#[test]
fn invalid_configurations_say_how_to_fix_them() {
    #[track_caller]
    fn check(config: SynthConfig, expected: &str) {
        let err = generate(rubric(), &config).expect_err("invalid");
        assert_eq!(err.to_string(), expected);
    }
    let base = SynthConfig::default;
    check(
        SynthConfig {
            rounds: vec![],
            ..base()
        },
        "rounds: 0 rounds given: give between 1 and 64",
    );
    check(
        SynthConfig {
            rounds: vec!["2023".into(), "2023".into()],
            ..base()
        },
        "rounds: `2023` is given twice: give each round once",
    );
    check(
        SynthConfig {
            rounds: vec!["tour 1".into()],
            ..base()
        },
        "rounds: `tour 1` is not a valid round label: use letters, digits, `_`, `.` or `-`, e.g. 2025",
    );
    check(
        SynthConfig {
            raters: std::ops::RangeInclusive::new(4, 2),
            ..base()
        },
        "raters: 4..=2 is not a valid range: give a minimum of at least 1, at most the maximum, and a maximum of at most 10",
    );
    check(
        SynthConfig {
            raters: 0..=2,
            ..base()
        },
        "raters: 0..=2 is not a valid range: give a minimum of at least 1, at most the maximum, and a maximum of at most 10",
    );
    check(
        SynthConfig {
            communes: 10_000_000,
            ..base()
        },
        "communes: 10000000 is too many: ask for at most 703000",
    );
}

#[test]
fn a_dataset_directory_is_written_replaced_and_never_mixed_with_other_files() {
    let rubric = rubric();
    let dir = std::env::temp_dir().join(format!("capacity-data-synth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let small = |communes| {
        generate(
            rubric,
            &SynthConfig {
                communes,
                ..Default::default()
            },
        )
        .expect("valid")
    };
    let written = files::write_dataset(&small(5), rubric, &dir).expect("written");
    assert_eq!(written.assessments, 10);
    let manifest = std::fs::read_to_string(dir.join(files::MANIFEST)).expect("manifest");
    assert!(manifest.contains("seed = 42\n"), "{manifest}");
    // The written rubric and assessments read back and validate.
    let back = files::read_rubric(&dir.join("rubrics/ml-communes.toml")).expect("rubric reads");
    let count = |dir: &std::path::Path| {
        std::fs::read_dir(dir.join("assessments/2025"))
            .map(|d| d.count())
            .unwrap_or(0)
    };
    for entry in std::fs::read_dir(dir.join("assessments/2023")).expect("round dir") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("file");
        back.resolve_toml(&text).expect("validates");
    }
    // A second dataset replaces the first.
    files::write_dataset(&small(3), rubric, &dir).expect("rewritten");
    assert_eq!(count(&dir), 3);
    // A directory the generator did not write is refused.
    std::fs::remove_file(dir.join(files::MANIFEST)).expect("remove manifest");
    let err = files::write_dataset(&small(3), rubric, &dir).expect_err("refused");
    assert!(err.to_string().ends_with("the directory is not empty and has no synth.toml, so it was not written by the generator: choose a new or empty directory"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(feature = "cli")]
#[test]
fn the_binary_writes_a_dataset_and_reports_errors_without_panicking() {
    let exe = env!("CARGO_BIN_EXE_capacity-synth");
    let dir = std::env::temp_dir().join(format!("capacity-data-bin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = std::process::Command::new(exe)
        .args([
            "--seed",
            "7",
            "--communes",
            "4",
            "--rounds",
            "2024",
            "--out",
        ])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("wrote 4 assessments (4 communes × 1 rounds"),
        "{stdout}"
    );

    let out = std::process::Command::new(exe)
        .args(["--raters", "6-2", "--out"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: raters: 6..=2 is not a valid range: give a minimum of at least 1, at most the maximum, and a maximum of at most 10\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

fn rubrics() -> &'static [CompiledRubric] {
    static ALL: OnceLock<Vec<CompiledRubric>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all: Vec<CompiledRubric> = embedded::rubrics()
            .iter()
            .map(|f| CompiledRubric::from_toml(f.text).expect("embedded rubrics compile"))
            .collect();
        all.push(CompiledRubric::from_toml(example::RUBRIC).expect("the example compiles"));
        all
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/synth.txt"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_seed_gives_valid_reproducible_assessments(
        seed in any::<u64>(),
        communes in 1usize..=4,
        rounds in 1usize..=3,
        lo in 1usize..=10,
        extra in 0usize..=4,
        which in 0usize..3,
    ) {
        let rubric = &rubrics()[which];
        let config = SynthConfig {
            seed,
            communes,
            rounds: (0..rounds).map(|r| format!("{}", 2020 + 2 * r)).collect(),
            raters: lo..=(lo + extra).min(10),
        };
        let data = generate(rubric, &config).expect("valid config");
        prop_assert_eq!(data.assessments.len(), communes * rounds);
        for a in &data.assessments {
            let text = a.to_toml();
            let (back, resolved) = rubric
                .resolve_toml(&text)
                .map_err(|e| TestCaseError::fail(format!("{}: {e}\n{text}", a.commune.id)))?;
            prop_assert_eq!(&back, a);
            let scored = capacity::score(rubric, &resolved).expect("scores");
            prop_assert_eq!(scored.provisional, !scored.coverage.is_complete());
            prop_assert!((config.raters.clone()).contains(&a.raters.len()));
        }
        prop_assert_eq!(&generate(rubric, &config).expect("valid").assessments, &data.assessments);
    }
}
