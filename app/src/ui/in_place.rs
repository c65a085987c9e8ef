//! Plain forms, saved in place once the page is hydrated: an island.
//!
//! Pages are server components whose forms post to server functions and
//! follow the redirect to a page (that is how they work without
//! JavaScript). Inside this island, once hydrated, a `method="post"` form
//! is sent with `fetch` instead, asking for the same HTML answer; the
//! island then swaps its own content for the matching part of the page the
//! server answered with, and updates the address. No full page reload,
//! the same server code, the same messages. When the answer is another
//! page (a new assessment's overview), the browser goes there. When the
//! server cannot be reached, nothing on the page changes: what was typed
//! is still in the form, and a message says so.
//!
//! Do not put islands inside: swapped content is plain HTML, not hydrated.

use leptos::prelude::*;

use crate::tr;

/// Wraps server-rendered forms so that they save without a page reload.
#[island]
pub fn InPlaceForms(children: Children) -> impl IntoView {
    let failed = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        browser::submit(ev, busy, failed);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, busy, failed);
    };
    view! {
        <div class="in-place" data-in-place="" on:submit=on_submit aria-busy=move || busy.get().to_string()>
            {move || failed.get().then(|| view! {
                <p class="error" role="alert" data-testid="in-place-failed">{tr!(in_place_failed)}</p>
            })}
            <div class="in-place-body">{children()}</div>
        </div>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use leptos::prelude::*;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        DomParser, Element, FormData, HtmlFormElement, RequestInit, Response, SupportedType,
        UrlSearchParams,
    };

    /// Sends the submitted form with `fetch` and swaps the answer in.
    pub fn submit(ev: leptos::ev::SubmitEvent, busy: RwSignal<bool>, failed: RwSignal<bool>) {
        let Some(form) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
        else {
            return;
        };
        if !form.method().eq_ignore_ascii_case("post") {
            return;
        }
        let Some(root) = form.closest(".in-place-body").ok().flatten() else {
            return;
        };
        let Ok(data) = FormData::new_with_form(&form) else {
            return;
        };
        // The button pressed, if named, is part of what a browser sends.
        if let Some(button) = ev
            .submitter()
            .and_then(|s| s.dyn_into::<web_sys::HtmlButtonElement>().ok())
            .filter(|b| !b.name().is_empty())
        {
            let _ = data.append_with_str(&button.name(), &button.value());
        }
        let Ok(body) = UrlSearchParams::new_with_str_sequence_sequence(&data) else {
            return;
        };
        ev.prevent_default();
        let action = form.action();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = send(&action, String::from(body.to_string())).await;
            busy.set(false);
            match outcome {
                Ok((url, html)) => {
                    failed.set(false);
                    swap(&root, &url, &html);
                }
                Err(_) => failed.set(true),
            }
        });
    }

    async fn send(action: &str, body: String) -> Result<(String, String), JsValue> {
        let init = RequestInit::new();
        init.set_method("POST");
        init.set_body(&JsValue::from_str(&body));
        let headers = web_sys::Headers::new()?;
        headers.set("Accept", "text/html")?;
        headers.set("Content-Type", "application/x-www-form-urlencoded")?;
        init.set_headers(&headers);
        let resp: Response = JsFuture::from(window().fetch_with_str_and_init(action, &init))
            .await?
            .dyn_into()?;
        if !resp.ok() {
            return Err(JsValue::from_str("answer not ok"));
        }
        let text = JsFuture::from(resp.text()?).await?;
        Ok((resp.url(), text.as_string().unwrap_or_default()))
    }

    /// Replaces `root`'s content with the same part of the answered page,
    /// or goes to the answered page when it is another one.
    fn swap(root: &Element, url: &str, html: &str) {
        let location = window().location();
        let here = location.pathname().unwrap_or_default();
        let there = web_sys::Url::new(url)
            .map(|u| u.pathname())
            .unwrap_or_default();
        let doc = DomParser::new()
            .and_then(|p| p.parse_from_string(html, SupportedType::TextHtml))
            .ok();
        let fresh = doc
            .as_ref()
            .and_then(|doc| doc.query_selector(".in-place-body").ok().flatten());
        match fresh {
            Some(fresh) if here == there => {
                root.set_inner_html(&fresh.inner_html());
                // The page's form-error banner, outside this island, says
                // what the answer says (an error, or nothing any more).
                if let Ok(Some(slot)) = document().query_selector("#form-error-slot") {
                    let banner = doc
                        .as_ref()
                        .and_then(|d| d.query_selector("#form-error-slot").ok().flatten())
                        .map(|e| e.inner_html())
                        .unwrap_or_default();
                    slot.set_inner_html(&banner);
                }
                if let Ok(history) = window().history() {
                    let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(url));
                }
                if let Ok(Some(status)) = root.query_selector("[role=status], [role=alert]") {
                    status.scroll_into_view();
                }
            }
            _ => {
                let _ = location.assign(url);
            }
        }
    }
}
