//! The whole path in real Chromium, once without JavaScript and once
//! hydrated: a new assessment → two raters' entries → consensus → results
//! → action plan → finalise → the planners' comparison.
//!
//! Hydrated, the entries autosave and the consensus, plan and finalise
//! forms save in place: a marker set on the page survives, which proves
//! there was no page reload.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, login_browser, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

const MARKER: &str = "window.__pathMarker = 'still here'; return null;";
const READ_MARKER: &str = "return window.__pathMarker || null;";

/// Sets a marker on the page (hydrated runs only).
async fn mark(c: &Client, js: Js) -> Result {
    if js == Js::On {
        c.execute(MARKER, vec![]).await?;
    }
    Ok(())
}

/// Checks the marker survived (hydrated runs only): no full page reload.
async fn still_marked(c: &Client, js: Js, step: &str) -> Result {
    if js == Js::On {
        let v = c.execute(READ_MARKER, vec![]).await?;
        ensure!(
            v.as_str() == Some("still here"),
            "{step}: the page was reloaded"
        );
    }
    Ok(())
}

async fn set_value(c: &Client, css: &str, value: &str) -> Result {
    let script = format!(
        "const e = document.querySelector({}); e.value = {}; return null;",
        serde_json::to_string(css)?,
        serde_json::to_string(value)?
    );
    c.execute(&script, vec![]).await?;
    Ok(())
}

