//! People and what they may do: the roles an account holds, each scoped to
//! a territory, as pages show them. The decision of what a role allows is
//! the service layer's (`service::access`); these are plain data.

use serde::{Deserialize, Serialize};

/// What an account may be given to do. An account may hold several, each
/// with its own [`Scope`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum AccessRole {
    /// Everything, everywhere: accounts, settings, unlocking.
    Admin,
    /// Regional or cercle planner: sees and compares the communes of the
    /// scope, and their audit trail.
    Planner,
    /// Commune facilitator: creates the commune's assessments, names raters,
    /// enters the ratings of raters without an account, records consensus,
    /// finalises, unlocks with a reason, edits the plan.
    Facilitator,
    /// Rater: enters only their own ratings, in assessments whose rater is
    /// linked to their account; sees those assessments.
    Rater,
    /// Independent verifier: sees the scope's assessments and their trail,
    /// and verifies those of the communes they are assigned to.
    Verifier,
    /// Read-only (e.g. a development partner), scoped like a planner.
    Observer,
}

impl AccessRole {
    /// Every role, in the order pages list them.
    pub const ALL: [AccessRole; 6] = [
        AccessRole::Admin,
        AccessRole::Planner,
        AccessRole::Facilitator,
        AccessRole::Rater,
        AccessRole::Verifier,
        AccessRole::Observer,
    ];

    /// The code stored and used in forms.
    pub const fn code(self) -> &'static str {
        match self {
            AccessRole::Admin => "admin",
            AccessRole::Planner => "planner",
            AccessRole::Facilitator => "facilitator",
            AccessRole::Rater => "rater",
            AccessRole::Verifier => "verifier",
            AccessRole::Observer => "observer",
        }
    }

    /// The role of a code, `None` for an unknown one.
    pub fn from_code(code: &str) -> Option<AccessRole> {
        AccessRole::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// The territory a role applies to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Scope {
    /// The whole country.
    National,
    /// One region, by name.
    Region(String),
    /// One cercle, by name.
    Cercle(String),
    /// One commune, by id.
    Commune(String),
}

impl Scope {
    /// The stored kind: `national`, `region`, `cercle` or `commune`.
    pub fn kind(&self) -> &'static str {
        match self {
            Scope::National => "national",
            Scope::Region(_) => "region",
            Scope::Cercle(_) => "cercle",
            Scope::Commune(_) => "commune",
        }
    }

    /// The stored value (empty for [`Scope::National`]).
    pub fn value(&self) -> &str {
        match self {
            Scope::National => "",
            Scope::Region(v) | Scope::Cercle(v) | Scope::Commune(v) => v,
        }
    }

    /// The scope of a stored kind and value; `None` when the kind is
    /// unknown or a territorial kind has no value.
    pub fn from_parts(kind: &str, value: &str) -> Option<Scope> {
        let value = value.trim();
        match (kind, value.is_empty()) {
            ("national", _) => Some(Scope::National),
            ("region", false) => Some(Scope::Region(value.to_owned())),
            ("cercle", false) => Some(Scope::Cercle(value.to_owned())),
            ("commune", false) => Some(Scope::Commune(value.to_owned())),
            _ => None,
        }
    }
}

/// One role of an account over one territory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Stored id (0 before it is stored).
    pub id: i64,
    /// The role.
    pub role: AccessRole,
    /// Where it applies.
    pub scope: Scope,
}

/// The person logged in, as the page header shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Me {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Name shown.
    pub display_name: String,
    /// Roles held.
    pub grants: Vec<Grant>,
    /// A demonstration account (made with the sample data).
    pub demo: bool,
    /// Version of the account row: moves when its roles or state change.
    pub version: i64,
}

/// One account in the administrators' list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLine {
    /// Account id.
    pub id: i64,
    /// Login name.
    pub name: String,
    /// Name shown.
    pub display_name: String,
    /// May log in.
    pub active: bool,
    /// Has a password (false until the set-password link is used).
    pub has_password: bool,
    /// Demonstration account.
    pub demo: bool,
    /// Roles held.
    pub grants: Vec<Grant>,
    /// Row version (for stale-edit checks).
    pub version: i64,
}

/// The administrators' accounts page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountsPage {
    /// Every account, by name.
    pub accounts: Vec<AccountLine>,
    /// Regions and their cercles, for scope choices.
    pub regions: Vec<(String, Vec<String>)>,
    /// Communes `(id, name)`, for scope choices.
    pub communes: Vec<(String, String)>,
    /// A set-password link just made (shown once to the administrator).
    pub link: Option<PasswordLink>,
    /// What anonymous visitors may see.
    pub public: PublicPages,
}

/// A one-time set-password link, shown to the administrator who made it
/// (email is not assumed: they pass it on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordLink {
    /// For whom.
    pub account: String,
    /// The path with its token (`/mot-de-passe?jeton=…`).
    pub path: String,
    /// Valid until (UTC, RFC 3339).
    pub expires_at: String,
}

/// What visitors who are not logged in may see (an administrator's choice;
/// default: the rubric browser only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicPages {
    /// The rubric browser.
    pub rubrics: bool,
    /// Results of finalised and open assessments, and the commune pages.
    pub results: bool,
    /// The compare page (national).
    pub compare: bool,
}

impl Default for PublicPages {
    fn default() -> Self {
        PublicPages {
            rubrics: true,
            results: false,
            compare: false,
        }
    }
}

impl PublicPages {
    /// The stored form: the public parts, comma-separated.
    pub fn code(self) -> String {
        let mut parts = Vec::new();
        if self.rubrics {
            parts.push("rubrics");
        }
        if self.results {
            parts.push("results");
        }
        if self.compare {
            parts.push("compare");
        }
        parts.join(",")
    }

    /// The setting from its stored form (unknown parts are ignored).
    pub fn from_code(code: &str) -> PublicPages {
        let has = |p: &str| code.split(',').any(|c| c.trim() == p);
        PublicPages {
            rubrics: has("rubrics"),
            results: has("results"),
            compare: has("compare"),
        }
    }
}

/// One event of the audit trail, as history pages show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryLine {
    /// Event id (ascending in time).
    pub id: i64,
    /// When (UTC, RFC 3339).
    pub at: String,
    /// Who (name at the time, or `system`).
    pub actor: String,
    /// What kind of change (`rating.saved`, `assessment.finalised`…).
    pub kind: String,
    /// What it touched (indicator and rater, action key, account…).
    pub object: String,
    /// Value before (JSON text), if any.
    pub before: Option<String>,
    /// Value after (JSON text), if any.
    pub after: Option<String>,
    /// Reason given (unlocking), if any.
    pub reason: Option<String>,
    /// Request id (to find the server's log line).
    pub request_id: String,
}

/// A history page: an assessment's events, or one rating's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// Assessment id.
    pub assessment: i64,
    /// Commune name and round, for the title.
    pub title: String,
    /// Indicator asked for, if the page is one rating's history.
    pub indicator: Option<String>,
    /// The events, oldest first.
    pub events: Vec<HistoryLine>,
}
