//! Campaigns in real Chromium, without JavaScript and hydrated: a regional
//! planner declares a campaign over one cercle of their region (the form
//! offers only communes of their scope), sees it listed with its scope,
//! and the commune's facilitator starts an assessment in it — a date
//! outside the window is refused beside the date field, a date inside is
//! accepted and the assessment carries the campaign's label.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, login_browser, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

async fn set_value(c: &Client, css: &str, value: &str) -> Result {
    let script = format!(
        "const e = document.querySelector({}); e.value = {}; return null;",
        serde_json::to_string(css)?,
        serde_json::to_string(value)?
    );
    c.execute(&script, vec![]).await?;
    Ok(())
}

async fn click(c: &Client, css: &str) -> Result {
    c.find(Locator::Css(css)).await?.click().await?;
    Ok(())
}

/// Waits until the address path is `path`.
async fn wait_path(c: &Client, path: &str) -> Result {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while c.current_url().await?.path() != path {
        ensure!(
            std::time::Instant::now() < deadline,
            "did not reach {path}: at {}",
            c.current_url().await?
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Ok(())
}

async fn declare_and_use(name: &str, js: Js) -> Result {
    let server = Server::start()?;
    let browser = Browser::start(name, js).await?;
    let url = server.url.clone();
    let planner = server.password("planificateur")?;
    let facilitator = server.password("animateur")?;
    let id = format!("bandiagara-{}", if js == Js::On { "js" } else { "plain" });
    browser
        .run(|c| async move {
            // 1. The regional planner declares a campaign over the cercle.
            login_browser(&c, &url, "planificateur", &planner).await?;
            c.goto(&format!("{url}/campagnes")).await?;
            let form = wait_for(&c, "[data-testid=declare-campaign]").await?;
            if js == Js::On {
                wait_hydrated(&c).await?;
            }
            // Only the planner's region is offered.
            let regions = form
                .find_all(Locator::Css("input[name^='scope[region:']"))
                .await?;
            ensure!(regions.len() == 1, "{} regions offered to a regional planner", regions.len());
            ensure!(
                form.find_all(Locator::Css("input[name='scope[commune:ml-gao-gao]']"))
                    .await?
                    .is_empty(),
                "a commune of another region is offered"
            );
            form.find(Locator::Css("input[name=id]")).await?.send_keys(&id).await?;
            form.find(Locator::Css("input[name=label]")).await?.send_keys("2026 Bandiagara").await?;
            set_value(&c, "[data-testid=declare-campaign] input[name=starts]", "2026-01-01").await?;
            set_value(&c, "[data-testid=declare-campaign] input[name=ends]", "2026-06-30").await?;
            c.execute(
                "document.querySelectorAll('[data-testid=declare-campaign] details').forEach(d => d.open = true); return null;",
                vec![],
            )
            .await?;
            click(&c, "[data-testid=declare-campaign] input[name='scope[cercle:Bandiagara]']").await?;
            click(&c, "[data-testid=declare-campaign] [data-testid=campaign-verification-field]").await?;
            click(&c, "[data-testid=declare-submit]").await?;
            wait_path(&c, &format!("/campagnes/{id}")).await?;
            let facts = text_of(&c, "[data-testid=campaign-facts]").await?;
            ensure!(
                facts.contains("2026-01-01") && facts.contains("2026-06-30") && facts.contains("Vérification"),
                "the campaign's facts: {facts:?}"
            );
            // The cercle's commune and the cercle's own council (assessed
            // with the redeployment checklist), nothing else.
            let rows = c.find_all(Locator::Css("[data-testid=campaign-commune]")).await?;
            ensure!(rows.len() == 2, "{} entities in the cercle's campaign", rows.len());
            for row in rows {
                let standing = row.text().await?;
                ensure!(
                    standing.contains("Bandiagara") && standing.contains("pas commencée"),
                    "{standing:?}"
                );
            }
            c.goto(&format!("{url}/campagnes")).await?;
            let list = text_of(&c, "[data-testid=campaigns]").await?;
            ensure!(list.contains("2026 Bandiagara"), "the campaign is listed: {list:?}");

            // 2. The facilitator starts an assessment in it.
            c.delete_all_cookies().await?;
            login_browser(&c, &url, "animateur", &facilitator).await?;
            c.goto(&format!("{url}/evaluer")).await?;
            wait_for(&c, "[data-testid=new-assessment]").await?;
            if js == Js::On {
                wait_hydrated(&c).await?;
            }
            set_value(&c, "select[name=campaign]", &id).await?;
            set_value(&c, "input[name=date]", "2026-07-15").await?;
            c.find(Locator::Css("input[name='rater_name[1]']")).await?.send_keys("Awa Guindo").await?;
            click(&c, "[data-testid=create]").await?;
            wait_for(&c, "[data-testid=field-error][data-field='date']").await?;
            let problem = text_of(&c, "[data-testid=field-error][data-field='date']").await?;
            ensure!(
                problem.contains("fenêtre") && problem.contains("2026-06-30"),
                "the date outside the window is said beside the field: {problem:?}"
            );
            let kept = c
                .find(Locator::Css("select[name=campaign]"))
                .await?
                .prop("value")
                .await?
                .unwrap_or_default();
            ensure!(kept == id, "the campaign chosen is kept: {kept:?}");
            set_value(&c, "input[name=date]", "2026-03-10").await?;
            click(&c, "[data-testid=create]").await?;
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            loop {
                let path = c.current_url().await?.path().to_owned();
                if path.starts_with("/evaluations/") {
                    break;
                }
                ensure!(std::time::Instant::now() < deadline, "no assessment page: at {path}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let title = text_of(&c, "h1").await?;
            ensure!(title.contains("2026 Bandiagara"), "the round is the campaign's label: {title:?}");
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planner_declares_a_campaign_and_a_facilitator_uses_it_without_javascript() -> Result {
    declare_and_use("campaign_declared_js_off", Js::Off).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_planner_declares_a_campaign_and_a_facilitator_uses_it_hydrated() -> Result {
    declare_and_use("campaign_declared_hydrated", Js::On).await
}