/// Ids of the indicator cards on an entry page.
async fn card_ids(c: &Client) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    for card in c.find_all(Locator::Css("fieldset.indicator-card")).await? {
        if let Some(id) = card.attr("id").await? {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// One rater gives `level` to every indicator of the first competency.
async fn rate_first_competency(
    c: &Client,
    js: Js,
    rater: &str,
    level: &str,
) -> Result<Vec<String>> {
    c.find(Locator::Css(&format!("[data-testid=enter-{rater}]")))
        .await?
        .click()
        .await?;
    wait_for(c, "[data-testid=entry-form]").await?;
    if js == Js::On {
        wait_hydrated(c).await?;
    }
    let ids = card_ids(c).await?;
    ensure!(!ids.is_empty(), "no indicator on the entry page");
    for id in &ids {
        c.find(Locator::Css(&format!(
            "input[name='level[{id}]'][value='{level}']"
        )))
        .await?
        .click()
        .await?;
        if js == Js::On {
            wait_for(c, &format!("fieldset[id='{id}'] .save.saved")).await?;
        }
    }
    if js == Js::Off {
        c.find(Locator::Css("[data-testid=save-entry]"))
            .await?
            .click()
            .await?;
        let notice = text_of(c, "[data-testid=saved-count]").await?;
        ensure!(
            notice.starts_with(&format!("{} ", ids.len())),
            "{rater}: saved notice {notice}, expected {} ratings",
            ids.len()
        );
    }
    Ok(ids)
}

async fn whole_path(name: &str, js: Js) -> Result {
    let server = Server::start()?;
    let browser = Browser::start(name, js).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            // 1. A new assessment of the first commune offered.
            c.goto(&format!("{url}/evaluer")).await?;
            let form = wait_for(&c, "[data-testid=new-assessment]").await?;
            if js == Js::On {
                wait_hydrated(&c).await?;
            }
            let option = form
                .find(Locator::Css("select[name=commune] option"))
                .await?;
            let label = option.text().await?;
            let commune = label
                .split(" (")
                .next()
                .ok_or("commune option without a name")?
                .to_owned();
            let region = label
                .rsplit(", ")
                .next()
                .map(|r| r.trim_end_matches(')').to_owned())
                .ok_or("commune option without a region")?;
            // This year's demonstration campaign is offered first.
            set_value(&c, "select[name=campaign]", "demo").await?;
            set_value(&c, "input[name=date]", "2026-11-29").await?;
            form.find(Locator::Css("input[name='rater_name[1]']"))
                .await?
                .send_keys("Awa Diarra")
                .await?;
            form.find(Locator::Css("input[name='rater_name[2]']"))
                .await?
                .send_keys("Moussa Keïta")
                .await?;
            set_value(&c, "select[name='rater_role[2]']", "staff").await?;
            form.find(Locator::Css("[data-testid=create]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=progress-table]").await?;
            let overview = c.current_url().await?.path().to_owned();
            ensure!(
                overview.starts_with("/evaluations/"),
                "not on the new assessment: {overview}"
            );

            // 2. Two raters, two levels apart on every indicator rated.
            let ids = rate_first_competency(&c, js, "r1", "D").await?;
            c.goto(&format!("{url}{overview}")).await?;
            rate_first_competency(&c, js, "r2", "B").await?;
            c.goto(&format!("{url}{overview}")).await?;
            let progress = text_of(&c, "[data-testid=progress]").await?;
            ensure!(
                progress.contains(&format!("{} / ", ids.len())),
                "overview progress {progress}, expected {} answered",
                ids.len()
            );

            // 3. Consensus on the first indicator.
            c.find(Locator::Css("[data-testid=consensus]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=consensus-form]").await?;
            if js == Js::On {
                wait_hydrated(&c).await?;
            }
            mark(&c, js).await?;
            let first = &ids[0];
            let card = format!("fieldset[id='{first}']");
            ensure!(
                c.find_all(Locator::Css(&format!("{card} [data-testid=disagreement]")))
                    .await?
                    .len()
                    == 1,
                "B and D are two levels apart: a disagreement must show"
            );
            let now = text_of(&c, &format!("{card} p.muted strong")).await?;
            ensure!(now == "D", "lower median of B and D is D, shown {now}");
            set_value(&c, &format!("select[name='level[{first}]']"), "C").await?;
            c.find(Locator::Css(&format!(
                "textarea[name='justification[{first}]']"
            )))
            .await?
            .send_keys("Procès-verbaux vus ensemble")
            .await?;
            c.find(Locator::Css(&format!("textarea[name='comment[{first}]']")))
                .await?
                .send_keys("Registre à compléter avant la session")
                .await?;
            c.find(Locator::Css("[data-testid=save-consensus]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=saved-count]").await?;
            still_marked(&c, js, "consensus").await?;
            let now = text_of(&c, &format!("{card} p.muted strong")).await?;
            ensure!(now == "C", "the agreed level must be used, shown {now}");

            // 4. Results: provisional (one competency rated), explained.
            c.goto(&format!("{url}{overview}")).await?;
            c.find(Locator::Css("[data-testid=to-results]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=score-tree]").await?;
            wait_for(&c, "[data-testid=provisional]").await?;
            let block = c
                .find(Locator::Css(&format!("[data-testid='ind-{first}']")))
                .await?;
            let level = block
                .find(Locator::Css("[data-testid=level]"))
                .await?
                .text()
                .await?;
            ensure!(level == "C", "results show {level} for {first}");
            block
                .find(Locator::Css("details summary"))
                .await?
                .click()
                .await?;
            let why = block
                .find(Locator::Css("[data-testid=why]"))
                .await?
                .text()
                .await?;
            ensure!(
                why.contains("Procès-verbaux vus ensemble"),
                "the why does not give the justification: {why}"
            );
            let details = block.find(Locator::Css("details")).await?.text().await?;
            ensure!(
                details.contains("Registre à compléter avant la session"),
                "the workshop's comment is not in the why: {details}"
            );

            // 5. The action plan from the gaps.
            c.find(Locator::Css("a.button[href$='/plan']"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=plan-totals]").await?;
            let goals = c
                .find_all(Locator::Css("[data-testid^=goal-]"))
                .await?
                .len();
            ensure!(goals > 0, "no goal in the plan of a commune rated D");
            let total = text_of(&c, "[data-testid=total-included-cost]").await?;
            ensure!(
                total.ends_with("FCFA") && total.chars().any(|ch| ch.is_ascii_digit() && ch != '0'),
                "plan total {total}"
            );
            if js == Js::On {
                wait_hydrated(&c).await?;
                mark(&c, js).await?;
                c.find(Locator::Css("[data-testid=save-plan]"))
                    .await?
                    .click()
                    .await?;
                wait_for(&c, "[data-testid=saved-count]").await?;
                still_marked(&c, js, "plan").await?;
            }

            // 6. Finalise through the gate: coverage, then a confirmation.
            c.goto(&format!("{url}{overview}")).await?;
            wait_for(&c, "[data-testid=finalise]").await?;
            c.find(Locator::Css("[data-testid=finalise]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=finalise-form]").await?;
            let coverage = text_of(&c, "[data-testid=finalise-coverage]").await?;
            ensure!(coverage.contains(" / "), "coverage not shown: {coverage:?}");
            wait_for(&c, "[data-testid=finalise-competencies]").await?;
            let incomplete = !c
                .find_all(Locator::Css("[data-testid=finalise-incomplete]"))
                .await?
                .is_empty();
            if js == Js::On {
                wait_hydrated(&c).await?;
            }
            mark(&c, js).await?;
            // Without the confirmation the server refuses and locks nothing.
            c.find(Locator::Css("[data-testid=finalise-submit]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=form-error]").await?;
            ensure!(
                c.current_url().await?.path().ends_with("/finaliser"),
                "a refused finalisation left the gate"
            );
            still_marked(&c, js, "finalise refused").await?;
            if incomplete {
                c.find(Locator::Css("[data-testid=finalise-provisional]"))
                    .await?
                    .click()
                    .await?;
                c.find(Locator::Css("[data-testid=finalise-reason]"))
                    .await?
                    .send_keys("atelier interrompu, à compléter au prochain tour")
                    .await?;
            }
            c.find(Locator::Css("[data-testid=finalise-confirm]"))
                .await?
                .click()
                .await?;
            c.find(Locator::Css("[data-testid=finalise-submit]"))
                .await?
                .click()
                .await?;
            c.wait()
                .at_most(std::time::Duration::from_secs(10))
                .for_element(Locator::XPath(
                    "//p[contains(@class,'muted')][contains(., 'finalisée')]",
                ))
                .await
                .map_err(|e| format!("the overview does not say finalised: {e}"))?;
            ensure!(
                c.find_all(Locator::Css("[data-testid=finalise]"))
                    .await?
                    .is_empty(),
                "still offers to finalise"
            );
            ensure!(
                c.find_all(Locator::Css("[data-testid=provisional]"))
                    .await?
                    .len()
                    == usize::from(incomplete),
                "the provisional mark does not match the gate (incomplete: {incomplete})"
            );

            // 7. Planners compare the region in this year's campaign: it
            // requires a verification, so our finalised round is not ranked
            // yet; it is listed apart with the reason.
            c.goto(&format!("{url}/comparer")).await?;
            wait_for(&c, "[data-testid=compare-filters]").await?;
            set_value(&c, "select[name=region]", &region).await?;
            set_value(&c, "select[name=campaign]", "demo").await?;
            c.find(Locator::Css("[data-testid=compare-submit]"))
                .await?
                .click()
                .await?;
            // The default page has a campaign too: wait for the filtered one.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !c
                .current_url()
                .await?
                .query()
                .is_some_and(|q| q.contains("campaign=demo"))
            {
                ensure!(
                    std::time::Instant::now() < deadline,
                    "the compare form did not navigate"
                );
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let eligible = text_of(&c, "[data-testid=campaign-eligible]").await?;
            ensure!(
                eligible == "0",
                "{eligible} assessments counted, expected none"
            );
            // The list sits in a closed <details>: read its text content.
            let apart = wait_for(&c, "[data-testid=compare-set-apart]")
                .await?
                .prop("textContent")
                .await?
                .unwrap_or_default();
            let reason = if incomplete {
                "provisoire"
            } else {
                "vérification non terminée"
            };
            ensure!(
                apart.contains(&commune) && apart.contains(reason),
                "{commune} is not set apart with the reason {reason:?}: {apart}"
            );
            ensure!(
                c.find_all(Locator::Css("[data-testid=compare-count]"))
                    .await?
                    .is_empty(),
                "something was ranked in {region}"
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_path_without_javascript() -> Result {
    whole_path("the_whole_path_without_javascript", Js::Off).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_path_hydrated() -> Result {
    whole_path("the_whole_path_hydrated", Js::On).await
}
