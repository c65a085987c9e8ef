//! Connection status: one server-function round trip, on demand.
//!
//! Councils work on weak connections; the workshop will keep entries in the
//! browser while the server is unreachable. This component tells the user
//! which case they are in. Without JavaScript the button is inert and the
//! status says it was not checked, which is true.

use leptos::prelude::*;

use crate::api::server_info;
use crate::i18n::td;
use crate::locale::use_locale;
use crate::tr;

/// Button and status line for the server connection.
#[island]
pub fn ConnectionStatus() -> impl IntoView {
    let locale = use_locale();
    let check = Action::new(|_: &()| server_info());
    let status = move || {
        let l = locale.get();
        match check.value().get() {
            None => td!(l, connection_unknown).into_any(),
            Some(Ok(info)) => {
                let version = info.version;
                td!(l, connection_ok, version = move || version.clone()).into_any()
            }
            Some(Err(_)) => td!(l, connection_failed).into_any(),
        }
    };
    view! {
        <section class="connection" aria-live="polite">
            <h2 class="visually-hidden">{tr!(connection_title)}</h2>
            <button type="button" data-testid="connection-check" on:click=move |_| { check.dispatch(()); }>
                {tr!(connection_check)}
            </button>
            <span data-testid="connection-status">{status}</span>
        </section>
    }
}
