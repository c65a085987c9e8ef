//! `/evaluer`: open assessments and the form that starts a new one.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::api::workshop::{CreateAssessment, NewAssessmentChoices, load_new_assessment};
use crate::tr;
use crate::ui::common::{ErrorBox, Loading, Tx};
use crate::ui::in_place::InPlaceForms;

/// `/evaluer`.
#[component]
pub fn EvaluatePage() -> impl IntoView {
    let choices = Resource::new(|| (), |_| load_new_assessment());
    view! {
        <h1 data-testid="page-title">{tr!(nav_evaluate)}</h1>
        <p>{tr!(section_evaluate_intro)}</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match choices.await {
                    Ok(c) => view! { <InPlaceForms><NewAssessmentForm choices=c /></InPlaceForms> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NewAssessmentForm(choices: NewAssessmentChoices) -> impl IntoView {
    let create = ServerAction::<CreateAssessment>::new();
    let role_options = move || {
        ["elected", "staff", "citizen", "facilitator"]
            .into_iter()
            .map(|code| view! { <option value=code>{role_name(code)}</option> })
            .collect_view()
    };
    view! {
        <h2>{tr!(open_assessments)}</h2>
        <ul class="cards" data-testid="open-assessments">
            {choices.open.into_iter().map(|(id, commune, round)| view! {
                <li class="card"><a href=format!("/evaluations/{id}")>{commune} " — " {round}</a></li>
            }).collect_view()}
        </ul>
        <h2>{tr!(new_assessment)}</h2>
        <ActionForm action=create attr:class="new-assessment" attr:data-testid="new-assessment">
            <label>
                {tr!(commune)}
                <select name="commune" required>
                    {choices.communes.into_iter().map(|(id, name, cercle, region)| view! {
                        <option value=id>{name} " (" {cercle} ", " {region} ")"</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                {tr!(rubric)}
                <select name="rubric" required>
                    {choices.rubrics.into_iter().map(|(id, version, title)| {
                        let value = format!("{id}@{version}");
                        view! { <option value=value><Tx text=title /> " (" {version} ")"</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>{tr!(round)} <input type="text" name="round" required maxlength="40" placeholder="2026" /></label>
            <label>{tr!(date)} <input type="date" name="date" required /></label>
            <fieldset>
                <legend>{tr!(raters_title)}</legend>
                {(1..=6).map(|i| view! {
                    <div class="rater-row">
                        <label>{tr!(name)} <input type="text" name=format!("rater_name[{i}]") maxlength="120" /></label>
                        <label>{tr!(role)} <select name=format!("rater_role[{i}]")>{role_options()}</select></label>
                    </div>
                }).collect_view()}
            </fieldset>
            <button type="submit" class="primary" data-testid="create">{tr!(start_assessment)}</button>
        </ActionForm>
    }
}

fn role_name(code: &str) -> AnyView {
    match code {
        "elected" => tr!(role_elected).into_any(),
        "staff" => tr!(role_staff).into_any(),
        "citizen" => tr!(role_citizen).into_any(),
        _ => tr!(role_facilitator).into_any(),
    }
}
