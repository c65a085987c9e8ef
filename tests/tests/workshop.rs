//! The workshop in real Chromium: a rater's entry saved with JavaScript
//! off (plain form post) and hydrated (autosave), a stale save refused with
//! the newer value shown, and entries kept while the server is unreachable
//! then sent when it returns.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, http_get, http_request, login_browser,
    open_bandiagara_2024, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

/// The first rater's entry page for the first competency.
async fn open_entry(c: &Client) -> Result {
    c.find(Locator::Css("[data-testid=raters] a"))
        .await?
        .click()
        .await?;
    wait_for(c, "[data-testid=entry-form]").await?;
    Ok(())
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

/// The first indicator card's id and a level that differs from its current one.
async fn first_card(c: &Client) -> Result<(String, String)> {
    let card = c.find(Locator::Css("fieldset.indicator-card")).await?;
    let id = card.attr("id").await?.ok_or("card without id")?;
    let current = checked_level(c, &id).await?;
    let level = if current.as_deref() == Some("B") {
        "C"
    } else {
        "B"
    };
    Ok((id, level.to_owned()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rating_is_saved_with_javascript_off() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("a_rating_is_saved_with_javascript_off", Js::Off).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            open_bandiagara_2024(&c, &url).await?;
            open_entry(&c).await?;
            let (id, level) = first_card(&c).await?;
            c.find(Locator::Css(&format!(
                "input[name='level[{id}]'][value='{level}']"
            )))
            .await?
            .click()
            .await?;
            let evidence = c
                .find(Locator::Css(&format!("textarea[name='evidence[{id}]']")))
                .await?;
            evidence.clear().await?;
            evidence
                .send_keys("PV de la session du 12 mars, vu en séance")
                .await?;
            c.find(Locator::Css("[data-testid=save-entry]"))
                .await?
                .click()
                .await?;
            let notice = text_of(&c, "[data-testid=saved-count]").await?;
            ensure!(notice.starts_with("1 "), "saved notice: {notice}");
            ensure!(
                checked_level(&c, &id).await?.as_deref() == Some(level.as_str()),
                "level not kept after save"
            );
            let text = c
                .find(Locator::Css(&format!("textarea[name='evidence[{id}]']")))
                .await?
                .prop("value")
                .await?;
            ensure!(
                text.as_deref() == Some("PV de la session du 12 mars, vu en séance"),
                "evidence: {text:?}"
            );
            Ok(())
        })
        .await
}

/// Saves a rating as another device would: a plain form post of one field.
fn save_elsewhere(server: &Server, path: &str, id: &str, level: &str, version: i64) -> Result<u16> {
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
        "id={assessment}&rater={}&competency={}&level%5B{id}%5D={level}&evidence%5B{id}%5D=autre&version%5B{id}%5D={version}",
        field("rater"),
        field("competence")
    );
    let request = format!(
        "POST /api/save_entry HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        server.addr(),
        body.len()
    );
    Ok(http_request(&server.addr(), &request)?.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hydrated_entry_autosaves_and_refuses_a_stale_save() -> Result {
    let server = Server::start()?;
    let browser =
        Browser::start("hydrated_entry_autosaves_and_refuses_a_stale_save", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server = &server;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            open_bandiagara_2024(&c, &url).await?;
            open_entry(&c).await?;
            wait_hydrated(&c).await?;
            let path = {
                let u = c.current_url().await?;
                format!("{}?{}", u.path(), u.query().unwrap_or(""))
            };
            let (id, level) = first_card(&c).await?;
            c.find(Locator::Css(&format!(
                "input[name='level[{id}]'][value='{level}']"
            )))
            .await?
            .click()
            .await?;
            wait_for(&c, &format!("fieldset[id='{id}'] .save.saved")).await?;
            // Stored: a fresh server rendering shows it checked.
            let (_, html) = http_get(&server.addr(), &path)?;
            ensure!(
                html.contains(&format!("value=\"{level}\" checked"))
                    || html.contains(&format!("checked value=\"{level}\""))
                    || html.contains(&format!("name=\"level[{id}]\" value=\"{level}\" checked")),
                "the autosaved level is not in the server's page"
            );
            // Another device saves the same rating (it had read the version now stored).
            let version: i64 = c
                .find(Locator::Css(&format!("input[name='version[{id}]']")))
                .await?
                .prop("value")
                .await?
                .and_then(|v| v.parse().ok())
                .ok_or("no version field")?;
            let status = save_elsewhere(server, &path, &id, "D", version)?;
            ensure!(status == 200, "other device's save answered {status}");
            // This page still holds the old version: its next save is refused.
            c.find(Locator::Css(&format!(
                "input[name='level[{id}]'][value='A']"
            )))
            .await?
            .click()
            .await?;
            let stale = text_of(&c, &format!("fieldset[id='{id}'] [data-testid=stale]")).await?;
            ensure!(stale.contains("D"), "the newer value is not shown: {stale}");
            ensure!(
                stale.contains("A"),
                "the person's own entry is not shown: {stale}"
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn entries_typed_offline_are_sent_when_the_server_returns() -> Result {
    let mut server = Server::start()?;
    let browser = Browser::start(
        "entries_typed_offline_are_sent_when_the_server_returns",
        Js::On,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let server_ref = &mut server;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            open_bandiagara_2024(&c, &url).await?;
            open_entry(&c).await?;
            wait_hydrated(&c).await?;
            let path = {
                let u = c.current_url().await?;
                format!("{}?{}", u.path(), u.query().unwrap_or(""))
            };
            let (id, level) = first_card(&c).await?;
            server_ref.stop();
            c.find(Locator::Css(&format!("input[name='level[{id}]'][value='{level}']"))).await?.click().await?;
            wait_for(&c, &format!("fieldset[id='{id}'] .save.pending")).await?;
            let banner = text_of(&c, "[data-testid=pending]").await?;
            ensure!(banner.starts_with("1 "), "pending banner: {banner}");
            let kept = c.execute("return Object.keys(localStorage).filter(k => k.startsWith('capacity-pending-')).length;", vec![]).await?;
            ensure!(kept == serde_json::json!(1), "nothing kept in local storage: {kept}");

            server_ref.resume()?;
            c.execute("window.dispatchEvent(new Event('online')); return null;", vec![]).await?;
            wait_for(&c, &format!("fieldset[id='{id}'] .save.saved")).await?;
            let left = c.execute("return Object.keys(localStorage).filter(k => k.startsWith('capacity-pending-')).length;", vec![]).await?;
            ensure!(left == serde_json::json!(0), "the queue was not emptied: {left}");
            let (_, html) = http_get(&server_ref.addr(), &path)?;
            ensure!(html.contains(&format!("value=\"{level}\"")), "page lost");
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_assessment_goes_through_entry_consensus_and_lock_without_javascript() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "a_new_assessment_goes_through_entry_consensus_and_lock_without_javascript",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.goto(&format!("{url}/evaluer")).await?;
            let form = wait_for(&c, "[data-testid=new-assessment]").await?;
            c.execute("document.querySelector('select[name=campaign]').value = 'demo'; return null;", vec![])
                .await?;
            // Chromium's date input takes the digits in the locale's order;
            // set the value directly to stay independent of it.
            c.execute("document.querySelector('input[name=date]').value = '2026-11-29'; return null;", vec![])
                .await?;
            form.find(Locator::Css("input[name='rater_name[1]']")).await?.send_keys("Awa Diarra").await?;
            form.find(Locator::Css("input[name='rater_name[2]']")).await?.send_keys("Moussa <b>Keïta</b>").await?;
            c.execute("document.querySelector(\"select[name='rater_role[2]']\").value = 'staff'; return null;", vec![])
                .await?;
            form.find(Locator::Css("[data-testid=create]")).await?.click().await?;
            wait_for(&c, "[data-testid=progress-table]").await?;
            ensure!(c.current_url().await?.path().starts_with("/evaluations/"), "not on the new assessment");
            let raters = text_of(&c, "[data-testid=raters]").await?;
            ensure!(raters.contains("Moussa <b>Keïta</b>"), "rater name not shown as text: {raters}");

            // Both raters rate the first indicator, two levels apart.
            for (rater, level) in [("r1", "A"), ("r2", "C")] {
                c.find(Locator::Css(&format!("[data-testid=enter-{rater}]"))).await?.click().await?;
                wait_for(&c, "[data-testid=entry-form]").await?;
                let (id, _) = first_card(&c).await?;
                c.find(Locator::Css(&format!("input[name='level[{id}]'][value='{level}']"))).await?.click().await?;
                c.find(Locator::Css("[data-testid=save-entry]")).await?.click().await?;
                wait_for(&c, "[data-testid=saved-count]").await?;
                c.back().await?;
                c.back().await?;
                wait_for(&c, "[data-testid=raters]").await?;
            }

            // The consensus step shows the disagreement and records the level.
            c.find(Locator::Css("[data-testid=consensus]")).await?.click().await?;
            wait_for(&c, "[data-testid=consensus-form]").await?;
            let card = c.find(Locator::Css("fieldset.indicator-card")).await?;
            let id = card.attr("id").await?.ok_or("card without id")?;
            ensure!(
                c.find_all(Locator::Css(&format!("fieldset[id='{id}'] [data-testid=disagreement]"))).await?.len() == 1,
                "A and C are two levels apart: a disagreement must be shown"
            );
            let consolidated = text_of(&c, &format!("fieldset[id='{id}'] p.muted strong")).await?;
            ensure!(consolidated == "C", "lower median of A and C is C, got {consolidated}");
            c.execute(&format!("document.querySelector(\"select[name='level[{id}]']\").value = 'B'; return null;"), vec![])
                .await?;
            c.find(Locator::Css(&format!("textarea[name='justification[{id}]']"))).await?.send_keys("Registres vus en séance").await?;
            c.find(Locator::Css("[data-testid=save-consensus]")).await?.click().await?;
            wait_for(&c, "[data-testid=saved-count]").await?;
            let consolidated = text_of(&c, &format!("fieldset[id='{id}'] p.muted strong")).await?;
            ensure!(consolidated == "B", "the recorded consensus must be used, got {consolidated}");

            // Finalising goes through the gate: one indicator of many is
            // answered, so the gate says so and refuses a plain confirmation.
            c.find(Locator::Css(".breadcrumb a")).await?.click().await?;
            c.find(Locator::Css("[data-testid=finalise]")).await?.click().await?;
            wait_for(&c, "[data-testid=finalise-form]").await?;
            let coverage = text_of(&c, "[data-testid=finalise-coverage]").await?;
            ensure!(coverage.contains("1 / "), "one indicator answered: {coverage:?}");
            ensure!(
                !c.find_all(Locator::Css("[data-testid=finalise-incomplete]")).await?.is_empty(),
                "an incomplete round is not said incomplete"
            );
            ensure!(
                !c.find_all(Locator::Css("[data-testid=open-disagreements-none]")).await?.is_empty(),
                "the disagreement has a consensus: none is open"
            );
            c.find(Locator::Css("[data-testid=finalise-confirm]")).await?.click().await?;
            c.find(Locator::Css("[data-testid=finalise-submit]")).await?.click().await?;
            let refused = text_of(&c, "[data-testid=form-error]").await?;
            ensure!(refused.contains("provisoire"), "the refusal does not say what to do: {refused:?}");
            ensure!(c.current_url().await?.path().ends_with("/finaliser"), "a refused finalisation left the gate");
            c.find(Locator::Css("[data-testid=finalise-provisional]")).await?.click().await?;
            c.find(Locator::Css("[data-testid=finalise-reason]")).await?.send_keys("atelier écourté").await?;
            c.find(Locator::Css("[data-testid=finalise-confirm]")).await?.click().await?;
            c.find(Locator::Css("[data-testid=finalise-submit]")).await?.click().await?;
            // The page before the click has the same table: wait for the new one.
            c.wait()
                .at_most(std::time::Duration::from_secs(10))
                .for_element(Locator::XPath("//p[contains(@class,'muted')][contains(., 'finalisée')]"))
                .await
                .map_err(|e| format!("the overview does not say finalised: {e}"))?;
            ensure!(c.find_all(Locator::Css("[data-testid=finalise]")).await?.is_empty(), "still offers to finalise");
            let mark = text_of(&c, "[data-testid=provisional]").await?;
            ensure!(mark.contains("atelier écourté"), "the provisional reason is not shown: {mark:?}");
            c.find(Locator::Css("[data-testid=enter-r1]")).await?.click().await?;
            wait_for(&c, "[data-testid=entry-form]").await?;
            ensure!(c.find_all(Locator::Css("[data-testid=save-entry]")).await?.is_empty(), "a locked assessment offers to save");
            Ok(())
        })
        .await
}
