//! `/evaluer`: open assessments and the form that starts a new one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use leptos_router::hooks::use_query_map;

use crate::api::kept_form_error;
use crate::api::workshop::{CreateAssessment, NewAssessmentChoices, load_new_assessment};
use crate::error::FormError;
use crate::tr;
use crate::ui::common::{ErrorBox, FieldError, Loading, Tx, field_error_id};
use crate::ui::in_place::InPlaceForms;

/// `/evaluer`.
#[component]
pub fn EvaluatePage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("erreur")).unwrap_or_default();
    let choices = Resource::new(token, |token| async move {
        let kept = kept_form_error(token).await;
        load_new_assessment().await.map(|c| (c, kept))
    });
    view! {
        <h1 data-testid="page-title">{tr!(nav_evaluate)}</h1>
        <p>{tr!(section_evaluate_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok((c, kept)) => view! {
                        <InPlaceForms><NewAssessmentForm choices=c kept=kept /></InPlaceForms>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewAssessmentForm(choices: NewAssessmentChoices, kept: Option<FormError>) -> impl IntoView {
    let create = ServerAction::<CreateAssessment>::new();
    let kept = kept.unwrap_or(FormError {
        error: crate::error::AppError::Fields(Vec::new()),
        typed: Default::default(),
    });
    let problems = match &kept.error {
        crate::error::AppError::Fields(p) => p.clone(),
        _ => Vec::new(),
    };
    let summary = (!problems.is_empty()).then(|| {
        view! { <p class="form-problems" role="alert" data-testid="form-problems">{tr!(form_has_problems)}</p> }
    });
    let role_options = move |chosen: String| {
        capacity::Role::ALL
            .into_iter()
            .map(|r| r.code())
            .map(|code| view! { <option value=code selected=chosen == code>{role_name(code)}</option> })
            .collect_view()
    };
    let err =
        move |name: &str| view! { <FieldError name=name.to_owned() problems=problems.clone() /> };
    let invalid = {
        let kept = kept.clone();
        move |name: &str| kept.problem(name).is_some().then_some("true")
    };
    let typed_commune = kept.typed("commune");
    let typed_campaign = kept.typed("campaign");
    view! {
        <h2>{tr!(open_assessments)}</h2>
        <ul class="cards" data-testid="open-assessments">
            {choices.open.into_iter().map(|(id, commune, round)| view! {
                <li class="card"><a href=format!("/evaluations/{id}")>{commune} " — " {round}</a></li>
            }).collect_view()}
        </ul>
        <h2>{tr!(new_assessment)}</h2>
        <ActionForm action=create attr:class="new-assessment" attr:data-testid="new-assessment">
            {summary}
            <label>
                {tr!(commune)}
                <select name="commune" required aria-invalid=invalid("commune") aria-describedby=field_error_id("commune")>
                    {choices.communes.into_iter().map(|(id, name, cercle, region)| {
                        let selected = id == typed_commune;
                        view! { <option value=id selected=selected>{name} " (" {cercle} ", " {region} ")"</option> }
                    }).collect_view()}
                </select>
            </label>
            {err("commune")}
            <label>
                {tr!(campaign)}
                <select name="campaign" required aria-invalid=invalid("campaign") aria-describedby=field_error_id("campaign")>
                    {choices.campaigns.into_iter().map(|k| {
                        let selected = k.id == typed_campaign;
                        view! {
                            <option value=k.id selected=selected>
                                {k.label} " — " <Tx text=k.rubric /> " " {k.version} " (" {k.starts} " – " {k.ends} ")"
                            </option>
                        }
                    }).collect_view()}
                </select>
            </label>
            {err("campaign")}
            <label>
                {tr!(date)}
                <input type="date" name="date" required value=kept.typed("date")
                    aria-invalid=invalid("date") aria-describedby=field_error_id("date") />
            </label>
            {err("date")}
            <fieldset aria-describedby=field_error_id("raters")>
                <legend>{tr!(raters_title)}</legend>
                {err("raters")}
                {(1..=RATER_ROWS).map(|i| {
                    let name = format!("rater_name[{i}]");
                    let role = format!("rater_role[{i}]");
                    view! {
                        <div class="rater-row">
                            <label>{tr!(name)} <input type="text" name=name.clone() maxlength=NAME_MAX
                                value=kept.typed(&name) aria-invalid=invalid(&name) aria-describedby=field_error_id(&name) /></label>
                            <label>{tr!(role)} <select name=role.clone() aria-invalid=invalid(&role)
                                aria-describedby=field_error_id(&role)>{role_options(kept.typed(&role))}</select></label>
                            {err(&name)}
                            {err(&role)}
                        </div>
                    }
                }).collect_view()}
            </fieldset>
            <button type="submit" class="primary" data-testid="create">{tr!(start_assessment)}</button>
        </ActionForm>
    }
}

/// Rater rows offered by the form (the service accepts up to 12 raters).
const RATER_ROWS: usize = 6;
use crate::view::limits::NAME as NAME_MAX;

fn role_name(code: &str) -> AnyView {
    match code {
        "elected" => tr!(role_elected).into_any(),
        "staff" => tr!(role_staff).into_any(),
        "citizen" => tr!(role_citizen).into_any(),
        _ => tr!(role_facilitator).into_any(),
    }
}
