//! Invented people for the raters: common Malian first names and family
//! names, with family names drawn from pools that differ by area (Manding
//! and Senufo south, Dogon and Fulfulde centre, Songhai and Tamasheq
//! north). Any resemblance to a real person is the chance of common names.
//!
//! Pure data and one function; must not depend on the rest of the generator.

use super::rng::Rng;

const MEN: &[&str] = &[
    "Abdoulaye",
    "Adama",
    "Alassane",
    "Almoustapha",
    "Amadou",
    "Baba",
    "Bakary",
    "Boubacar",
    "Cheick",
    "Daouda",
    "Drissa",
    "Hamadoun",
    "Hamidou",
    "Ibrahim",
    "Issa",
    "Lassina",
    "Mahamadou",
    "Mamadou",
    "Modibo",
    "Moussa",
    "Oumar",
    "Ousmane",
    "Salif",
    "Sékou",
    "Seydou",
    "Siaka",
    "Souleymane",
    "Tiémoko",
    "Yacouba",
    "Youssouf",
];

const WOMEN: &[&str] = &[
    "Adiaratou",
    "Aïssata",
    "Aminata",
    "Assétou",
    "Awa",
    "Bintou",
    "Djénéba",
    "Fadimata",
    "Fanta",
    "Fatoumata",
    "Haby",
    "Hadizatou",
    "Hawa",
    "Kadiatou",
    "Korotoumou",
    "Maïmouna",
    "Mariam",
    "Nana",
    "Oumou",
    "Ramata",
    "Rokia",
    "Safiatou",
    "Salimata",
    "Zeinabou",
];

const SOUTH: &[&str] = &[
    "Bagayoko",
    "Ballo",
    "Berthé",
    "Camara",
    "Cissé",
    "Coulibaly",
    "Dao",
    "Dembélé",
    "Diakité",
    "Diallo",
    "Diarra",
    "Diawara",
    "Doucouré",
    "Doumbia",
    "Fofana",
    "Kanté",
    "Keïta",
    "Konaté",
    "Koné",
    "Kouyaté",
    "Mariko",
    "Samaké",
    "Sangaré",
    "Sanogo",
    "Sidibé",
    "Sissoko",
    "Soumaré",
    "Sylla",
    "Togola",
    "Touré",
    "Traoré",
];

const CENTRE: &[&str] = &[
    "Barry",
    "Bocoum",
    "Cissé",
    "Coulibaly",
    "Diakité",
    "Diallo",
    "Dicko",
    "Dolo",
    "Guindo",
    "Kansaye",
    "Kassogué",
    "Ongoïba",
    "Sangaré",
    "Sow",
    "Tembély",
    "Togo",
    "Touré",
    "Traoré",
];

const NORTH: &[&str] = &[
    "Alhousseini",
    "Cissé",
    "Dicko",
    "Dramé",
    "Haïdara",
    "Maïga",
    "Sidibé",
    "Tandina",
    "Touré",
    "Traoré",
    "Yattara",
];

/// Fathers' names in Tamasheq family names (`Ag …`, `Walet …`).
const TAMASHEQ: &[&str] = &[
    "Ahmed", "Alassane", "Attaher", "Bilal", "Ibrahim", "Intalla", "Mohamed", "Moussa",
];

/// Which pool of family names a region draws from.
pub(crate) fn pool(region_slug: &str) -> u8 {
    match region_slug {
        "mopti" => 1,
        "tombouctou" | "gao" => 2,
        "kidal" => 3,
        _ => 0,
    }
}

/// An invented full name, `First Family`, from pool `pool` (see [`pool`]).
pub(crate) fn person(rng: &mut Rng, pool: u8) -> String {
    let woman = rng.chance(0.4);
    let first = rng.pick(if woman { WOMEN } else { MEN }).copied();
    let tamasheq = match pool {
        3 => rng.chance(0.8),
        2 => rng.chance(0.25),
        _ => false,
    };
    let family = if tamasheq {
        let father = rng.pick(TAMASHEQ).copied().unwrap_or("Mohamed");
        format!("{} {father}", if woman { "Walet" } else { "Ag" })
    } else {
        let families = match pool {
            1 => CENTRE,
            2 | 3 => NORTH,
            _ => SOUTH,
        };
        rng.pick(families).copied().unwrap_or("Traoré").to_owned()
    };
    format!("{} {family}", first.unwrap_or("Aminata"))
}
