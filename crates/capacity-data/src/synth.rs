//! A deterministic, seedable generator of a national synthetic dataset:
//! the 703 communes of Mali, each assessed in several rounds on any rubric,
//! with plausible levels, raters who disagree the way workshops do, and the
//! untidy parts of real data (NI, NA, unanswered indicators, unresolved
//! disagreements). Benchmarks, comparison views and load tests use it; no
//! large generated set is committed: call [`generate`] (or the
//! `capacity-synth` binary) to make one on demand.
//!
//! # The model
//!
//! Every commune gets a *latent capacity* θ: its region's mean (higher in
//! Bamako and the South, lower in the Centre and the North), a bonus for
//! regional and cercle capitals, a shared effect of its cercle, a small
//! effect of its population and its own deviation. An indicator's latent
//! state is θ plus the commune's effects for the indicator's domain and
//! competency, the indicator's national difficulty and a persistent
//! commune × indicator term; each later round adds the commune's progress
//! (mostly modest, positive) and an indicator-level change (which gives
//! some declines). The true level cuts the latent state at thresholds
//! placed around the rubric's basic level.
//!
//! Raters (elected members, staff, citizens, a facilitator in most
//! workshops) perceive that state with a bias by role (elected members rate
//! higher, citizens lower), a personal bias and noise whose size varies by
//! workshop: most ratings are within one level of each other, some two.
//! Raters answer NI (no information) now and then — more often citizens,
//! and more in the North — rarely NA; a few indicators get NI or NA from
//! everyone; one rater sometimes leaves before the last domain; a few
//! workshops leave indicators unanswered (provisional, not finalised). A
//! consensus is recorded for a share of indicators, mostly where raters
//! disagree; some disagreements stay open with a comment. Indicators that
//! the rubric's `applies_when` rules out for the commune are not answered,
//! as the tools hide them.
//!
//! # Determinism
//!
//! The same seed and configuration give the same dataset, byte for byte,
//! on every platform (see the `rng` module: ChaCha8 streams and
//! distributions built from exact operations only). A commune's data
//! depends only on the seed, the commune, the rubric and the rounds before
//! it: generating 10 communes or 703, or adding a round at the end, does
//! not change it. Output order is fixed (communes in national order, rounds
//! in the order given, answers in rubric order); no hash map, no clock.
//!
//! This module is pure (no I/O) and builds for `wasm32-unknown-unknown`;
//! it depends on the core's file model and compiled rubric only, never on
//! scoring.

mod geo;
mod names;
mod rng;

use capacity::{
    Answer, Assessment, Commune, CompiledRubric, Consensus, Kind, NO_INFORMATION, NOT_APPLICABLE,
    NodeKind, Rater, Rating, Role, Setting,
};
use geo::{Rank, Slot};
use rng::Rng;
use std::ops::RangeInclusive;

use crate::Error;

/// The most raters an assessment may be generated with.
pub const MAX_RATERS: usize = 10;
/// The most rounds a dataset may have.
pub const MAX_ROUNDS: usize = 64;
/// The most communes a dataset may have (the national map repeated).
pub const MAX_COMMUNES: usize = 703 * 1000;
/// The generator's algorithm version: datasets of the same seed and
/// configuration are identical within one version.
pub const ALGORITHM: &str = "synth/v1";
/// The number of communes of Mali, the default size of a dataset.
pub const NATIONAL_COMMUNES: usize = 703;

/// What to generate.
///
/// ```
/// let config = capacity_data::SynthConfig { seed: 7, communes: 20, ..Default::default() };
/// assert_eq!(config.rounds, ["2023", "2025"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthConfig {
    /// The seed: the same seed gives the same dataset.
    pub seed: u64,
    /// How many communes (default 703, the national map). Fewer are spread
    /// over the map (every region is represented from 9 communes on, and
    /// regions in proportion to their size); more repeat the map with ids
    /// and names suffixed `-x2`, `(2)`… (for load tests).
    pub communes: usize,
    /// Round labels, in chronological order (default `2023`, `2025`). A
    /// label starting with a year dates the workshop in that year. Labels
    /// are ids (`[A-Za-z0-9_.-]`) since they name directories.
    pub rounds: Vec<String>,
    /// How many raters a workshop has (default 3 to 6).
    pub raters: RangeInclusive<usize>,
}

