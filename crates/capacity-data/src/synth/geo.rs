//! Mali's administrative map as the synthetic dataset lays it out: the 8
//! regions and the District of Bamako in force when the 2013 programme ran
//! (the division the sample assessments use), their 49 cercles, and the
//! number of communes of each cercle, 703 in all.
//!
//! Commune counts per cercle follow the 1996 communalisation (the counts
//! published for each cercle; small differences from the official list may
//! remain, the totals per region — Kayes 129, Koulikoro 108, Sikasso 147,
//! Ségou 118, Mopti 108, Tombouctou 52, Gao 24, Kidal 11, Bamako 6 — and
//! the national 703 are exact). Commune names are real where the whole
//! list of a cercle is given below; elsewhere the first commune is the
//! cercle's chef-lieu, named after it, and the others are numbered
//! (`Commune 12 de Kati`). The regional parameters (capacity, information,
//! population) are modelling assumptions, not measurements.
//!
//! Pure data; this module must not depend on the rest of the generator.

/// A region and the model's assumptions about it.
#[derive(Debug)]
pub(crate) struct Region {
    /// Name, as written in assessments (`commune.region`).
    pub(crate) name: &'static str,
    /// Slug used in commune ids.
    pub(crate) slug: &'static str,
    /// Mean of the latent capacity of its communes (0 = national average).
    pub(crate) capacity: f64,
    /// Propensity of raters to answer NI (no information), 1 = average.
    pub(crate) no_information: f64,
    /// Factor on the typical rural commune population.
    pub(crate) population: f64,
    /// Its cercles.
    pub(crate) cercles: &'static [Cercle],
}

/// A cercle and its communes.
#[derive(Debug)]
pub(crate) struct Cercle {
    /// Name, as written in assessments (`commune.cercle`).
    pub(crate) name: &'static str,
    /// Number of communes.
    pub(crate) communes: usize,
    /// The communes' names, when the whole list is given (the chef-lieu
    /// first); else empty.
    pub(crate) names: &'static [&'static str],
    /// The chef-lieu's name when it differs from the cercle's.
    pub(crate) chef_lieu: Option<&'static str>,
}

const fn c(name: &'static str, communes: usize) -> Cercle {
    Cercle {
        name,
        communes,
        names: &[],
        chef_lieu: None,
    }
}

