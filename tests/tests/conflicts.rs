//! Conflicts on a rater's entry page, in real Chromium: two people on the
//! same rating (the second gets the conflict in view and announced, nothing
//! more of that indicator is sent until they choose, "keep mine" saves
//! against the newer version, "take theirs" puts the stored value in the
//! form), one person's quick changes (never a conflict), the evidence limit,
//! a save refused for good (shown, never queued), a 360 px screen, and the
//! same choices with JavaScript off.

use std::time::{Duration, Instant};

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, http_get, http_request, login_browser,
    open_bandiagara_2024, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

/// Opens the first rater's entry page for the first competency; answers
/// its path with the query.
async fn open_entry(c: &Client, url: &str) -> Result<String> {
    open_bandiagara_2024(c, url).await?;
    c.find(Locator::Css("[data-testid=raters] a"))
        .await?
        .click()
        .await?;
    wait_for(c, "[data-testid=entry-form]").await?;
    let u = c.current_url().await?;
    Ok(format!("{}?{}", u.path(), u.query().unwrap_or("")))
}

/// Ids of the indicator cards that can be rated, in page order.
async fn rateable_cards(c: &Client) -> Result<Vec<String>> {
    let ids = c
        .execute(
            "return [...document.querySelectorAll('fieldset.indicator-card')]
                .filter(f => { const r = f.querySelector('input[type=radio]'); return r && !r.disabled; })
                .map(f => f.id);",
            vec![],
        )
        .await?;
    let ids: Vec<String> = ids
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ensure!(
        ids.len() >= 2,
        "fewer than two rateable indicators: {ids:?}"
    );
    Ok(ids)
}

async fn checked_level(c: &Client, indicator: &str) -> Result<Option<String>> {
    let v = c
        .execute(
            &format!("const e = document.querySelector('input[name=\"level[{indicator}]\"]:checked'); return e ? e.value : null;"),
            vec![],
        )
        .await?;
    Ok(v.as_str().map(str::to_owned))
}

async fn evidence_value(c: &Client, indicator: &str) -> Result<String> {
    Ok(c.find(Locator::Css(&format!(
        "textarea[name='evidence[{indicator}]']"
    )))
    .await?
    .prop("value")
    .await?
    .unwrap_or_default())
}

/// Two levels of the scale other than the stored one and each other.
async fn other_levels(c: &Client, indicator: &str) -> Result<(String, String, String)> {
    let current = checked_level(c, indicator).await?;
    let mut free = ["A", "B", "C", "D"]
        .into_iter()
        .filter(|l| current.as_deref() != Some(*l));
    match (free.next(), free.next(), free.next()) {
        (Some(a), Some(b), Some(d)) => Ok((a.to_owned(), b.to_owned(), d.to_owned())),
        _ => Err(format!("scale of {indicator} too short").into()),
    }
}

/// The body of a page as the server renders it now (chunked transfer
/// decoded), so that stored values can be read from it.
fn page_html(server: &Server, path: &str) -> Result<String> {
    let (status, text) = http_get(&server.addr(), path)?;
    ensure!(status == 200, "GET {path} answered {status}");
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no header end")?;
    if !head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Ok(body.to_owned());
    }
    let mut out = String::new();
    let mut rest = body;
    loop {
        let (size, after) = rest.split_once("\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)?;
        if size == 0 {
            return Ok(out);
        }
        let chunk = after.get(..size).ok_or("short chunk")?;
        out.push_str(chunk);
        rest = after.get(size + 2..).ok_or("short chunk end")?;
    }
}