impl Default for SynthConfig {
    fn default() -> Self {
        Self {
            seed: 42,
            communes: NATIONAL_COMMUNES,
            rounds: vec!["2023".to_owned(), "2025".to_owned()],
            raters: 3..=6,
        }
    }
}

impl SynthConfig {
    /// Checks the configuration; the error names the field and says how to
    /// fix it.
    pub fn check(&self) -> Result<(), Error> {
        let bad = |field: &'static str, message: String| Err(Error::Config { field, message });
        if self.communes > MAX_COMMUNES {
            return bad(
                "communes",
                format!(
                    "{} is too many: ask for at most {MAX_COMMUNES}",
                    self.communes
                ),
            );
        }
        if self.rounds.is_empty() || self.rounds.len() > MAX_ROUNDS {
            return bad(
                "rounds",
                format!(
                    "{} rounds given: give between 1 and {MAX_ROUNDS}",
                    self.rounds.len()
                ),
            );
        }
        for (i, round) in self.rounds.iter().enumerate() {
            let valid = !round.is_empty()
                && round
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
            if !valid {
                return bad(
                    "rounds",
                    format!(
                        "`{round}` is not a valid round label: use letters, digits, `_`, `.` or `-`, e.g. 2025"
                    ),
                );
            }
            if self.rounds.iter().take(i).any(|r| r == round) {
                return bad(
                    "rounds",
                    format!("`{round}` is given twice: give each round once"),
                );
            }
        }
        let (lo, hi) = (*self.raters.start(), *self.raters.end());
        if lo == 0 || lo > hi || hi > MAX_RATERS {
            return bad(
                "raters",
                format!(
                    "{lo}..={hi} is not a valid range: give a minimum of at least 1, at most the maximum, and a maximum of at most {MAX_RATERS}"
                ),
            );
        }
        Ok(())
    }
}

/// A generated commune and its ground truth.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthCommune {
    /// The commune as written in its first round's assessment (competences
    /// may be transferred in later rounds).
    pub commune: Commune,
    /// Its latent capacity θ (0 ≈ national average, one unit ≈ one level):
    /// the truth that comparisons of the generated data should recover.
    pub capacity: f64,
}

/// A generated dataset: communes and their assessments.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The configuration it was generated from.
    pub config: SynthConfig,
    /// The rubric (`id@version`).
    pub rubric: String,
    /// The communes, in national order (region by region, cercle by cercle).
    pub communes: Vec<SynthCommune>,
    /// The assessments, commune by commune, and within a commune in the
    /// order of [`SynthConfig::rounds`]: `communes.len() × rounds.len()`.
    pub assessments: Vec<Assessment>,
}

/// A file of a dataset: its path relative to the dataset's directory and
/// its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetFile {
    /// `assessments/<round>/<commune id>.toml`.
    pub path: String,
    /// The assessment as TOML.
    pub text: String,
}

impl Dataset {
    /// The assessment of commune `commune` (index in [`Dataset::communes`])
    /// in round `round` (index in [`SynthConfig::rounds`]).
    pub fn assessment(&self, commune: usize, round: usize) -> Option<&Assessment> {
        let rounds = self.config.rounds.len();
        if round >= rounds {
            return None;
        }
        self.assessments.get(commune * rounds + round)
    }