const fn named(name: &'static str, names: &'static [&'static str]) -> Cercle {
    Cercle {
        name,
        communes: names.len(),
        names,
        chef_lieu: None,
    }
}

const fn chef_lieu(name: &'static str, communes: usize, chef_lieu: &'static str) -> Cercle {
    Cercle {
        name,
        communes,
        names: &[],
        chef_lieu: Some(chef_lieu),
    }
}

/// The regions, in the official order, then the District of Bamako.
pub(crate) static REGIONS: &[Region] = &[
    Region {
        name: "Kayes",
        slug: "kayes",
        capacity: 0.05,
        no_information: 1.0,
        population: 0.9,
        cercles: &[
            c("Bafoulabé", 13),
            c("Diéma", 15),
            c("Kayes", 28),
            c("Kéniéba", 12),
            c("Kita", 33),
            chef_lieu("Nioro du Sahel", 16, "Nioro"),
            c("Yélimané", 12),
        ],
    },
    Region {
        name: "Koulikoro",
        slug: "koulikoro",
        capacity: 0.15,
        no_information: 0.9,
        population: 1.1,
        cercles: &[
            c("Banamba", 9),
            c("Dioïla", 23),
            c("Kangaba", 9),
            c("Kati", 37),
            c("Kolokani", 10),
            c("Koulikoro", 9),
            c("Nara", 11),
        ],
    },
    Region {
        name: "Sikasso",
        slug: "sikasso",
        capacity: 0.3,
        no_information: 0.8,
        population: 1.1,
        cercles: &[
            c("Bougouni", 26),
            c("Kadiolo", 9),
            c("Kolondiéba", 12),
            c("Koutiala", 36),
            c("Sikasso", 43),
            c("Yanfolila", 12),
            c("Yorosso", 9),
        ],
    },
    Region {
        name: "Ségou",
        slug: "segou",
        capacity: 0.1,
        no_information: 0.9,
        population: 1.0,
        cercles: &[
            c("Barouéli", 11),
            c("Bla", 17),
            c("Macina", 11),
            c("Niono", 12),
            c("San", 25),
            c("Ségou", 30),
            c("Tominian", 12),
        ],
    },
    Region {
        name: "Mopti",
        slug: "mopti",
        capacity: -0.25,
        no_information: 1.3,
        population: 1.0,
        cercles: &[
            c("Bandiagara", 21),
            c("Bankass", 12),
            named(
                "Djenné",
                &[
                    "Djenné",
                    "Dandougou Fakala",
                    "Derary",
                    "Fakala",
                    "Femaye",
                    "Kéwa",
                    "Madiama",
                    "Néma Badenyakafo",
                    "Niansanarié",
                    "Ouro Ali",
                    "Pondori",
                    "Togué Mourari",
                ],
            ),
            c("Douentza", 15),
            c("Koro", 16),
            named(
                "Mopti",
                &[
                    "Mopti",
                    "Bassirou",
                    "Borondougou",
                    "Dialloubé",
                    "Fatoma",
                    "Konna",
                    "Korombana",
                    "Koubaye",
                    "Kounari",
                    "Ouro Modi",
                    "Ouroubé Doudé",
                    "Sasalbé",
                    "Sio",
                    "Socoura",
                    "Soye",
                ],
            ),
            c("Ténenkou", 10),
            c("Youwarou", 7),
        ],
    },
    Region {
        name: "Tombouctou",
        slug: "tombouctou",
        capacity: -0.5,
        no_information: 1.6,
        population: 0.7,
        cercles: &[
            named(
                "Diré",
                &[
                    "Diré",
                    "Arham",
                    "Binga",
                    "Bourem Sidi Amar",
                    "Dangha",
                    "Garbakoïra",
                    "Haïbongo",
                    "Kirchamba",
                    "Kondi",
                    "Sareyamou",
                    "Tienkour",
                    "Tindirma",
                    "Tinguereguif",
                ],
            ),
            c("Goundam", 16),
            named(
                "Gourma-Rharous",
                &[
                    "Rharous",
                    "Bambara Maoudé",
                    "Banikane",
                    "Gossi",
                    "Hamzakoma",
                    "Haribomo",
                    "Inadiatafane",
                    "Ouinerden",
                    "Séréré",
                ],
            ),
            chef_lieu("Niafunké", 8, "Soboundou"),
            named(
                "Tombouctou",
                &[
                    "Tombouctou",
                    "Alafia",
                    "Ber",
                    "Bourem-Inaly",
                    "Lafia",
                    "Salam",
                ],
            ),
        ],
    },
    Region {
        name: "Gao",
        slug: "gao",
        capacity: -0.45,
        no_information: 1.5,
        population: 0.75,
        cercles: &[
            named(
                "Ansongo",
                &[
                    "Ansongo",
                    "Bara",
                    "Bourra",
                    "Ouattagouna",
                    "Talataye",
                    "Tessit",
                    "Tin-Hama",
                ],
            ),
            named(
                "Bourem",
                &["Bourem", "Bamba", "Taboye", "Tarkint", "Témera"],
            ),
            named(
                "Gao",
                &[
                    "Gao",
                    "Anchawadi",
                    "Gabero",
                    "Gounzoureye",
                    "N'Tillit",
                    "Sony Aliber",
                    "Tilemsi",
                ],
            ),
            named(
                "Ménaka",
                &["Ménaka", "Alata", "Anderamboukane", "Inékar", "Tidermène"],
            ),
        ],
    },
    Region {
        name: "Kidal",
        slug: "kidal",
        capacity: -0.7,
        no_information: 1.8,
        population: 0.4,
        cercles: &[
            named("Abeïbara", &["Abeïbara", "Boghassa", "Tinzawatène"]),
            named("Kidal", &["Kidal", "Anéfif", "Essouk"]),
            named("Tessalit", &["Tessalit", "Adjelhoc", "Timtaghène"]),
            named("Tin-Essako", &["Tin-Essako", "Intadjedite"]),
        ],
    },
    Region {
        name: "District de Bamako",
        slug: "bamako",
        capacity: 0.7,
        no_information: 0.7,
        population: 1.0,
        cercles: &[named(
            "District de Bamako",
            &[
                "Commune I",
                "Commune II",
                "Commune III",
                "Commune IV",
                "Commune V",
                "Commune VI",
            ],
        )],
    },
];

/// What a commune is in the settlement hierarchy (drives its population and
/// setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rank {
    /// A commune of the District of Bamako.
    Capital,
    /// The chef-lieu of a region.
    RegionalCapital,
    /// The chef-lieu of a cercle.
    CercleCapital,
    /// Any other commune.
    Rural,
}