/// The stored level and evidence of `indicator`, as the server renders the
/// entry page (no refused token): the checked radio and the textarea.
fn stored(server: &Server, path: &str, indicator: &str) -> Result<(Option<String>, String)> {
    let html = page_html(server, path)?;
    let name = format!("name=\"level[{indicator}]\"");
    let mut level = None;
    let mut from = 0;
    while let Some(at) = html[from..].find(&name).map(|i| i + from) {
        let start = html[..at].rfind("<input").ok_or("radio without tag")?;
        let end = at + html[at..].find('>').ok_or("unclosed radio")?;
        let tag = &html[start..end];
        if tag.contains(" checked") {
            let v = tag.split("value=\"").nth(1).ok_or("radio without value")?;
            level = v.split('"').next().map(str::to_owned);
        }
        from = end;
    }
    let at = html
        .find(&format!("name=\"evidence[{indicator}]\""))
        .ok_or("no evidence field")?;
    let open = at + html[at..].find('>').ok_or("unclosed textarea")? + 1;
    let close = open
        + html[open..]
            .find("</textarea>")
            .ok_or("textarea not closed")?;
    Ok((level, html[open..close].to_owned()))
}

/// Saves a rating as another device would: a plain form post of one field.
fn save_elsewhere(
    server: &Server,
    path: &str,
    id: &str,
    level: &str,
    evidence: &str,
    version: i64,
) -> Result {
    let query = path.split_once('?').map(|(_, q)| q).unwrap_or("");
    let field = |k: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
            .unwrap_or("")
            .to_owned()
    };
    let assessment = path.split('/').nth(2).unwrap_or("0");
    let body = format!(
        "id={assessment}&rater={}&competency={}&level%5B{id}%5D={level}&evidence%5B{id}%5D={evidence}&version%5B{id}%5D={version}",
        field("rater"),
        field("competence")
    );
    post(server, "/api/save_entry", &body)
}

fn post(server: &Server, endpoint: &str, body: &str) -> Result {
    let request = format!(
        "POST {endpoint} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr(),
        body.len()
    );
    let (status, text) = http_request(&server.addr(), &request)?;
    ensure!(status == 200, "POST {endpoint} answered {status}: {text}");
    Ok(())
}

/// The version of a rating as the page holds it.
async fn version_of(c: &Client, indicator: &str) -> Result<i64> {
    c.find(Locator::Css(&format!("input[name='version[{indicator}]']")))
        .await?
        .prop("value")
        .await?
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("no version field for {indicator}").into())
}

