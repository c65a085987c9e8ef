//! The data of the campaign pages (`/campagnes`, `/campagnes/{id}`), as
//! exchanged between the server and the browser.

use capacity::Text;
use serde::{Deserialize, Serialize};

/// One campaign in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignLine {
    /// Id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Rubric `id@version`.
    pub rubric: String,
    /// First day of the window.
    pub starts: String,
    /// Last day of the window.
    pub ends: String,
    /// Only verified assessments count.
    pub verification_required: bool,
    /// Made for assessments that came without a campaign.
    pub implicit: bool,
    /// Communes in scope.
    pub communes: i64,
    /// Assessments in the campaign.
    pub assessments: i64,
    /// Row version.
    pub version: i64,
}

/// A commune the scope picker offers: `(id, name)` grouped by region and
/// cercle.
pub type Territory = Vec<(String, Vec<(String, Vec<(String, String)>)>)>;

/// The list of campaigns and, for planners, the declaration form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignsPage {
    /// Campaigns holding communes the person may see, the latest first.
    pub campaigns: Vec<CampaignLine>,
    /// Whether the person may declare campaigns.
    pub may_declare: bool,
    /// Rubric versions: `(id@version, title)`.
    pub rubrics: Vec<(String, Text)>,
    /// The communes the person may put in a campaign.
    pub territory: Territory,
}

/// One commune of a campaign's scope and where its assessment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopeCommune {
    /// Commune id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Cercle.
    pub cercle: String,
    /// Region.
    pub region: String,
    /// Its assessment in the campaign, if any.
    pub assessment: Option<i64>,
    /// `None` when it counts (or has no assessment), else why not.
    pub ineligible: Option<capacity::Ineligible>,
}

/// One campaign with its scope and the edit form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignDetail {
    /// The campaign.
    pub line: CampaignLine,
    /// Its communes.
    pub communes: Vec<ScopeCommune>,
    /// Whether the person may change it.
    pub may_edit: bool,
    /// The communes the person may put in it.
    pub territory: Territory,
}
