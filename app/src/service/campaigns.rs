//! Operations of the campaign pages: list the campaigns a person may see,
//! declare one, change one, and the demonstration campaign of `--demo`.
//!
//! A planner declares campaigns over the communes of their scope
//! ([`Action::ManageCampaigns`] is checked for every commune put in one);
//! an administrator anywhere. The store keeps each campaign's assessments
//! inside its window and scope ([`capacity_store::Store::update_campaign`]);
//! which of them count is the core's rule ([`capacity::eligibility()`]).

use std::collections::{BTreeMap, BTreeSet};

use capacity::{CampaignRule, RoundFacts, Text, valid_id};
use capacity_store::{CampaignRow, CommuneFilter, NewCampaign};

use super::Service;
use super::access::{Action, Actor, Place};
use super::limits;
use crate::error::{AppError, FieldProblem, Problem};
use crate::view::campaigns::*;

/// The longest campaign id and label.
const ID_MAX: usize = 40;

fn line(k: CampaignRow) -> CampaignLine {
    CampaignLine {
        rubric: format!("{}@{}", k.rubric_id, k.rubric_version),
        id: k.id,
        label: k.label,
        starts: k.starts,
        ends: k.ends,
        verification_required: k.verification_required,
        implicit: k.implicit,
        communes: k.communes,
        assessments: k.assessments,
        version: k.version,
    }
}

/// Every commune's place, by id.
async fn places(state: &Service) -> Result<BTreeMap<String, Place>, AppError> {
    Ok(state
        .store
        .communes(&CommuneFilter::default())
        .await?
        .into_iter()
        .map(|row| (row.commune.id.clone(), Place::of_commune(&row.commune)))
        .collect())
}

/// The communes `actor` may put in a campaign, by region and cercle.
async fn territory(state: &Service, actor: &Actor) -> Result<Territory, AppError> {
    let mut by: BTreeMap<String, BTreeMap<String, Vec<(String, String)>>> = BTreeMap::new();
    for row in state.store.communes(&CommuneFilter::default()).await? {
        let c = row.commune;
        if actor.may(Action::ManageCampaigns, &Place::of_commune(&c)) {
            by.entry(c.region)
                .or_default()
                .entry(c.cercle)
                .or_default()
                .push((c.id, c.name));
        }
    }
    Ok(by
        .into_iter()
        .map(|(r, cercles)| (r, cercles.into_iter().collect()))
        .collect())
}

/// The campaigns holding a commune `actor` may see, and the form's choices.
pub async fn campaigns_page(state: &Service, actor: &Actor) -> Result<CampaignsPage, AppError> {
    actor.may_list()?;
    let places = places(state).await?;
    let mut campaigns = Vec::new();
    for k in state.store.campaigns(None).await? {
        let scope = state.store.campaign_communes(&k.id).await?;
        let seen = scope.iter().any(|c| {
            places
                .get(c)
                .is_some_and(|p| actor.may(Action::ViewCommune, p))
        });
        if seen {
            campaigns.push(line(k));
        }
    }
    let territory = territory(state, actor).await?;
    let rubrics = state
        .store
        .rubrics()
        .await?
        .into_iter()
        .map(|r| {
            (
                format!("{}@{}", r.id, r.version),
                Text {
                    fr: r.title_fr,
                    en: r.title_en,
                },
            )
        })
        .collect();
    Ok(CampaignsPage {
        campaigns,
        may_declare: !territory.is_empty(),
        rubrics,
        territory,
    })
}

/// One campaign: its scope with where each commune's assessment stands.
pub async fn campaign_detail(
    state: &Service,
    actor: &Actor,
    id: &str,
) -> Result<CampaignDetail, AppError> {
    actor.may_list()?;
    let k = state
        .store
        .campaign(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("campaign {id}")))?;
    let scope: BTreeSet<String> = state
        .store
        .campaign_communes(id)
        .await?
        .into_iter()
        .collect();
    let filter = capacity_store::AssessmentFilter {
        campaign: Some(id.to_owned()),
        ..Default::default()
    };
    let headers = state.store.list_assessments(&filter).await?;
    let verified: BTreeSet<i64> = state
        .store
        .verification_states(&filter)
        .await?
        .into_iter()
        .filter(|v| v.is_completed())
        .map(|v| v.assessment)
        .collect();
    let today = limits::today();
    let mut communes = Vec::new();
    let mut may_edit = true;
    for row in state.store.communes(&CommuneFilter::default()).await? {
        let c = row.commune;
        if !scope.contains(&c.id) {
            continue;
        }
        let place = Place::of_commune(&c);
        may_edit &= actor.may(Action::ManageCampaigns, &place);
        if !actor.may(Action::ViewCommune, &place) {
            continue;
        }
        let header = headers.iter().find(|h| h.commune_id == c.id);
        let ineligible = header.and_then(|h| {
            capacity::eligibility(
                &RoundFacts {
                    finalised: h.finalised,
                    provisional: h.provisional_reason.as_deref(),
                    date: &h.date,
                    verified: verified.contains(&h.id),
                },
                &CampaignRule {
                    starts: &k.starts,
                    ends: &k.ends,
                    verification_required: k.verification_required,
                    today: &today,
                },
            )
            .err()
        });
        communes.push(ScopeCommune {
            id: c.id,
            name: c.name,
            cercle: c.cercle,
            region: c.region,
            assessment: header.map(|h| h.id),
            ineligible,
        });
    }
    if communes.is_empty() {
        // Nothing of it is the person's to see.
        actor.check(Action::ViewCommune, &Place::default())?;
    }
    Ok(CampaignDetail {
        line: line(k),
        communes,
        may_edit,
        territory: if may_edit {
            territory(state, actor).await?
        } else {
            Vec::new()
        },
    })
}

