//! Small building blocks used by every page: localised rubric text, the
//! loading placeholder and the error box.

use capacity::Text;
use leptos::prelude::*;

use crate::api::{AppError, FieldProblem, Problem};
use crate::locale::{core_lang, use_locale};
use crate::tr;

/// A rubric text in the current language (French when English is missing).
#[component]
pub fn Tx(
    /// The text, in French and maybe English.
    text: Text,
) -> impl IntoView {
    let locale = use_locale();
    move || text.get(core_lang(locale.get())).to_owned()
}

/// Shown while data load (only ever seen when hydrated: the server renders
/// pages with their data).
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="loading" aria-busy="true">{tr!(loading)}</p> }
}

/// An error, said plainly, with what to do.
#[component]
pub fn ErrorBox(
    /// What went wrong.
    error: AppError,
) -> impl IntoView {
    let message = error.to_string();
    let fields = match &error {
        AppError::Fields(problems) => problems.clone(),
        _ => Vec::new(),
    };
    // A commune saved meanwhile: what is stored now, to compare with what
    // was typed before saving again.
    let stored_now = match &error {
        AppError::StaleCommune(now) => Some(view! {
            <dl data-testid="stale-commune">
                <dt>{tr!(error_stored_now)}</dt>
                <dd>
                    {now.commune.name.clone()} " · " {now.commune.region.clone()} " · "
                    {now.commune.cercle.clone()} " · "
                    {now.commune.population.map(|p| p.to_string()).unwrap_or_default()}
                    " (v" {now.version} ")"
                </dd>
            </dl>
        }),
        _ => None,
    };
    // What to do, in the page's language; the server's own words (in
    // English, with ids) follow as the detail to quote.
    let hint = match &error {
        AppError::NotFound(_) => tr!(error_not_found_hint).into_any(),
        AppError::Transport(_) => tr!(error_transport_hint).into_any(),
        AppError::Stale(_) | AppError::StaleRating(_) | AppError::StaleCommune(_) => {
            tr!(error_stale_hint).into_any()
        }
        AppError::Locked(_) => tr!(error_locked_hint).into_any(),
        AppError::Invalid(_) | AppError::Fields(_) => tr!(error_invalid_hint).into_any(),
        AppError::Malformed(_) => tr!(error_malformed_hint).into_any(),
        AppError::Unauthenticated(_) => view! {
            {tr!(error_unauthenticated_hint)} " "
            <a href=login_href() data-testid="error-login">{tr!(login_action)}</a>
        }
        .into_any(),
        AppError::Forbidden(_) => tr!(error_forbidden_hint).into_any(),
        AppError::TooManyAttempts(_) => tr!(error_too_many_hint).into_any(),
        AppError::BadCredentials => tr!(error_bad_credentials_hint).into_any(),
        AppError::TooLarge(_) => tr!(error_too_large_hint).into_any(),
        AppError::Busy(_) => tr!(error_busy_hint).into_any(),
        AppError::Internal(_) => tr!(error_internal_hint).into_any(),
    };
    let title = match error {
        AppError::NotFound(_) => tr!(error_not_found).into_any(),
        AppError::Transport(_) => tr!(error_transport).into_any(),
        AppError::Stale(_) | AppError::StaleRating(_) | AppError::StaleCommune(_) => {
            tr!(error_stale).into_any()
        }
        AppError::Locked(_) => tr!(error_locked).into_any(),
        AppError::Invalid(_) | AppError::Fields(_) => tr!(error_invalid).into_any(),
        AppError::Malformed(_) => tr!(error_malformed).into_any(),
        AppError::Unauthenticated(_) => tr!(error_unauthenticated).into_any(),
        AppError::Forbidden(_) => tr!(error_forbidden).into_any(),
        AppError::TooManyAttempts(_) => tr!(error_too_many).into_any(),
        AppError::BadCredentials => tr!(error_bad_credentials).into_any(),
        AppError::TooLarge(_) => tr!(error_too_large).into_any(),
        AppError::Busy(_) => tr!(error_busy).into_any(),
        AppError::Internal(_) => tr!(error_internal).into_any(),
    };
    view! {
        <div class="error" role="alert" data-testid="error">
            <strong>{title}</strong>
            <p data-testid="error-hint">{hint}</p>
            {stored_now}
            {if fields.is_empty() {
                view! { <p class="error-detail" lang="en">{message}</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {fields.into_iter().map(|f| view! {
                            <li><code>{f.field}</code> " : " <ProblemText problem=f.problem /></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}

/// The login page, coming back to the page shown now (its path and query,
/// as the server received it or as the browser shows it).
fn login_href() -> String {
    #[cfg(feature = "ssr")]
    let here = use_context::<axum::http::request::Parts>()
        .and_then(|p| p.uri.path_and_query().map(|pq| pq.as_str().to_owned()))
        .unwrap_or_else(|| "/".to_owned());
    #[cfg(not(feature = "ssr"))]
    let here = {
        let l = window().location();
        format!(
            "{}{}",
            l.pathname().unwrap_or_default(),
            l.search().unwrap_or_default()
        )
    };
    format!(
        "/connexion?retour={}",
        crate::view::compare::encode_component(&here)
    )
}

/// A field's problem, said in the page's language.
#[component]
pub fn ProblemText(
    /// The problem.
    problem: Problem,
) -> impl IntoView {
    match problem {
        Problem::Required => tr!(problem_required).into_any(),
        Problem::TooLong { max } => tr!(problem_too_long, max = move || max).into_any(),
        Problem::NotADate => tr!(problem_not_a_date).into_any(),
        Problem::AfterToday { today } => {
            let today = move || today.clone();
            tr!(problem_after_today, today = today.clone()).into_any()
        }
        Problem::UnknownChoice => tr!(problem_unknown_choice).into_any(),
        Problem::TooMany { max } => tr!(problem_too_many, max = move || max).into_any(),
        Problem::BadId => tr!(problem_bad_id).into_any(),
        Problem::Cost(capacity::CostProblem::NotANumber) => tr!(problem_cost_not_number).into_any(),
        Problem::Cost(capacity::CostProblem::Negative) => tr!(problem_cost_negative).into_any(),
        Problem::Cost(capacity::CostProblem::NotWhole) => tr!(problem_cost_not_whole).into_any(),
        Problem::Cost(capacity::CostProblem::TooLarge) => tr!(problem_cost_too_large).into_any(),
        Problem::CannotUndecide => tr!(problem_cannot_undecide).into_any(),
        Problem::NotInPlan => tr!(problem_not_in_plan).into_any(),
        Problem::TooShort { min } => tr!(problem_too_short, min = move || min).into_any(),
        Problem::PasswordsDiffer => tr!(problem_passwords_differ).into_any(),
        Problem::NotAWholeNumber => tr!(problem_not_whole_number).into_any(),
        Problem::Duplicate { first } => tr!(problem_duplicate, first = move || first).into_any(),
        Problem::UnknownCommune => tr!(problem_unknown_commune).into_any(),
        Problem::EndBeforeStart => tr!(problem_end_before_start).into_any(),
        Problem::Overlaps { other } => {
            let other = move || other.clone();
            tr!(problem_overlaps, other = other.clone()).into_any()
        }
        Problem::MissingColumn => tr!(problem_missing_column).into_any(),
        Problem::UnknownColumn => tr!(problem_unknown_column).into_any(),
        Problem::UnreadableRow => tr!(problem_unreadable_row).into_any(),
        Problem::Inactive => tr!(problem_inactive).into_any(),
        Problem::NameTaken => tr!(problem_name_taken).into_any(),
        Problem::Incomplete => tr!(problem_incomplete).into_any(),
        Problem::OutsideWindow { starts, ends } => {
            let (starts, ends) = (move || starts.clone(), move || ends.clone());
            tr!(
                problem_outside_window,
                starts = starts.clone(),
                ends = ends.clone()
            )
            .into_any()
        }
        Problem::NotInCampaign => tr!(problem_not_in_campaign).into_any(),
    }
}

/// The problem of one field, if any, as a message tied to the field: give
/// the input `aria-describedby=field_error_id(name)`.
#[component]
pub fn FieldError(
    /// The field's name in the form.
    name: String,
    /// Every problem of the form.
    problems: Vec<FieldProblem>,
) -> impl IntoView {
    let id = field_error_id(&name);
    problems.into_iter().find(|p| p.field == name).map(|p| {
        view! {
            <p class="field-error" id=id data-testid="field-error" data-field=name>
                <ProblemText problem=p.problem />
            </p>
        }
    })
}

/// The id of the element that says what is wrong with field `name`.
pub fn field_error_id(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("err-{safe}")
}