/// Waits until the script answers true, up to `secs` seconds.
async fn wait_true(c: &Client, script: &str, secs: u64, what: &str) -> Result {
    let start = Instant::now();
    loop {
        if c.execute(script, vec![]).await? == serde_json::json!(true) {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(secs) {
            return Err(format!("{what}: not within {secs} s").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn queued(c: &Client) -> Result<serde_json::Value> {
    Ok(c.execute(
        "return Object.keys(localStorage).filter(k => k.startsWith('capacity-pending-')).map(k => JSON.parse(localStorage.getItem(k)).length).reduce((a, b) => a + b, 0);",
        vec![],
    )
    .await?)
}

/// Serious and critical axe-core violations on the current page (axe from
/// npm, installed by `./x setup`).
async fn axe_violations(c: &Client) -> Result<Vec<String>> {
    let path = capacity_e2e::workspace_root().join(".tooling/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}; run ./x setup to install axe-core", path.display()))?;
    c.execute(&axe, vec![]).await?;
    let out = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ['violations'] })
                 .then(r => done(JSON.stringify(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ': ' + v.help + ' (' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ') + ')'))))
                 .catch(e => done('axe failed: ' + e));"#,
            vec![],
        )
        .await?;
    let text = out.as_str().ok_or("axe returned nothing")?;
    serde_json::from_str(text).map_err(|_| format!("axe: {text}").into())
}

const SIDEWAYS: &str =
    "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_on_one_rating_get_a_conflict_not_an_overwrite() -> Result {
    let server = Server::start()?;
    let other = Browser::start("two_people_on_one_rating_other", Js::On).await?;
    let browser = Browser::start(
        "two_people_on_one_rating_get_a_conflict_not_an_overwrite",
        Js::On,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server = &server;
    let a = other.client.clone();
    let outcome = browser
        .run(|b| async move {
            login_browser(&a, &url, "admin", &admin_password).await?;
            login_browser(&b, &url, "admin", &admin_password).await?;
            // Both people open the same rater's page: they read the same versions.
            let path = open_entry(&a, &url).await?;
            wait_hydrated(&a).await?;
            b.set_window_size(360, 740).await?;
            open_entry(&b, &url).await?;
            wait_hydrated(&b).await?;
            let cards = rateable_cards(&b).await?;
            let id = cards.last().ok_or("no card")?.clone();
            let (theirs, mine, later) = other_levels(&b, &id).await?;
            let their_evidence = "PV-de-la-session-du-12-mars-2024-signé-par-le-maire-et-le-secrétaire-général-de-la-mairie";

            // The first person saves a level and a long evidence.
            let ev = a.find(Locator::Css(&format!("textarea[name='evidence[{id}]']"))).await?;
            ev.clear().await?;
            ev.send_keys(their_evidence).await?;
            a.find(Locator::Css(&format!("input[name='level[{id}]'][value='{theirs}']"))).await?.click().await?;
            wait_for(&a, &format!("fieldset[id='{id}'] .save.saved")).await?;
            ensure!(stored(server, &path, &id)?.0.as_deref() == Some(theirs.as_str()), "first save not stored");

            // The second person, at the top of the page, changes the same
            // rating: the card is far below the screen.
            let below = b
                .execute(
                    &format!("window.scrollTo(0, 0); return document.getElementById('{id}').getBoundingClientRect().top > window.innerHeight;"),
                    vec![],
                )
                .await?;
            ensure!(below == serde_json::json!(true), "the last card should start below the screen");
            b.execute(&format!("document.getElementById('{id}-{mine}').click(); return null;"), vec![]).await?;
            let conflict = format!("fieldset[id='{id}'] [data-testid=stale]");
            let stale = wait_for(&b, &conflict).await?;
            ensure!(stale.attr("role").await?.as_deref() == Some("alert"), "the conflict is not announced (role=alert)");
            // In view: its title whole, the stored value starting on screen
            // (a box taller than the screen is shown from its top).
            wait_true(
                &b,
                &format!("const t = document.querySelector('#conflict-{id} .conflict-title').getBoundingClientRect(); const v = document.querySelector('#conflict-{id} [data-testid=theirs]').getBoundingClientRect(); return t.top >= 0 && t.bottom <= window.innerHeight && v.top < window.innerHeight;"),
                5,
                "the conflict box scrolled into view",
            )
            .await?;
            let shown_theirs = text_of(&b, &format!("{conflict} [data-testid=theirs]")).await?;
            let shown_mine = text_of(&b, &format!("{conflict} [data-testid=mine]")).await?;
            ensure!(shown_theirs.contains(&theirs) && shown_theirs.contains("secrétaire"), "stored value not shown: {shown_theirs}");
            ensure!(shown_mine.contains(&mine), "own entry not shown: {shown_mine}");
            // Both values readable on a 360 px screen: nothing sideways.
            ensure!(b.execute(SIDEWAYS, vec![]).await? == serde_json::json!(true), "the page scrolls sideways at 360 px");
            let inside = b
                .execute(
                    &format!("return ['theirs', 'mine'].every(t => {{ const r = document.querySelector('#conflict-{id} [data-testid=' + t + ']').getBoundingClientRect(); return r.left >= 0 && r.right <= document.documentElement.clientWidth && r.width > 100; }});"),
                    vec![],
                )
                .await?;
            ensure!(inside == serde_json::json!(true), "a value of the conflict is cut at 360 px");
            let summary = text_of(&b, "[data-testid=conflict-summary]").await?;
            ensure!(summary.contains(&id), "the summary does not list {id}: {summary}");
            let found = axe_violations(&b).await?;
            ensure!(found.is_empty(), "accessibility of the conflict: {}", found.join("; "));
            ensure!(stored(server, &path, &id)?.0.as_deref() == Some(theirs.as_str()), "the refused save wrote something");

            // Evidence typed while in conflict is not sent.
            let typed = "Registre des délibérations consulté";
            let ev = b.find(Locator::Css(&format!("textarea[name='evidence[{id}]']"))).await?;
            ev.clear().await?;
            ev.send_keys(typed).await?;
            b.execute("document.activeElement.blur(); return null;", vec![]).await?;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let (level_now, evidence_now) = stored(server, &path, &id)?;
            ensure!(level_now.as_deref() == Some(theirs.as_str()), "a change was sent while in conflict: level {level_now:?}");
            ensure!(evidence_now.contains("secrétaire") && !evidence_now.contains("Registre"), "evidence sent while in conflict: {evidence_now}");
            ensure!(text_of(&b, &format!("{conflict} [data-testid=mine]")).await?.contains("Registre"), "the conflict does not show the entry as typed now");

            // "Keep mine": saved against the newer version.
            b.find(Locator::Css(&format!("fieldset[id='{id}'] [data-testid=keep-mine]"))).await?.click().await?;
            wait_for(&b, &format!("fieldset[id='{id}'] .save.saved")).await?;
            ensure!(b.find_all(Locator::Css(&conflict)).await?.is_empty(), "still in conflict after keep mine");
            let focused = b.execute("return document.activeElement ? document.activeElement.name : null;", vec![]).await?;
            ensure!(focused == serde_json::json!(format!("level[{id}]")), "focus lost after keep mine: {focused}");
            let (level_now, evidence_now) = stored(server, &path, &id)?;
            ensure!(level_now.as_deref() == Some(mine.as_str()), "keep mine did not store {mine}: {level_now:?}");
            ensure!(evidence_now == typed, "keep mine did not store the evidence: {evidence_now}");

            // The first person, still on the older version, changes it again:
            // now they are in conflict, and take the stored value.
            a.find(Locator::Css(&format!("input[name='level[{id}]'][value='{later}']"))).await?.click().await?;
            wait_for(&a, &conflict).await?;
            a.find(Locator::Css(&format!("fieldset[id='{id}'] [data-testid=take-theirs]"))).await?.click().await?;
            wait_for(&a, &format!("fieldset[id='{id}'] [data-testid=taken]")).await?;
            ensure!(checked_level(&a, &id).await?.as_deref() == Some(mine.as_str()), "take theirs did not put their level in the form");
            ensure!(evidence_value(&a, &id).await? == typed, "take theirs did not put their evidence in the form");
            let (level_now, _) = stored(server, &path, &id)?;
            ensure!(level_now.as_deref() == Some(mine.as_str()), "take theirs wrote something: {level_now:?}");
            // From there on the first person's changes save normally.
            a.find(Locator::Css(&format!("input[name='level[{id}]'][value='{later}']"))).await?.click().await?;
            wait_for(&a, &format!("fieldset[id='{id}'] .save.saved")).await?;
            ensure!(stored(server, &path, &id)?.0.as_deref() == Some(later.as_str()), "save after take theirs not stored");
            Ok(())
        })
        .await;
    other.run(|_| async { Ok(()) }).await?;
    outcome
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_persons_quick_changes_never_conflict() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("one_persons_quick_changes_never_conflict", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server = &server;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let path = open_entry(&c, &url).await?;
            wait_hydrated(&c).await?;
            let cards = rateable_cards(&c).await?;
            let first = cards[0].clone();
            let (x, y, z) = other_levels(&c, &first).await?;
            // Four changes of one indicator in one go: the later ones happen
            // while the first save is in flight.
            c.execute(
                &format!(
                    "document.getElementById('{first}-{x}').click();
                     document.getElementById('{first}-{y}').click();
                     const t = document.querySelector(\"textarea[name='evidence[{first}]']\");
                     t.value = 'Budget voté le 3 avril';
                     t.dispatchEvent(new Event('change'));
                     document.getElementById('{first}-{z}').click();
                     return null;"
                ),
                vec![],
            )
            .await?;
            wait_for(&c, &format!("fieldset[id='{first}'] .save.saved")).await?;
            ensure!(c.find_all(Locator::Css("[data-testid=stale]")).await?.is_empty(), "a person's own quick changes conflicted");
            let (level, evidence) = stored(server, &path, &first)?;
            ensure!(level.as_deref() == Some(z.as_str()), "the last level is not stored: {level:?} (expected {z})");
            ensure!(evidence == "Budget voté le 3 avril", "the evidence is not stored: {evidence}");
            ensure!(queued(&c).await? == serde_json::json!(0), "saved changes left in the queue");

            // The evidence stops at the server's limit and says so near it.
            let ev = c.find(Locator::Css(&format!("textarea[name='evidence[{first}]']"))).await?;
            ensure!(ev.attr("maxlength").await?.as_deref() == Some("10000"), "no maxlength on the evidence");
            ensure!(c.find_all(Locator::Css(&format!("fieldset[id='{first}'] [data-testid=evidence-count]"))).await?.is_empty(), "count shown far from the limit");
            c.execute(
                &format!("const t = document.querySelector(\"textarea[name='evidence[{first}]']\"); t.value = 'x'.repeat(9995); t.dispatchEvent(new Event('input')); return null;"),
                vec![],
            )
            .await?;
            let count = text_of(&c, &format!("fieldset[id='{first}'] [data-testid=evidence-count]")).await?;
            ensure!(count.contains("9\u{202f}995") && count.contains("10\u{202f}000"), "count near the limit: {count}");
            ev.send_keys("abcdefghij").await?;
            let length = ev.prop("value").await?.map_or(0, |v| v.chars().count());
            ensure!(length == 10_000, "typing went past the limit: {length}");
            let count = text_of(&c, &format!("fieldset[id='{first}'] [data-testid=evidence-count]")).await?;
            ensure!(count.contains("limite"), "the limit is not said: {count}");
            Ok(())
        })
        .await
}

/// Two indicators changed at once are saved at once, each on its own (the
/// store takes SQLite's write lock before reading, so neither fails for
/// the other).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn different_indicators_save_independently() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("different_indicators_save_independently", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server = &server;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let path = open_entry(&c, &url).await?;
            wait_hydrated(&c).await?;
            let cards = rateable_cards(&c).await?;
            let (first, second) = (cards[0].clone(), cards[1].clone());
            let (x, _, _) = other_levels(&c, &first).await?;
            let (w, _, _) = other_levels(&c, &second).await?;
            c.execute(
                &format!(
                    "document.getElementById('{first}-{x}').click();
                     document.getElementById('{second}-{w}').click();
                     return null;"
                ),
                vec![],
            )
            .await?;
            for (id, level) in [(&first, &x), (&second, &w)] {
                if let Err(e) = wait_for(&c, &format!("fieldset[id='{id}'] .save.saved")).await {
                    let status = text_of(&c, &format!("fieldset[id='{id}'] > div:last-child"))
                        .await
                        .unwrap_or_default();
                    return Err(format!("{id}: {e}; status: {status}").into());
                }
                ensure!(
                    stored(server, &path, id)?.0.as_deref() == Some(level.as_str()),
                    "{id}: {level} not stored"
                );
            }
            // Neither waited for the other: the two requests overlapped.
            let overlap = c
                .execute(
                    "const s = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/save_rating'));
                     return s.length >= 2 && s[0].startTime < s[1].responseEnd && s[1].startTime < s[0].responseEnd;",
                    vec![],
                )
                .await?;
            ensure!(overlap == serde_json::json!(true), "the two saves were not sent together");
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_refused_for_good_is_shown_and_not_queued() -> Result {
    let mut server = Server::start()?;
    let browser = Browser::start("a_save_refused_for_good_is_shown_and_not_queued", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server = &mut server;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let path = open_entry(&c, &url).await?;
            wait_hydrated(&c).await?;
            let cards = rateable_cards(&c).await?;
            let (first, second) = (cards[0].clone(), cards[1].clone());
            let (x, _, _) = other_levels(&c, &first).await?;
            let (y, _, _) = other_levels(&c, &second).await?;
            // Offline: the change is queued.
            server.stop();
            c.find(Locator::Css(&format!(
                "input[name='level[{first}]'][value='{x}']"
            )))
            .await?
            .click()
            .await?;
            wait_for(&c, &format!("fieldset[id='{first}'] .save.pending")).await?;
            ensure!(
                queued(&c).await? == serde_json::json!(1),
                "the offline change is not queued"
            );
            // Meanwhile the assessment is finalised: the queued save can never succeed.
            server.resume()?;
            let assessment = path.split('/').nth(2).ok_or("no id in path")?;
            let gate = page_html(server, &format!("/evaluations/{assessment}/finaliser"))?;
            let version = gate
                .split("name=\"version\" value=\"")
                .nth(1)
                .and_then(|v| v.split('"').next())
                .ok_or("no assessment version on the finalise gate")?
                .to_owned();
            post(
                server,
                "/api/finalise_assessment",
                &format!("id={assessment}&version={version}&confirm=1&provisional=1&reason=test"),
            )?;
            c.execute(
                "window.dispatchEvent(new Event('online')); return null;",
                vec![],
            )
            .await?;
            wait_for(&c, &format!("fieldset[id='{first}'] [data-testid=failed]")).await?;
            let failed =
                text_of(&c, &format!("fieldset[id='{first}'] [data-testid=failure]")).await?;
            ensure!(
                failed.contains("verrouillée"),
                "the refusal is not shown with its reason: {failed}"
            );
            ensure!(
                queued(&c).await? == serde_json::json!(0),
                "a save refused for good stayed queued"
            );
            ensure!(
                c.find_all(Locator::Css("[data-testid=pending]"))
                    .await?
                    .is_empty(),
                "the pending banner stayed"
            );
            // A new change is refused the same way, shown, never queued nor retried.
            c.find(Locator::Css(&format!(
                "input[name='level[{second}]'][value='{y}']"
            )))
            .await?
            .click()
            .await?;
            wait_for(&c, &format!("fieldset[id='{second}'] [data-testid=failed]")).await?;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            ensure!(
                queued(&c).await? == serde_json::json!(0),
                "a refused save was queued"
            );
            ensure!(
                c.find_all(Locator::Css(&format!(
                    "fieldset[id='{second}'] .save.sending"
                )))
                .await?
                .is_empty(),
                "a refused save is being sent again"
            );
            ensure!(
                stored(server, &path, &second)?.0.as_deref() != Some(y.as_str()),
                "a locked assessment changed"
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_refused_entries_are_kept_or_dropped() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "without_javascript_refused_entries_are_kept_or_dropped",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server = &server;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.set_window_size(360, 740).await?;
            let path = open_entry(&c, &url).await?;
            let cards = rateable_cards(&c).await?;
            let (keep, drop) = (cards[0].clone(), cards[1].clone());
            let (mine_keep, theirs_keep, _) = other_levels(&c, &keep).await?;
            let (mine_drop, theirs_drop, _) = other_levels(&c, &drop).await?;
            // Another device saves both ratings after this page was read.
            save_elsewhere(
                server,
                &path,
                &keep,
                &theirs_keep,
                "autre",
                version_of(&c, &keep).await?,
            )?;
            save_elsewhere(
                server,
                &path,
                &drop,
                &theirs_drop,
                "autre",
                version_of(&c, &drop).await?,
            )?;
            for (id, level, evidence) in [
                (&keep, &mine_keep, "PV vu en séance"),
                (&drop, &mine_drop, "Affiche vue"),
            ] {
                c.find(Locator::Css(&format!(
                    "input[name='level[{id}]'][value='{level}']"
                )))
                .await?
                .click()
                .await?;
                let ev = c
                    .find(Locator::Css(&format!("textarea[name='evidence[{id}]']")))
                    .await?;
                ev.clear().await?;
                ev.send_keys(evidence).await?;
            }
            c.find(Locator::Css("[data-testid=save-entry]"))
                .await?
                .click()
                .await?;

            // Both refused: listed at the top, each shown with both values,
            // the person's entry in the form.
            let summary = wait_for(&c, "[data-testid=conflict-summary]").await?;
            for id in [&keep, &drop] {
                let link = summary
                    .find(Locator::Css(&format!("a[href='#conflict-{id}']")))
                    .await;
                ensure!(link.is_ok(), "the summary does not link to {id}");
            }
            for (id, mine, theirs, evidence) in [
                (&keep, &mine_keep, &theirs_keep, "PV vu"),
                (&drop, &mine_drop, &theirs_drop, "Affiche"),
            ] {
                let box_css = format!("#conflict-{id}");
                let shown_theirs = text_of(&c, &format!("{box_css} [data-testid=theirs]")).await?;
                let shown_mine = text_of(&c, &format!("{box_css} [data-testid=mine]")).await?;
                ensure!(
                    shown_theirs.contains(theirs.as_str()) && shown_theirs.contains("autre"),
                    "{id}: stored value not shown: {shown_theirs}"
                );
                ensure!(
                    shown_mine.contains(mine.as_str()) && shown_mine.contains(evidence),
                    "{id}: own entry not shown: {shown_mine}"
                );
                ensure!(
                    checked_level(&c, id).await?.as_deref() == Some(mine.as_str()),
                    "{id}: own level not in the form"
                );
                ensure!(
                    evidence_value(&c, id).await?.starts_with(evidence),
                    "{id}: own evidence not in the form"
                );
            }
            ensure!(
                c.execute(SIDEWAYS, vec![]).await? == serde_json::json!(true),
                "the page scrolls sideways at 360 px"
            );
            ensure!(
                stored(server, &path, &keep)?.0.as_deref() == Some(theirs_keep.as_str()),
                "a refused entry was written"
            );

            // Keep mine for one, take theirs (leave unticked) for the other.
            c.find(Locator::Css(&format!(
                "#conflict-{keep} [data-testid=keep-mine-check]"
            )))
            .await?
            .click()
            .await?;
            c.find(Locator::Css("[data-testid=save-entry]"))
                .await?
                .click()
                .await?;
            // The page before the click has a saved notice too: wait for the new one.
            let start = Instant::now();
            while c.current_url().await?.as_str().contains("refused=") {
                ensure!(
                    start.elapsed() < Duration::from_secs(10),
                    "no new page after saving the choices"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let notice = text_of(&c, "[data-testid=saved-count]").await?;
            ensure!(notice.starts_with("1 "), "saved notice: {notice}");
            ensure!(
                c.find_all(Locator::Css("[data-testid=stale]"))
                    .await?
                    .is_empty(),
                "still in conflict after saving the choices"
            );
            let (level, evidence) = stored(server, &path, &keep)?;
            ensure!(
                level.as_deref() == Some(mine_keep.as_str()) && evidence == "PV vu en séance",
                "keep mine not stored: {level:?} {evidence}"
            );
            let (level, evidence) = stored(server, &path, &drop)?;
            ensure!(
                level.as_deref() == Some(theirs_drop.as_str()) && evidence == "autre",
                "take theirs changed the stored value: {level:?} {evidence}"
            );
            ensure!(
                checked_level(&c, &drop).await?.as_deref() == Some(theirs_drop.as_str()),
                "the page does not show the stored value taken"
            );
            Ok(())
        })
        .await
}