/// The fields of the campaign form, as typed.
#[derive(Debug, Clone, Default)]
pub struct CampaignForm {
    /// Id (declaration only).
    pub id: String,
    /// Label.
    pub label: String,
    /// `rubric-id@version` (declaration only).
    pub rubric: String,
    /// First day.
    pub starts: String,
    /// Last day.
    pub ends: String,
    /// `on` when verification is required.
    pub verification: bool,
    /// Whole regions put in scope.
    pub regions: Vec<String>,
    /// Whole cercles put in scope.
    pub cercles: Vec<String>,
    /// Single communes put in scope.
    pub communes: Vec<String>,
}

impl CampaignForm {
    /// A form with the scope of the ticked boxes (`region:NAME`,
    /// `cercle:NAME`, `commune:ID`; anything else is ignored).
    pub fn with_scope(boxes: impl IntoIterator<Item = String>) -> Self {
        let mut form = CampaignForm::default();
        for key in boxes {
            match key.split_once(':') {
                Some(("region", v)) => form.regions.push(v.to_owned()),
                Some(("cercle", v)) => form.cercles.push(v.to_owned()),
                Some(("commune", v)) => form.communes.push(v.to_owned()),
                _ => {}
            }
        }
        form
    }
}

/// Checks the form; the campaign to store, or every problem at once.
async fn checked(
    state: &Service,
    actor: &Actor,
    form: &CampaignForm,
    declaring: bool,
) -> Result<NewCampaign, AppError> {
    if actor.me.is_none() {
        return Err(AppError::Unauthenticated(
            "log in to manage campaigns".to_owned(),
        ));
    }
    let mut problems = Vec::new();
    let id = form.id.trim();
    if declaring {
        if id.is_empty() {
            problems.push(FieldProblem::new("id", Problem::Required));
        } else if !valid_id(id) {
            problems.push(FieldProblem::new("id", Problem::BadId));
        } else if let Some(p) = limits::too_long(id, ID_MAX) {
            problems.push(FieldProblem::new("id", p));
        }
    }
    let label = form.label.trim();
    if label.is_empty() {
        problems.push(FieldProblem::new("label", Problem::Required));
    } else if let Some(p) = limits::too_long(label, limits::ROUND) {
        problems.push(FieldProblem::new("label", p));
    }
    let (rubric_id, rubric_version) = match form.rubric.split_once('@') {
        Some((r, v)) if valid_id(r) && valid_id(v) => (r.to_owned(), v.to_owned()),
        _ => {
            if declaring {
                problems.push(FieldProblem::new("rubric", Problem::UnknownChoice));
            }
            (String::new(), String::new())
        }
    };
    if declaring
        && !rubric_id.is_empty()
        && !state
            .store
            .rubrics()
            .await?
            .iter()
            .any(|r| r.id == rubric_id && r.version == rubric_version)
    {
        problems.push(FieldProblem::new("rubric", Problem::UnknownChoice));
    }
    let (starts, ends) = (form.starts.trim(), form.ends.trim());
    for (field, date) in [("starts", starts), ("ends", ends)] {
        if date.is_empty() {
            problems.push(FieldProblem::new(field, Problem::Required));
        } else if !capacity::valid_date(date) {
            problems.push(FieldProblem::new(field, Problem::NotADate));
        }
    }
    if capacity::valid_date(starts) && capacity::valid_date(ends) && starts > ends {
        problems.push(FieldProblem::new(
            "ends",
            Problem::OutsideWindow {
                starts: starts.to_owned(),
                ends: ends.to_owned(),
            },
        ));
    }
    // The scope: the person's communes of the whole regions and cercles
    // ticked, and single communes, each of which must be theirs.
    let mut communes = BTreeSet::new();
    for row in state.store.communes(&CommuneFilter::default()).await? {
        let c = &row.commune;
        let place = Place::of_commune(c);
        if form.communes.contains(&c.id) {
            actor.check(Action::ManageCampaigns, &place)?;
            communes.insert(c.id.clone());
        } else if (form.regions.contains(&c.region) || form.cercles.contains(&c.cercle))
            && actor.may(Action::ManageCampaigns, &place)
        {
            communes.insert(c.id.clone());
        }
    }
    let unknown = form
        .communes
        .iter()
        .any(|c| !communes.contains(c.trim()) && !c.trim().is_empty());
    if unknown {
        problems.push(FieldProblem::new("communes", Problem::UnknownChoice));
    } else if communes.is_empty() {
        problems.push(FieldProblem::new("communes", Problem::Required));
    }
    if !problems.is_empty() {
        return Err(AppError::Fields(problems));
    }
    Ok(NewCampaign {
        id: id.to_owned(),
        label: label.to_owned(),
        rubric_id,
        rubric_version,
        starts: starts.to_owned(),
        ends: ends.to_owned(),
        verification_required: form.verification,
        communes: communes.into_iter().collect(),
    })
}

