//! The app shell in real headless Chromium, with JavaScript off and hydrated.
//!
//! Needs the release build (`./x build`); `./x test` builds it first.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, login_browser, text_of, wait_for, wait_hydrated,
};
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_works_with_javascript_off() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("shell_works_with_javascript_off", Js::Off).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.goto(&url).await?;
            ensure!(
                text_of(&c, "h1").await? == "Bienvenue",
                "home page is not in French by default"
            );
            let lang = c.find(Locator::Css("html")).await?.attr("lang").await?;
            ensure!(
                lang.as_deref() == Some("fr"),
                "html lang is {lang:?}, expected fr"
            );
            let charset = c
                .find(Locator::Css("meta[charset]"))
                .await?
                .attr("charset")
                .await?;
            ensure!(
                charset.as_deref() == Some("utf-8"),
                "meta charset is {charset:?}"
            );

            // Navigation is made of real links: it works without scripts.
            c.find(Locator::Css("[data-testid=nav-compare]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "h1").await?;
            ensure!(
                c.current_url().await?.path() == "/comparer",
                "nav did not reach /comparer"
            );
            ensure!(text_of(&c, "h1").await? == "Comparer", "compare page title");
            let current = c
                .find(Locator::Css("[data-testid=nav-compare]"))
                .await?
                .attr("aria-current")
                .await?;
            ensure!(
                current.as_deref() == Some("page"),
                "active link not marked: {current:?}"
            );

            // The language switch is a link to the server, which sets a cookie.
            c.find(Locator::Css("[data-testid=lang-switch]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "html[lang=en]").await?;
            ensure!(
                c.current_url().await?.path() == "/comparer",
                "language switch lost the page"
            );
            ensure!(
                text_of(&c, "h1").await? == "Compare",
                "page not in English after switch"
            );
            c.goto(&format!("{url}/referentiel")).await?;
            ensure!(
                text_of(&c, "h1").await? == "Rubric",
                "the language choice was not kept"
            );

            // Scripts never ran: no island set the hydration marker.
            let hydrated = c
                .find(Locator::Css("html"))
                .await?
                .attr("data-hydrated")
                .await?;
            ensure!(
                hydrated.is_none(),
                "hydration marker is {hydrated:?} with JS off"
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn islands_hydrate_and_call_the_server() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("islands_hydrate_and_call_the_server", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.goto(&format!("{url}/referentiel")).await?;
            wait_hydrated(&c).await?;
            ensure!(
                text_of(&c, "h1").await? == "Référentiel",
                "rubric page title"
            );
            // A value that a page load would wipe out.
            c.execute("window.__noReload = 'kept'; return null;", vec![])
                .await?;

            // A server-function round trip from an island, no reload.
            let status = text_of(&c, "[data-testid=connection-status]").await?;
            ensure!(
                status.contains("Pas encore vérifiée"),
                "initial status: {status}"
            );
            c.find(Locator::Css("[data-testid=connection-check]"))
                .await?
                .click()
                .await?;
            let status = c
                .wait()
                .for_element(Locator::XPath(
                    "//*[@data-testid='connection-status'][contains(., 'Serveur joignable')]",
                ))
                .await?
                .text()
                .await?;
            ensure!(
                status.contains(env!("CARGO_PKG_VERSION")),
                "status does not give the server version: {status}"
            );
            let kept = c
                .execute("return window.__noReload || null;", vec![])
                .await?;
            ensure!(
                kept == serde_json::json!("kept"),
                "the page was reloaded: {kept}"
            );

            // The language switch keeps the page and the islands come back
            // in the new language, agreeing with the server's rendering.
            c.find(Locator::Css("[data-testid=lang-switch]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "html[lang=en]").await?;
            wait_hydrated(&c).await?;
            ensure!(
                c.current_url().await?.path() == "/referentiel",
                "switch lost the page"
            );
            ensure!(text_of(&c, "h1").await? == "Rubric", "title not in English");
            let cookie = c.execute("return document.cookie;", vec![]).await?;
            ensure!(
                cookie
                    .as_str()
                    .is_some_and(|s| s.contains("capacity_lang=en")),
                "language cookie not written: {cookie}"
            );
            c.find(Locator::Css("[data-testid=connection-check]"))
                .await?
                .click()
                .await?;
            c.wait()
                .for_element(Locator::XPath(
                    "//*[@data-testid='connection-status'][contains(., 'Server reachable')]",
                ))
                .await?;
            Ok(())
        })
        .await
}