    /// The assessments of one round, in commune order.
    pub fn round<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a Assessment> + 'a {
        self.assessments.iter().filter(move |a| a.round == label)
    }

    /// The path of an assessment's file in a dataset directory.
    pub fn path_of(assessment: &Assessment) -> String {
        format!(
            "assessments/{}/{}.toml",
            assessment.round, assessment.commune.id
        )
    }

    /// The manifest of a dataset directory (`synth.toml`): what generated
    /// it, with which seed and configuration, and what it holds.
    pub fn manifest(&self) -> String {
        let c = &self.config;
        let rounds: Vec<String> = c.rounds.iter().map(|r| quote(r)).collect();
        format!(
            "# Synthetic dataset: fictional data, generated on demand; it describes no real commune.\n\
             # Regenerate it with: capacity-synth --seed {seed} --communes {communes} --rounds {rounds_arg} --raters {lo}-{hi} --out <dir>\n\
             generator = {generator}\n\
             algorithm = {algorithm}\n\
             seed = {seed}\n\
             communes = {communes}\n\
             rounds = [{rounds}]\n\
             raters = [{lo}, {hi}]\n\
             rubric = {rubric}\n\
             assessments = {assessments}\n",
            generator = quote(concat!("capacity-data ", env!("CARGO_PKG_VERSION"))),
            algorithm = quote(ALGORITHM),
            seed = c.seed,
            communes = self.communes.len(),
            rounds_arg = c.rounds.join(","),
            lo = c.raters.start(),
            hi = c.raters.end(),
            rounds = rounds.join(", "),
            rubric = quote(&self.rubric),
            assessments = self.assessments.len(),
        )
    }

    /// The assessments as TOML files, in dataset order.
    pub fn files(&self) -> impl Iterator<Item = DatasetFile> + '_ {
        self.assessments.iter().map(|a| DatasetFile {
            path: Self::path_of(a),
            text: a.to_toml(),
        })
    }
}

/// Generates a dataset of assessments on `rubric` (see the module docs).
///
/// ```
/// use capacity_data::{SynthConfig, embedded, generate};
/// let rubric = embedded::reference_rubric()?;
/// let config = SynthConfig { seed: 42, communes: 12, ..Default::default() };
/// let data = generate(&rubric, &config)?;
/// assert_eq!(data.assessments.len(), 24);
/// assert_eq!(data.assessments, generate(&rubric, &config)?.assessments);
/// for a in &data.assessments {
///     let resolved = rubric.resolve(a)?;
///     capacity::score(&rubric, &resolved)?;
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn generate(rubric: &CompiledRubric, config: &SynthConfig) -> Result<Dataset, Error> {
    config.check()?;
    let model = Model::new(rubric, config.seed);
    let slots = geo::slots();
    let mut communes = Vec::with_capacity(config.communes);
    let mut assessments = Vec::with_capacity(config.communes * config.rounds.len());
    for (slot, copy) in pick(&slots, config.communes) {
        let (commune, rounds) = model.commune(slot, copy, config);
        communes.push(commune);
        assessments.extend(rounds);
    }
    Ok(Dataset {
        config: config.clone(),
        rubric: rubric.key().to_owned(),
        communes,
        assessments,
    })
}

/// The communes of a dataset of `n`, in national order, with their copy
/// number: the whole map `n / 703` times, then a subset of the map spread
/// over it. The subset takes the communes whose relative position in their
/// region (0 for its first commune, ½ for the middle one…) is smallest, so
/// that every region is represented from 9 communes on, in proportion to
/// its size beyond that, and a region's communes come from all its cercles.
fn pick(slots: &[Slot], n: usize) -> Vec<(&Slot, usize)> {
    let national = slots.len().max(1);
    let mut out = Vec::with_capacity(n);
    for copy in 0..n / national {
        out.extend(slots.iter().map(|s| (s, copy)));
    }
    let rest = n % national;
    if rest > 0 {
        // (position in region, region size, national index), compared as
        // fractions without floats.
        let mut order: Vec<(usize, usize, usize)> = Vec::with_capacity(slots.len());
        let mut start = 0;
        let mut region: Option<&geo::Region> = None;
        for (i, s) in slots.iter().enumerate() {
            if region.is_none_or(|r| !std::ptr::eq(r, s.region)) {
                start = i;
                region = Some(s.region);
            }
            let size = s.region.cercles.iter().map(|c| c.communes).sum::<usize>();
            order.push((i - start, size.max(1), i));
        }
        order.sort_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)).then(a.2.cmp(&b.2)));
        let mut chosen: Vec<usize> = order.iter().take(rest).map(|o| o.2).collect();
        chosen.sort_unstable();
        let copy = n / national;
        out.extend(
            chosen
                .iter()
                .filter_map(|i| slots.get(*i))
                .map(|s| (s, copy)),
        );
    }
    out
}