/// One commune slot of the national map.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    /// Index in the national list (0..703).
    pub(crate) index: usize,
    /// Its region.
    pub(crate) region: &'static Region,
    /// Index of its cercle nationally (0..50, the District of Bamako last).
    pub(crate) cercle: usize,
    /// Its cercle.
    pub(crate) cercle_name: &'static str,
    /// Its name.
    pub(crate) name: String,
    /// Its id: `syn-<region>-<cercle>-<name>`, ASCII.
    pub(crate) id: String,
    /// Its rank.
    pub(crate) rank: Rank,
}

/// The national list of communes, region by region, cercle by cercle.
pub(crate) fn slots() -> Vec<Slot> {
    let mut out = Vec::with_capacity(703);
    let mut cercle_ix = 0;
    for region in REGIONS {
        for cercle in region.cercles {
            let bamako = region.slug == "bamako";
            for k in 0..cercle.communes {
                let name = match cercle.names.get(k) {
                    Some(n) => (*n).to_owned(),
                    None if k == 0 => cercle.chef_lieu.unwrap_or(cercle.name).to_owned(),
                    None => format!("Commune {} {}", k + 1, of(cercle.name)),
                };
                let rank = if bamako {
                    Rank::Capital
                } else if k > 0 {
                    Rank::Rural
                } else if slug(cercle.name) == region.slug {
                    Rank::RegionalCapital
                } else {
                    Rank::CercleCapital
                };
                let id = if bamako {
                    format!("syn-bamako-{}", slug(&name))
                } else if cercle.names.is_empty() && k > 0 {
                    format!("syn-{}-{}-{:02}", region.slug, slug(cercle.name), k + 1)
                } else {
                    format!("syn-{}-{}-{}", region.slug, slug(cercle.name), slug(&name))
                };
                out.push(Slot {
                    index: out.len(),
                    region,
                    cercle: cercle_ix,
                    cercle_name: cercle.name,
                    name,
                    id,
                    rank,
                });
            }
            cercle_ix += 1;
        }
    }
    out
}

/// `de Kati`, `d'Ansongo`.
fn of(name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .is_some_and(|c| "AEÉÈIÎOUY".contains(c.to_ascii_uppercase()));
    if vowel {
        format!("d'{name}")
    } else {
        format!("de {name}")
    }
}

/// An ASCII, lowercase, dash-separated form of a name.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for ch in name.chars().flat_map(char::to_lowercase) {
        let ch = match ch {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c if c.is_ascii_alphanumeric() => c,
            _ => '-',
        };
        if ch != '-' || !(out.is_empty() || out.ends_with('-')) {
            out.push(ch);
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_map_has_703_communes_with_unique_ids() {
        let slots = slots();
        assert_eq!(slots.len(), 703);
        let mut ids: Vec<&str> = slots.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 703);
        let per_region: Vec<(&str, usize)> = REGIONS
            .iter()
            .map(|r| (r.name, r.cercles.iter().map(|c| c.communes).sum()))
            .collect();
        assert_eq!(
            per_region,
            [
                ("Kayes", 129),
                ("Koulikoro", 108),
                ("Sikasso", 147),
                ("Ségou", 118),
                ("Mopti", 108),
                ("Tombouctou", 52),
                ("Gao", 24),
                ("Kidal", 11),
                ("District de Bamako", 6),
            ]
        );
        // 49 cercles and the District of Bamako.
        assert_eq!(REGIONS.iter().map(|r| r.cercles.len()).sum::<usize>(), 50);
        let regional: Vec<&str> = slots
            .iter()
            .filter(|s| s.rank == Rank::RegionalCapital)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(
            regional,
            [
                "Kayes",
                "Koulikoro",
                "Sikasso",
                "Ségou",
                "Mopti",
                "Tombouctou",
                "Gao",
                "Kidal"
            ]
        );
    }

    #[test]
    fn names_and_slugs() {
        let slots = slots();
        let find = |id: &str| slots.iter().find(|s| s.id == id).map(|s| s.name.as_str());
        assert_eq!(find("syn-bamako-commune-iv"), Some("Commune IV"));
        assert_eq!(find("syn-kayes-nioro-du-sahel-nioro"), Some("Nioro"));
        assert_eq!(find("syn-koulikoro-kati-12"), Some("Commune 12 de Kati"));
        assert_eq!(find("syn-gao-ansongo-02"), None);
        assert_eq!(find("syn-gao-gao-n-tillit"), Some("N'Tillit"));
        assert_eq!(find("syn-tombouctou-tombouctou-ber"), Some("Ber"));
        assert_eq!(of("Ansongo"), "d'Ansongo");
        assert_eq!(slug("Ségou"), "segou");
        assert_eq!(slug("Néma Badenyakafo"), "nema-badenyakafo");
    }
}
