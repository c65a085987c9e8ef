//! `/evaluations/{id}/historique[?indicateur=ID]`: who changed what, when —
//! an assessment's audit trail, or one indicator's, oldest first, with the
//! value before and after each change and the CSV of the whole trail.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::workshop::load_history;
use crate::tr;
use crate::ui::common::{ErrorBox, Loading};

/// A stored value (JSON text) as a short line: `level: 2 · evidence: …`.
fn value_text(json: Option<&str>) -> String {
    let Some(json) = json else {
        return "—".to_owned();
    };
    match serde_json::from_str::<serde_json::Value>(json) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(" · "),
        _ => json.to_owned(),
    }
}

/// The page.
#[component]
pub fn HistoryRoute() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = move || {
        (
            params
                .read()
                .get("id")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
            query.read().get("indicateur").unwrap_or_default(),
        )
    };
    let page = Resource::new(key, |(id, indicator)| load_history(id, indicator));
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => {
                        let base = format!("/evaluations/{}", p.assessment);
                        let count = p.events.len();
                        view! {
                            <nav class="breadcrumb" aria-label="breadcrumb">
                                <a href=base.clone()>{p.title.clone()}</a>
                            </nav>
                            <h1 data-testid="page-title">
                                {tr!(history_title)}
                                {p.indicator.clone().map(|i| view! { " — " <span class="ind-id">{i}</span> })}
                            </h1>
                            <p class="muted">
                                <span data-testid="history-count">{count}</span> " " {tr!(history_events)} " · "
                                <a href=format!("{base}/historique.csv") data-testid="history-csv">{tr!(history_csv)}</a>
                                {p.indicator.is_some().then(|| view! { " · " <a href=format!("{base}/historique")>{tr!(history_all)}</a> })}
                            </p>
                            <div class="table-scroll" tabindex="0">
                                <table data-testid="history">
                                    <caption class="visually-hidden">{tr!(history_title)}</caption>
                                    <thead>
                                        <tr>
                                            <th scope="col">{tr!(history_when)}</th>
                                            <th scope="col">{tr!(history_who)}</th>
                                            <th scope="col">{tr!(history_what)}</th>
                                            <th scope="col">{tr!(history_object)}</th>
                                            <th scope="col">{tr!(history_before)}</th>
                                            <th scope="col">{tr!(history_after)}</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {p.events.into_iter().map(|e| view! {
                                            <tr data-testid="history-event">
                                                <td><time datetime=e.at.clone()>{e.at.replace('T', " ").trim_end_matches('Z').to_owned()}</time></td>
                                                <td>{e.actor}</td>
                                                <td><code>{e.kind}</code>{e.reason.map(|r| view! { <br /><em>{r}</em> })}</td>
                                                <td>{e.object}</td>
                                                <td>{value_text(e.before.as_deref())}</td>
                                                <td>{value_text(e.after.as_deref())}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any()
                    }
                    Err(e) => view! { <h1 data-testid="page-title">{tr!(history_title)}</h1><ErrorBox error=e /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(test)]
mod tests {
    use super::value_text;

    #[test]
    fn values_read_as_short_lines() {
        assert_eq!(value_text(None), "—");
        assert_eq!(
            value_text(Some(r#"{"level":"2","evidence":null,"refs":[]}"#)),
            "level: 2 · refs: []"
        );
        assert_eq!(value_text(Some("plain")), "plain");
    }
}