// ------------------------------------------------------------------ model

/// Stream 0 of the seed: the rubric's national parameters.
const STREAM_RUBRIC: u64 = 0;
/// Streams of cercles: this bit, then the cercle's index.
const STREAM_CERCLE: u64 = 1 << 60;
/// Streams of communes: this bit, the copy (bits 20..), the slot (bits
/// 8..20), then 0 for the commune's profile and `r + 1` for round `r`.
const STREAM_COMMUNE: u64 = 2 << 60;

/// Where the basic level's threshold sits on the latent scale, and the
/// distance between two levels' thresholds.
const BASIC_CUT: f64 = -0.2;
const LEVEL_STEP: f64 = 0.8;
/// Shift of every commune's capacity, so that about 60 % of first-round
/// levels are at or above the basic level.
const NATIONAL_OFFSET: f64 = -0.05;

/// National difficulty known from public sources, by indicator id prefix
/// (added to the random difficulty): communal security committees (CCS,
/// décret 2019-0041) were set up in few communes — 38 of more than 800
/// expected in December 2023 — so the reference rubric's CCS indicators
/// are mostly below the basic level.
const KNOWN_DIFFICULTY: &[(&str, f64)] = &[("SEC-CCS-", 1.2)];

/// The roles of the pool of people a commune draws its raters from, in the
/// order they are invited.
const POOL: [Role; 12] = [
    Role::Elected,
    Role::Staff,
    Role::Citizen,
    Role::Facilitator,
    Role::Elected,
    Role::Citizen,
    Role::Staff,
    Role::Elected,
    Role::Citizen,
    Role::Staff,
    Role::Elected,
    Role::Citizen,
];

/// How many competences' transfer draws a commune's profile makes (fixed,
/// so that the profile's stream does not depend on the rubric).
const COMPETENCE_DRAWS: usize = 8;

/// The rubric as the model sees it.
struct Model<'r> {
    rubric: &'r CompiledRubric,
    seed: u64,
    /// Per indicator: national difficulty (subtracted from the state).
    difficulty: Vec<f64>,
    /// Per indicator: the domain node and the competency node indices.
    parents: Vec<(usize, usize)>,
    /// Per indicator: its `applies_when`, if any.
    rules: Vec<Option<&'r capacity::AppliesWhen>>,
    /// Node index of the last domain (raters who leave early miss it).
    last_domain: Option<usize>,
    /// The competences named by the rubric's rules, in rubric order.
    competences: Vec<&'r str>,
    /// Level thresholds on the latent scale, lowest first.
    cuts: Vec<f64>,
}

impl<'r> Model<'r> {
    fn new(rubric: &'r CompiledRubric, seed: u64) -> Self {
        let mut rng = Rng::new(seed, STREAM_RUBRIC);
        let difficulty = rubric
            .indicators()
            .iter()
            .map(|ind| {
                let known = KNOWN_DIFFICULTY
                    .iter()
                    .find(|(prefix, _)| ind.id.starts_with(prefix))
                    .map_or(0.0, |(_, d)| *d);
                known + rng.gauss(0.0, 0.35)
            })
            .collect();
        let nodes = rubric.nodes();
        let parents = rubric
            .indicators()
            .iter()
            .map(|ind| {
                let competency = ind.parent.index();
                let domain = nodes
                    .get(competency)
                    .and_then(|n| n.parent)
                    .map_or(0, |p| p.index());
                (domain, competency)
            })
            .collect();
        let rules: Vec<_> = rubric
            .indicators()
            .iter()
            .map(|ind| {
                rubric
                    .rubric()
                    .indicators
                    .get(ind.source)
                    .and_then(|i| i.applies_when.as_ref())
            })
            .collect();
        let mut competences: Vec<&str> = Vec::new();
        for t in rules
            .iter()
            .flatten()
            .filter_map(|r| r.transferred.as_deref())
        {
            if !competences.contains(&t) {
                competences.push(t);
            }
        }
        let last_domain = nodes.iter().rposition(|n| n.kind == NodeKind::Domain);
        let basic = rubric.basic().index() as f64;
        let cuts = (1..rubric.level_count())
            .map(|j| BASIC_CUT + (j as f64 - basic) * LEVEL_STEP)
            .collect();
        Self {
            rubric,
            seed,
            difficulty,
            parents,
            rules,
            last_domain,
            competences,
            cuts,
        }
    }

