//! Small building blocks used by every page: localised rubric text, the
//! loading placeholder and the error box.

use capacity::Text;
use leptos::prelude::*;

use crate::api::AppError;
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
    let title = match error {
        AppError::NotFound(_) => tr!(error_not_found).into_any(),
        AppError::Transport(_) => tr!(error_transport).into_any(),
        AppError::Stale(_) | AppError::StaleRating(_) => tr!(error_stale).into_any(),
        AppError::Locked(_) => tr!(error_locked).into_any(),
        AppError::Invalid(_) | AppError::Fields(_) => tr!(error_invalid).into_any(),
        AppError::Malformed(_) => tr!(error_malformed).into_any(),
        AppError::Unauthenticated(_) => tr!(error_unauthenticated).into_any(),
        AppError::Forbidden(_) => tr!(error_forbidden).into_any(),
        AppError::TooLarge(_) => tr!(error_too_large).into_any(),
        AppError::Busy(_) => tr!(error_busy).into_any(),
        AppError::Internal(_) => tr!(error_internal).into_any(),
    };
    view! {
        <div class="error" role="alert" data-testid="error">
            <strong>{title}</strong>
            <p>{message}</p>
        </div>
    }
}
