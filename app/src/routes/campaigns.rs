//! `/campagnes` (the campaigns a person may see, and the declaration form
//! for planners) and `/campagnes/{id}` (one campaign: window, rubric,
//! verification, each commune of its scope with where its assessment
//! stands, and the edit form). Plain forms: both work without JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::campaigns::{
    CampaignDetail, CampaignLine, CampaignsPage, DeclareCampaign, Territory, UpdateCampaign,
    load_campaign, load_campaigns,
};
use crate::api::kept_form_error;
use crate::error::FormError;
use crate::tr;
use crate::ui::common::{ErrorBox, FieldError, Loading, Tx, field_error_id};
use crate::ui::in_place::InPlaceForms;

/// `/campagnes`.
#[component]
pub fn CampaignsRoute() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("erreur")).unwrap_or_default();
    let page = Resource::new(token, |token| async move {
        let kept = kept_form_error(token).await;
        load_campaigns().await.map(|p| (p, kept))
    });
    view! {
        <h1 data-testid="page-title">{tr!(campaigns_title)}</h1>
        <p>{tr!(campaigns_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok((p, kept)) => view! { <InPlaceForms><CampaignsView page=p kept /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignsView(page: CampaignsPage, kept: Option<FormError>) -> impl IntoView {
    let CampaignsPage {
        campaigns,
        may_declare,
        rubrics,
        territory,
    } = page;
    view! {
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="campaigns-list-title">
        <h2 id="campaigns-list-title" class="visually-hidden">{tr!(campaigns_title)}</h2>
        <table class="data" data-testid="campaigns">
            <thead><tr>
                <th scope="col">{tr!(campaign)}</th>
                <th scope="col">{tr!(rubric)}</th>
                <th scope="col">{tr!(campaign_window)}</th>
                <th scope="col">{tr!(campaign_communes)}</th>
                <th scope="col">{tr!(campaign_assessments)}</th>
            </tr></thead>
            <tbody>
                {campaigns.into_iter().map(|k| view! { <CampaignRowView k /> }).collect_view()}
            </tbody>
        </table>
        </div>
        {may_declare.then(|| view! { <DeclareForm rubrics territory kept /> })}
    }
}

#[component]
fn CampaignRowView(k: CampaignLine) -> impl IntoView {
    view! {
        <tr data-testid="campaign-row">
            <th scope="row">
                <a href=format!("/campagnes/{}", k.id)>{k.label.clone()}</a>
                " " <code>{k.id.clone()}</code>
                {k.verification_required.then(|| view! { " " <span class="tag">{tr!(cmp_verification_required)}</span> })}
                {k.implicit.then(|| view! { " " <span class="tag muted">{tr!(campaign_implicit)}</span> })}
            </th>
            <td><code>{k.rubric}</code></td>
            <td>{k.starts} " – " {k.ends}</td>
            <td>{k.communes}</td>
            <td>{k.assessments}</td>
        </tr>
    }
}

/// The fields shared by the declaration and edit forms.
#[component]
fn WindowFields(
    kept: FormError,
    label: String,
    starts: String,
    ends: String,
    verification: bool,
) -> impl IntoView {
    let problems = match &kept.error {
        crate::error::AppError::Fields(p) => p.clone(),
        _ => Vec::new(),
    };
    let typed = |name: &str, default: String| {
        let t = kept.typed(name);
        if t.is_empty() { default } else { t }
    };
    let err =
        move |name: &str| view! { <FieldError name=name.to_owned() problems=problems.clone() /> };
    view! {
        <label>{tr!(campaign_label)}
            <input type="text" name="label" required maxlength="40" value=typed("label", label)
                aria-describedby=field_error_id("label") />
        </label>
        {err("label")}
        <label>{tr!(campaign_starts)}
            <input type="date" name="starts" required value=typed("starts", starts)
                aria-describedby=field_error_id("starts") />
        </label>
        {err("starts")}
        <label>{tr!(campaign_ends)}
            <input type="date" name="ends" required value=typed("ends", ends)
                aria-describedby=field_error_id("ends") />
        </label>
        {err("ends")}
        <label class="check">
            <input type="checkbox" name="verification" checked=verification data-testid="campaign-verification-field" />
            " " {tr!(campaign_verification_field)}
        </label>
        {err("communes")}
    }
}

/// Checkboxes of regions, cercles and communes (`scope[region:NAME]`,
/// `scope[cercle:NAME]`, `scope[commune:ID]`), folded per region.
#[component]
fn ScopePicker(territory: Territory, chosen: Vec<String>) -> impl IntoView {
    view! {
        <fieldset class="scope-picker" data-testid="scope-picker">
            <legend>{tr!(campaign_scope)}</legend>
            {territory.into_iter().map(|(region, cercles)| {
                let chosen = chosen.clone();
                view! {
                    <details>
                        <summary>{tr!(region)} " " {region.clone()}</summary>
                        <label class="check"><input type="checkbox" name=format!("scope[region:{region}]") />
                            " " {tr!(campaign_whole_region)}</label>
                        {cercles.into_iter().map(|(cercle, communes)| {
                            let chosen = chosen.clone();
                            view! {
                                <div class="scope-cercle">
                                    <label class="check"><input type="checkbox" name=format!("scope[cercle:{cercle}]") />
                                        " " {tr!(cercle)} " " {cercle.clone()}</label>
                                    <ul>
                                        {communes.into_iter().map(|(id, name)| {
                                            let on = chosen.contains(&id);
                                            view! {
                                                <li><label class="check">
                                                    <input type="checkbox" name=format!("scope[commune:{id}]") checked=on />
                                                    " " {name}
                                                </label></li>
                                            }
                                        }).collect_view()}
                                    </ul>
                                </div>
                            }
                        }).collect_view()}
                    </details>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
fn DeclareForm(
    rubrics: Vec<(String, capacity::Text)>,
    territory: Territory,
    kept: Option<FormError>,
) -> impl IntoView {
    let declare = ServerAction::<DeclareCampaign>::new();
    let kept = kept.unwrap_or(FormError {
        error: crate::error::AppError::Fields(Vec::new()),
        typed: Default::default(),
    });
    let problems = match &kept.error {
        crate::error::AppError::Fields(p) => p.clone(),
        _ => Vec::new(),
    };
    let typed_rubric = kept.typed("rubric");
    let err =
        move |name: &str| view! { <FieldError name=name.to_owned() problems=problems.clone() /> };
    view! {
        <h2>{tr!(campaign_declare)}</h2>
        <ActionForm action=declare attr:class="campaign-form" attr:data-testid="declare-campaign">
            <label>{tr!(campaign_id)}
                <input type="text" name="id" required maxlength="40" placeholder="mopti-2026" value=kept.typed("id")
                    aria-describedby=field_error_id("id") />
            </label>
            {err("id")}
            <label>{tr!(rubric)}
                <select name="rubric" required aria-describedby=field_error_id("rubric")>
                    {rubrics.into_iter().map(|(key, title)| {
                        let selected = key == typed_rubric;
                        view! { <option value=key.clone() selected=selected><Tx text=title /> " (" {key.clone()} ")"</option> }
                    }).collect_view()}
                </select>
            </label>
            {err("rubric")}
            <WindowFields kept=kept.clone() label=String::new() starts=String::new() ends=String::new() verification=false />
            <ScopePicker territory chosen=Vec::new() />
            <button type="submit" class="primary" data-testid="declare-submit">{tr!(campaign_declare)}</button>
        </ActionForm>
    }
}

/// `/campagnes/{id}`.
#[component]
pub fn CampaignRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params.read().get("id").unwrap_or_default(),
            query.with(|q| q.get("erreur")).unwrap_or_default(),
        )
    };
    let page = Resource::new(key, |(id, token)| async move {
        let kept = kept_form_error(token).await;
        load_campaign(id).await.map(|d| (d, kept))
    });
    view! {
        <p class="breadcrumb"><a href="/campagnes">{tr!(campaigns_title)}</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok((d, kept)) => view! { <InPlaceForms><CampaignView detail=d kept /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(campaign)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignView(detail: CampaignDetail, kept: Option<FormError>) -> impl IntoView {
    let CampaignDetail {
        line,
        communes,
        may_edit,
        territory,
    } = detail;
    let chosen: Vec<String> = communes.iter().map(|c| c.id.clone()).collect();
    let update = ServerAction::<UpdateCampaign>::new();
    let kept = kept.unwrap_or(FormError {
        error: crate::error::AppError::Fields(Vec::new()),
        typed: Default::default(),
    });
    let form_error = match &kept.error {
        crate::error::AppError::Fields(_) => None,
        e => Some(e.clone()),
    };
    view! {
        <h1 id="page-title-id" data-testid="page-title">{tr!(campaign)} " " {line.label.clone()}</h1>
        <p data-testid="campaign-facts">
            <code>{line.id.clone()}</code> " · " <code>{line.rubric.clone()}</code>
            " · " {line.starts.clone()} " – " {line.ends.clone()}
            {line.verification_required.then(|| view! { " · " <span class="tag">{tr!(cmp_verification_required)}</span> })}
        </p>
        <div class="table-scroll" tabindex="0" role="region" aria-labelledby="page-title-id">
        <table class="data" data-testid="campaign-communes">
            <thead><tr>
                <th scope="col">{tr!(commune)}</th>
                <th scope="col">{tr!(cercle)}</th>
                <th scope="col">{tr!(region)}</th>
                <th scope="col">{tr!(campaign_standing)}</th>
            </tr></thead>
            <tbody>
                {communes.into_iter().map(|c| view! {
                    <tr data-testid="campaign-commune">
                        <th scope="row">{c.name}</th>
                        <td>{c.cercle}</td>
                        <td>{c.region}</td>
                        <td>{match (c.assessment, c.ineligible) {
                            (None, _) => tr!(campaign_not_started).into_any(),
                            (Some(id), None) => view! { <a href=format!("/evaluations/{id}")>{tr!(campaign_counts)}</a> }.into_any(),
                            (Some(id), Some(why)) => view! {
                                <a href=format!("/evaluations/{id}")><crate::routes::compare::IneligibleText reason=why /></a>
                            }.into_any(),
                        }}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        </div>
        {may_edit.then(move || view! {
            <h2>{tr!(campaign_edit)}</h2>
            {form_error.map(|e| view! { <ErrorBox error=e /> })}
            <ActionForm action=update attr:class="campaign-form" attr:data-testid="edit-campaign">
                <input type="hidden" name="id" value=line.id.clone() />
                <input type="hidden" name="version" value=line.version />
                <WindowFields kept=kept.clone() label=line.label.clone() starts=line.starts.clone()
                    ends=line.ends.clone() verification=line.verification_required />
                <ScopePicker territory chosen />
                <button type="submit" class="primary" data-testid="edit-submit">{tr!(save)}</button>
            </ActionForm>
        })}
    }
}