    /// The level (index) of a latent state.
    fn level(&self, x: f64) -> usize {
        self.cuts.iter().take_while(|c| x >= **c).count()
    }

    fn code(&self, level: usize) -> String {
        self.rubric
            .levels()
            .get(level)
            .map(|l| l.code.clone())
            .unwrap_or_default()
    }

    /// One commune and its assessments, round by round.
    fn commune(
        &self,
        slot: &Slot,
        copy: usize,
        config: &SynthConfig,
    ) -> (SynthCommune, Vec<Assessment>) {
        let base = STREAM_COMMUNE | ((copy as u64) << 20) | ((slot.index as u64) << 8);
        let profile = Profile::new(self, slot, copy, base);
        let mut state: Vec<f64> = self
            .difficulty
            .iter()
            .zip(&profile.persistent)
            .zip(&self.parents)
            .map(|((d, e), (dom, comp))| {
                profile.capacity - d
                    + e
                    + profile.node_effects.get(*dom).copied().unwrap_or(0.0)
                    + profile.node_effects.get(*comp).copied().unwrap_or(0.0)
            })
            .collect();
        let mut transferred = profile.transferred.clone();
        let mut assessments = Vec::with_capacity(config.rounds.len());
        for (r, label) in config.rounds.iter().enumerate() {
            let mut rng = Rng::new(self.seed, base | (r as u64 + 1));
            if r > 0 {
                // Progress of the commune as a whole, and of each indicator.
                let growth = rng.gauss(0.2, 0.15);
                for x in &mut state {
                    *x += growth + rng.gauss(0.0, 0.3);
                }
                // Competences become effective now and then, never the
                // other way round.
                for c in &self.competences {
                    if rng.chance(0.12) && !transferred.iter().any(|t| t == c) {
                        transferred.push((*c).to_owned());
                    }
                }
                transferred = self
                    .competences
                    .iter()
                    .filter(|c| transferred.iter().any(|t| t == *c))
                    .map(|c| (*c).to_owned())
                    .collect();
            }
            let mut commune = profile.commune.clone();
            commune.transferred = transferred.clone();
            let workshop = Workshop {
                label,
                round: r,
                raters: &config.raters,
            };
            assessments.push(self.assessment(&mut rng, &profile, commune, &workshop, &state));
        }
        let mut commune = profile.commune.clone();
        commune.transferred = profile.transferred.clone();
        (
            SynthCommune {
                commune,
                capacity: profile.capacity,
            },
            assessments,
        )
    }