/// Declares a campaign; answers its id.
pub async fn declare_campaign(
    state: &Service,
    actor: &Actor,
    form: CampaignForm,
) -> Result<String, AppError> {
    let campaign = checked(state, actor, &form, true).await?;
    state
        .store
        .create_campaign(&campaign, &actor.audit())
        .await?;
    Ok(campaign.id)
}

/// Changes campaign `id`, still at `version`: label, window,
/// verification and scope (every commune of the old scope and the new one
/// must be the person's).
pub async fn update_campaign(
    state: &Service,
    actor: &Actor,
    id: &str,
    version: i64,
    mut form: CampaignForm,
) -> Result<String, AppError> {
    let before = state
        .store
        .campaign(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("campaign {id}")))?;
    let places = places(state).await?;
    for commune in state.store.campaign_communes(id).await? {
        let place = places.get(&commune).cloned().unwrap_or_default();
        actor.check(Action::ManageCampaigns, &place)?;
    }
    id.clone_into(&mut form.id);
    form.rubric = format!("{}@{}", before.rubric_id, before.rubric_version);
    let mut campaign = checked(state, actor, &form, false).await?;
    campaign.rubric_id = before.rubric_id;
    campaign.rubric_version = before.rubric_version;
    state
        .store
        .update_campaign(&campaign, version, &actor.audit())
        .await?;
    Ok(campaign.id)
}

/// The demonstration campaign of `--demo`: this year, the reference
/// rubric's latest version, every commune, verification required. Its id
/// is `demo`.
pub async fn create_demo_campaign(state: &Service) -> Result<Option<String>, AppError> {
    let today = limits::today();
    let year = today.get(..4).unwrap_or("2026").to_owned();
    let Some(rubric) = state
        .store
        .rubrics()
        .await?
        .into_iter()
        .filter(|r| r.id == crate::view::compare::REFERENCE_RUBRIC)
        .max_by(|a, b| a.version.cmp(&b.version))
    else {
        return Ok(None);
    };
    let communes: Vec<String> = state
        .store
        .communes(&CommuneFilter::default())
        .await?
        .into_iter()
        .map(|row| row.commune.id)
        .collect();
    let campaign = NewCampaign {
        id: "demo".to_owned(),
        label: year.clone(),
        rubric_id: rubric.id,
        rubric_version: rubric.version,
        starts: format!("{year}-01-01"),
        ends: format!("{year}-12-31"),
        verification_required: true,
        communes,
    };
    state
        .store
        .create_campaign(&campaign, &Actor::system("demo seed").audit())
        .await?;
    Ok(Some(campaign.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view::account::{AccessRole, Grant, Me, Scope};

    fn cercle_planner() -> Actor {
        Actor {
            me: Some(Me {
                id: 0,
                name: "cercle".into(),
                display_name: "Planificateur du cercle".into(),
                grants: vec![Grant {
                    id: 1,
                    role: AccessRole::Planner,
                    scope: Scope::Cercle("Bandiagara".into()),
                }],
                demo: false,
                version: 1,
            }),
            ..Actor::default()
        }
    }

    fn form(boxes: &[&str]) -> CampaignForm {
        CampaignForm {
            id: "bandiagara-2026".into(),
            label: "2026".into(),
            rubric: "ml-communes@1.0.0".into(),
            starts: "2026-01-01".into(),
            ends: "2026-12-31".into(),
            ..CampaignForm::with_scope(boxes.iter().map(|b| (*b).to_owned()))
        }
    }

    /// A planner of one cercle who ticks the whole region gets the
    /// communes of their cercle, not a refusal; naming a commune outside
    /// it is refused.
    #[tokio::test]
    async fn a_whole_region_means_the_planners_part_of_it() -> Result<(), Box<dyn std::error::Error>>
    {
        let store = capacity_store::Store::open_in_memory().await?;
        crate::service::seed_embedded(&store, true).await?;
        let state = Service::new(store);
        let actor = cercle_planner();
        let id = declare_campaign(&state, &actor, form(&["region:Mopti"])).await?;
        let scope = state.store.campaign_communes(&id).await?;
        assert!(!scope.is_empty());
        for commune in &scope {
            let row = state.store.commune(commune).await?.ok_or("commune")?;
            assert_eq!(row.commune.cercle, "Bandiagara", "{commune}");
        }
        let mut other = form(&["commune:ml-mopti-djenne"]);
        other.id = "djenne-2026".into();
        let refused = declare_campaign(&state, &actor, other).await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        Ok(())
    }
}
