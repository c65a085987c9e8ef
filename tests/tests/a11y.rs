//! Accessibility and small screens: axe-core (from npm, installed by
//! `./x setup` in `.tooling/`) runs in real Chromium on every kind of page,
//! hydrated; no serious or critical violation is allowed. The same pages
//! are opened on a 360 px wide window: none may scroll sideways (wide
//! tables and charts scroll inside their own box).
//!
//! axe is a script, and a browser with scripts disabled does not run its
//! promises, so there is no run "without JavaScript". It would check the
//! same markup: pages are rendered by the server and islands change no
//! markup when they hydrate (the shell test checks the pages work without
//! scripts).

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, http_get, login_browser, wait_hydrated, workspace_root,
};
use fantoccini::Client;

/// axe-core's browser bundle.
fn axe_source() -> Result<String> {
    let path = workspace_root().join(".tooling/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}; run ./x setup to install axe-core", path.display()).into())
}

/// The first `href="{prefix}…"` of a page, up to the closing quote.
fn first_link(addr: &str, page: &str, prefix: &str) -> Result<String> {
    let (_, html) = http_get(addr, page)?;
    let start = html
        .find(&format!("href=\"{prefix}"))
        .ok_or_else(|| format!("no link starting with {prefix} on {page}"))?
        + "href=\"".len();
    let end = html[start..].find('"').ok_or("unclosed href")? + start;
    Ok(html[start..end].replace("&amp;", "&"))
}

/// Every kind of page, with real ids found through the pages.
fn pages(addr: &str) -> Result<Vec<String>> {
    let commune = first_link(addr, "/communes?q=San", "/communes/ml-")?;
    let assessment = first_link(addr, &commune, "/evaluations/")?;
    let entry = first_link(addr, &assessment, &format!("{assessment}/saisie"))?;
    let indicator = first_link(
        addr,
        "/referentiel/ml-communes/1.0.0",
        "/referentiel/ml-communes/1.0.0/",
    )?;
    Ok(vec![
        "/".into(),
        "/communes".into(),
        commune,
        assessment.clone(),
        entry,
        format!("{assessment}/consensus"),
        format!("{assessment}/resultats"),
        format!("{assessment}/plan"),
        "/evaluer".into(),
        "/resultats".into(),
        "/plan".into(),
        "/comparer".into(),
        "/comparer/subventions?pool=1000003&threshold=30".into(),
        "/campagnes".into(),
        "/campagnes/demo".into(),
        "/referentiel".into(),
        "/referentiel/ml-communes/1.0.0".into(),
        indicator,
        format!("{assessment}/historique"),
        format!("{assessment}/finaliser"),
        format!("{assessment}/verification"),
        "/verification".into(),
        "/connexion".into(),
        "/mot-de-passe?jeton=unknown".into(),
        "/admin/comptes".into(),
        "/admin/communes".into(),
        "/admin/communes/ml-segou-san".into(),
        "/admin/import-communes".into(),
    ])
}

const RUN_AXE: &str = r#"
const done = arguments[arguments.length - 1];
axe.run(document, { resultTypes: ['violations'] })
  .then(r => done(JSON.stringify(r.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => ({ id: v.id, impact: v.impact, help: v.help,
                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) })))))
  .catch(e => done('axe failed: ' + e));
"#;

/// Serious and critical violations on the current page, as text lines.
async fn violations(c: &Client, axe: &str) -> Result<Vec<String>> {
    c.execute(axe, vec![]).await?;
    let out = c.execute_async(RUN_AXE, vec![]).await?;
    let text = out.as_str().ok_or("axe returned nothing")?;
    let list: serde_json::Value = serde_json::from_str(text).map_err(|_| format!("axe: {text}"))?;
    Ok(list
        .as_array()
        .map(|a| a.iter().map(|v| v.to_string()).collect())
        .unwrap_or_default())
}

const SIDEWAYS: &str =
    "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];";

async fn check_all(name: &str) -> Result {
    let server = Server::start()?;
    let browser = Browser::start(name, Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let addr = server.addr();
    let axe = axe_source()?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.set_window_size(360, 800).await?;
            let mut found = Vec::new();
            let pages = pages(&addr)?;
            for page in &pages {
                c.goto(&format!("{url}{page}")).await?;
                wait_hydrated(&c).await?;
                for v in violations(&c, &axe).await? {
                    found.push(format!("{page}: {v}"));
                }
                let widths = c.execute(SIDEWAYS, vec![]).await?;
                let (scroll, client) = (widths[0].as_u64(), widths[1].as_u64());
                if scroll > client {
                    found.push(format!(
                        "{page}: scrolls sideways on a 360 px screen ({scroll:?} > {client:?} px)"
                    ));
                }
            }
            ensure!(
                found.is_empty(),
                "{} serious or critical violation(s) on {} pages:\n{}",
                found.len(),
                pages.len(),
                found.join("\n")
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_pass_axe_and_fit_360_px_hydrated() -> Result {
    check_all("pages_pass_axe_and_fit_360_px_hydrated").await
}