    /// One workshop.
    fn assessment(
        &self,
        rng: &mut Rng,
        profile: &Profile,
        commune: Commune,
        workshop: &Workshop<'_>,
        state: &[f64],
    ) -> Assessment {
        let Workshop {
            label,
            round,
            raters,
        } = *workshop;
        let levels = self.rubric.level_count();
        let span = usize::from(self.rubric.disagreement_span());

        // Who comes.
        let wanted = rng.between(*raters.start() as u64, *raters.end() as u64) as usize;
        let facilitator = rng.chance(0.65);
        let new_mayor = round > 0 && rng.chance(0.2);
        let new_mayor_name = names::person(rng, profile.pool);
        // The pool is in order of invitation: an elected member first.
        let people: Vec<&Person> = profile
            .people
            .iter()
            .filter(|p| facilitator || p.role != Role::Facilitator)
            .take(wanted)
            .collect();
        let raters: Vec<Rater> = people
            .iter()
            .enumerate()
            .map(|(i, p)| Rater {
                id: format!("r{}", i + 1),
                name: if new_mayor && p.order == 0 {
                    new_mayor_name.clone()
                } else {
                    p.name.clone()
                },
                role: p.role,
            })
            .collect();

        // The workshop's date and its style.
        let year = year_of(label);
        let date = format!(
            "{year:04}-{:02}-{:02}",
            rng.between(2, 11),
            rng.between(1, 28)
        );
        let noise = 0.25 + 0.2 * rng.unit();
        let leaver = if people.len() > 2 && rng.chance(0.08) {
            Some(1 + rng.below(people.len() as u64 - 1) as usize)
        } else {
            None
        };
        let unanswered = if rng.chance(0.06) {
            rng.between(1, 6) as usize
        } else {
            0
        };

        // Which indicators apply, and which of them stay unanswered.
        let applicable: Vec<bool> = self
            .rules
            .iter()
            .map(|rule| {
                capacity::Applicability::of(*rule, &commune)
                    != capacity::Applicability::NotApplicable
            })
            .collect();
        let mut skipped = vec![false; applicable.len()];
        let open = applicable.iter().filter(|a| **a).count();
        for _ in 0..unanswered.min(open) {
            // The n-th applicable indicator not yet skipped.
            let left = applicable
                .iter()
                .zip(&skipped)
                .filter(|(a, s)| **a && !**s)
                .count();
            let mut n = rng.below(left as u64) as usize;
            for (s, a) in skipped.iter_mut().zip(&applicable) {
                if *a && !*s {
                    if n == 0 {
                        *s = true;
                        break;
                    }
                    n -= 1;
                }
            }
        }
        let provisional = skipped.iter().any(|s| *s);

        let mut answers = Vec::with_capacity(state.len());
        for (k, x) in state.iter().enumerate() {
            if !applicable.get(k).copied().unwrap_or(false) {
                continue;
            }
            let id = self
                .rubric
                .indicators()
                .get(k)
                .map(|i| i.id.clone())
                .unwrap_or_default();
            if skipped.get(k).copied().unwrap_or(false) {
                if rng.chance(0.3) {
                    answers.push(Answer {
                        indicator: id,
                        target: None,
                        comment: Some("À compléter après vérification des pièces.".to_owned()),
                        consensus: None,
                        ratings: Vec::new(),
                    });
                }
                continue;
            }
            let truth = self.level(*x);
            let in_last_domain = self.parents.get(k).map(|p| p.0) == self.last_domain;
            let everyone_ni = rng.chance(0.006 * profile.no_information);
            let everyone_na = !everyone_ni && rng.chance(0.003);
            let mut ratings = Vec::with_capacity(people.len());
            let mut given: Vec<usize> = Vec::with_capacity(people.len());
            for (i, p) in people.iter().enumerate() {
                if leaver == Some(i) && in_last_domain {
                    continue;
                }
                let level = if everyone_ni {
                    NO_INFORMATION.to_owned()
                } else if everyone_na {
                    NOT_APPLICABLE.to_owned()
                } else if rng.chance(p.no_information * profile.no_information) {
                    NO_INFORMATION.to_owned()
                } else if rng.chance(0.002) {
                    NOT_APPLICABLE.to_owned()
                } else {
                    let l = self.level(x + p.bias + rng.gauss(0.0, noise));
                    given.push(l);
                    self.code(l)
                };
                let (evidence, refs) = evidence(rng, p.role, year);
                ratings.push(Rating {
                    rater: format!("r{}", i + 1),
                    level,
                    evidence,
                    refs,
                });
            }
            let lowest = given.iter().min().copied();
            let highest = given.iter().max().copied();
            let spread = match (lowest, highest) {
                (Some(l), Some(h)) => h - l,
                _ => 0,
            };
            let mut consensus = None;
            let mut comment = None;
            if everyone_ni && rng.chance(0.5) {
                consensus = Some(Consensus {
                    level: NO_INFORMATION.to_owned(),
                    justification: Some(
                        "Aucune pièce disponible : documents détruits ou introuvables.".to_owned(),
                    ),
                });
            } else if everyone_na && rng.chance(0.6) {
                consensus = Some(Consensus {
                    level: NOT_APPLICABLE.to_owned(),
                    justification: Some(
                        "Le conseil juge l'indicateur sans objet pour la commune cette année."
                            .to_owned(),
                    ),
                });
            } else if let (Some(lo), Some(hi)) = (lowest, highest) {
                let p = if spread >= span {
                    0.7
                } else if spread >= 1 {
                    0.3
                } else {
                    0.04
                };
                if rng.chance(p) {
                    let level = truth.clamp(lo, hi);
                    let code = self.code(level);
                    let justification = if spread == 0 {
                        "Niveau confirmé en séance sur pièces.".to_owned()
                    } else {
                        match rng.below(3) {
                            0 => format!(
                                "Après discussion, niveau {code} retenu sur la base des pièces présentées."
                            ),
                            1 => {
                                format!("Pièces vérifiées en séance : le niveau {code} est retenu.")
                            }
                            _ => format!(
                                "Niveau {code} retenu en séance ; l'écart de vues est noté comme piste d'amélioration de l'information."
                            ),
                        }
                    };
                    consensus = Some(Consensus {
                        level: code,
                        justification: Some(justification),
                    });
                } else if spread >= span && rng.chance(0.6) {
                    comment = Some(
                        "Désaccord non tranché : à reprendre avec les pièces à la prochaine séance."
                            .to_owned(),
                    );
                }
            }
            let target = self
                .rubric
                .indicators()
                .get(k)
                .map(|i| i.target.index())
                .filter(|t| *t + 1 < levels)
                .and_then(|_| rng.chance(0.01).then(|| self.code(levels - 1)));
            answers.push(Answer {
                indicator: id,
                target,
                comment,
                consensus,
                ratings,
            });
        }

        let finalised = !provisional && rng.chance(0.85);
        Assessment {
            format: 1,
            rubric: self.rubric.rubric().id.clone(),
            rubric_version: self.rubric.rubric().version.clone(),
            round: label.to_owned(),
            date,
            fictional: true,
            finalised,
            comment: Some(format!(
                "Données synthétiques générées par capacity-data (graine {}, tour {label}) : elles ne décrivent aucune commune réelle.",
                self.seed
            )),
            commune,
            raters,
            answers,
            plan: Default::default(),
        }
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The year a round label starts with, else 2024.
fn year_of(label: &str) -> u32 {
    label
        .get(..4)
        .filter(|y| y.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|y| y.parse().ok())
        .filter(|y| (1900..=2999).contains(y))
        .unwrap_or(2024)
}

/// Evidence and references a rater may give, by role.
fn evidence(rng: &mut Rng, role: Role, year: u32) -> (Option<String>, Vec<String>) {
    const STAFF: &[&str] = &[
        "Pièces présentées en séance.",
        "Vu dans les registres de la mairie.",
        "Selon le procès-verbal de la dernière session.",
        "Constat du secrétariat général.",
    ];
    const CITIZEN: &[&str] = &[
        "Information entendue dans le quartier.",
        "Constat des habitants.",
        "Aucun document vu.",
    ];
    const ELECTED: &[&str] = &["Selon le bureau communal.", "Décision prise en conseil."];
    let (p, texts) = match role {
        Role::Staff | Role::Facilitator => (0.2, STAFF),
        Role::Citizen => (0.15, CITIZEN),
        Role::Elected => (0.1, ELECTED),
    };
    let evidence = if rng.chance(p) {
        rng.pick(texts).map(|t| (*t).to_owned())
    } else {
        None
    };
    let refs = if role == Role::Staff && rng.chance(0.08) {
        vec![format!("PV de session du conseil communal {year}")]
    } else {
        Vec::new()
    };
    (evidence, refs)
}

/// One round's workshop, as configured.
#[derive(Clone, Copy)]
struct Workshop<'a> {
    label: &'a str,
    round: usize,
    raters: &'a RangeInclusive<usize>,
}

/// A person of a commune's pool.
struct Person {
    order: usize,
    name: String,
    role: Role,
    /// Role bias plus personal bias, on the latent scale.
    bias: f64,
    /// Probability of answering NI, before the region's factor.
    no_information: f64,
}

/// What a commune keeps from round to round.
struct Profile {
    commune: Commune,
    capacity: f64,
    transferred: Vec<String>,
    no_information: f64,
    pool: u8,
    people: Vec<Person>,
    node_effects: Vec<f64>,
    persistent: Vec<f64>,
}

impl Profile {
    fn new(model: &Model<'_>, slot: &Slot, copy: usize, stream: u64) -> Self {
        let region = slot.region;
        let cercle_effect =
            Rng::new(model.seed, STREAM_CERCLE | slot.cercle as u64).gauss(0.0, 0.15);
        let mut rng = Rng::new(model.seed, stream);

        // Fixed-count draws first, so that they do not depend on the rubric.
        let pop_z = rng.normal();
        let (median, sd) = match slot.rank {
            Rank::Capital => (420_000.0, 0.3),
            Rank::RegionalCapital => (120_000.0 * region.population, 0.35),
            Rank::CercleCapital => (40_000.0 * region.population, 0.4),
            Rank::Rural => (15_000.0 * region.population, 0.55),
        };
        let population = ((median * rng::exp(sd * pop_z) / 100.0).round() * 100.0).max(1500.0);
        let rank_bonus = match slot.rank {
            Rank::Capital | Rank::Rural => 0.0,
            Rank::RegionalCapital => 0.3,
            Rank::CercleCapital => 0.2,
        };
        let capacity = NATIONAL_OFFSET
            + region.capacity
            + rank_bonus
            + cercle_effect
            + 0.08 * pop_z
            + rng.gauss(0.0, 0.4);
        let setting_known = !rng.chance(0.015);
        let population_known = !rng.chance(0.01);
        let transfer: Vec<f64> = (0..COMPETENCE_DRAWS).map(|_| rng.unit()).collect();
        let pool = names::pool(region.slug);
        let people: Vec<Person> = POOL
            .iter()
            .enumerate()
            .map(|(order, role)| {
                let name = names::person(&mut rng, pool);
                let (role_bias, ni) = match role {
                    Role::Elected => (0.15, 0.015),
                    Role::Staff => (0.05, 0.008),
                    Role::Citizen => (-0.15, 0.05),
                    Role::Facilitator => (0.0, 0.02),
                };
                Person {
                    order,
                    name,
                    role: *role,
                    bias: role_bias + rng.gauss(0.0, 0.12),
                    no_information: ni,
                }
            })
            .collect();

        // Rubric-dependent draws.
        let node_effects = model
            .rubric
            .nodes()
            .iter()
            .map(|n| match n.kind {
                NodeKind::Overall => 0.0,
                NodeKind::Domain | NodeKind::Competency => rng.gauss(0.0, 0.25),
            })
            .collect();
        let persistent = model
            .difficulty
            .iter()
            .map(|_| rng.gauss(0.0, 0.45))
            .collect();

        let transferred = model
            .competences
            .iter()
            .zip(transfer.iter().chain(std::iter::repeat(&0.5)))
            .enumerate()
            .filter(|(j, (_, u))| {
                let base = [0.8, 0.6, 0.35].get(*j).copied().unwrap_or(0.3);
                **u < (base + 0.15 * capacity).clamp(0.02, 0.98)
            })
            .map(|(_, (c, _))| (*c).to_owned())
            .collect();

        let (name, id) = if copy == 0 {
            (slot.name.clone(), slot.id.clone())
        } else {
            (
                format!("{} ({})", slot.name, copy + 1),
                format!("{}-x{}", slot.id, copy + 1),
            )
        };
        let urban = matches!(
            slot.rank,
            Rank::Capital | Rank::RegionalCapital | Rank::CercleCapital
        );
        let commune = Commune {
            id,
            name,
            cercle: slot.cercle_name.to_owned(),
            region: region.name.to_owned(),
            kind: Kind::Commune,
            population: population_known.then_some(population as u64),
            setting: setting_known.then_some(if urban {
                Setting::Urban
            } else {
                Setting::Rural
            }),
            transferred: Vec::new(),
        };
        Self {
            commune,
            capacity,
            transferred,
            no_information: region.no_information,
            pool,
            people,
            node_effects,
            persistent,
        }
    }
}
