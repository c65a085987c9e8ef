//! Logging in and a rater's own entry in real Chromium, with JavaScript
//! off and hydrated: a visitor asked to log in is brought back to the page
//! they wanted, sees only their own rater's entry link, saves, and logs
//! out; and an administrator creates an account whose one-time link sets
//! its password.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, http_get, login_browser, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

/// The open assessment of Bandiagara (its r1 is linked to `evaluateur`).
fn bandiagara(server: &Server) -> Result<String> {
    let (_, html) = http_get(&server.addr(), "/communes/ml-mopti-bandiagara")?;
    let at = html
        .find("href=\"/evaluations/")
        .ok_or("no assessment link on the commune page")?
        + "href=\"".len();
    let end = html[at..].find('"').ok_or("unclosed link")? + at;
    Ok(html[at..end].to_owned())
}

async fn fill(c: &Client, css: &str, text: &str) -> Result {
    let field = c.find(Locator::Css(css)).await?;
    field.clear().await?;
    field.send_keys(text).await?;
    Ok(())
}

async fn rater_logs_in_and_enters_their_own_ratings(js: Js, name: &str) -> Result {
    let server = Server::start()?;
    let assessment = bandiagara(&server)?;
    let password = server.password("evaluateur")?;
    let url = server.url.clone();
    Browser::start(name, js)
        .await?
        .run(|c| async move {
            // A visitor is asked to log in, with a link back.
            let entry = format!("{url}{assessment}/saisie?rater=r1");
            c.goto(&entry).await?;
            let title = text_of(&c, "[data-testid=error]").await?;
            ensure!(title.contains("Connexion"), "not asked to log in: {title}");
            c.find(Locator::Css("[data-testid=error-login]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=login-form]").await?;
            // A wrong password: refused, the name kept, nothing else said.
            fill(&c, "input[name=name]", "evaluateur").await?;
            fill(&c, "input[name=password]", "not the password").await?;
            c.find(Locator::Css("[data-testid=login-submit]"))
                .await?
                .click()
                .await?;
            let error = text_of(&c, "[data-testid=form-error]").await?;
            ensure!(
                error.contains("Identifiant ou mot de passe incorrect"),
                "wrong password: {error}"
            );
            let kept = c
                .find(Locator::Css("input[name=name]"))
                .await?
                .prop("value")
                .await?;
            ensure!(
                kept.as_deref() == Some("evaluateur"),
                "name not kept: {kept:?}"
            );
            fill(&c, "input[name=password]", &password).await?;
            c.find(Locator::Css("[data-testid=login-submit]"))
                .await?
                .click()
                .await?;
            // Back on the entry page asked for, logged in.
            wait_for(&c, "[data-testid=entry-form]").await?;
            ensure!(
                c.current_url().await?.as_str().ends_with("saisie?rater=r1"),
                "not brought back: {}",
                c.current_url().await?
            );
            let who = text_of(&c, "[data-testid=account-name]").await?;
            ensure!(who.contains("Évaluateur"), "header: {who}");
            // Save one rating.
            let card = c.find(Locator::Css("fieldset.indicator-card")).await?;
            let id = card.attr("id").await?.ok_or("card without id")?;
            if js == Js::On {
                wait_hydrated(&c).await?;
            }
            let current = c
                .execute(
                    &format!("const e = document.querySelector('input[name=\"level[{id}]\"]:checked'); return e ? e.value : null;"),
                    vec![],
                )
                .await?;
            let level = if current.as_str() == Some("B") { "C" } else { "B" };
            c.find(Locator::Css(&format!("input[name='level[{id}]'][value='{level}']")))
                .await?
                .click()
                .await?;
            let now = c
                .execute(
                    &format!("const e = document.querySelector('input[name=\"level[{id}]\"]:checked'); return e ? e.value : null;"),
                    vec![],
                )
                .await?;
            ensure!(now.as_str() == Some(level), "clicked {level}, checked {now:?} (was {current:?})");
            if js == Js::On {
                wait_for(&c, &format!("fieldset[id='{id}'] .save.saved")).await?;
            } else {
                c.find(Locator::Css("[data-testid=save-entry]"))
                    .await?
                    .click()
                    .await?;
                let notice = text_of(&c, "[data-testid=saved-count]").await?;
                ensure!(notice.starts_with("1 "), "saved notice: {notice}");
            }
            // The overview offers only their own rater's entry.
            c.goto(&format!("{url}{assessment}")).await?;
            wait_for(&c, "[data-testid=raters]").await?;
            let links = c.find_all(Locator::Css("[data-testid=raters] a")).await?;
            let mut targets = Vec::new();
            for l in links {
                targets.push(l.attr("data-testid").await?.unwrap_or_default());
            }
            ensure!(targets == ["enter-r1"], "entry links offered: {targets:?}");
            // Another rater's page is refused.
            c.goto(&format!("{url}{assessment}/saisie?rater=r2"))
                .await?;
            let refused = text_of(&c, "[data-testid=error]").await?;
            ensure!(refused.contains("Accès refusé"), "r2's page: {refused}");
            // Log out: back to a visitor.
            c.find(Locator::Css("[data-testid=logout]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=login-link]").await?;
            c.goto(&entry).await?;
            wait_for(&c, "[data-testid=error-login]").await?;
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rater_logs_in_and_enters_their_ratings_without_javascript() -> Result {
    rater_logs_in_and_enters_their_own_ratings(Js::Off, "rater_login_js_off").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rater_logs_in_and_enters_their_ratings_hydrated() -> Result {
    rater_logs_in_and_enters_their_own_ratings(Js::On, "rater_login_hydrated").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invited_person_sets_a_password_and_logs_in() -> Result {
    let server = Server::start()?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    Browser::start("invited_person_sets_a_password", Js::Off)
        .await?
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.goto(&format!("{url}/admin/comptes")).await?;
            wait_for(&c, "[data-testid=new-account-form]").await?;
            fill(
                &c,
                "[data-testid=new-account-form] input[name=name]",
                "awa.traore",
            )
            .await?;
            fill(
                &c,
                "[data-testid=new-account-form] input[name=display_name]",
                "Awa Traoré",
            )
            .await?;
            c.find(Locator::Css(
                "[data-testid=new-account-form] select[name=role] option[value=observer]",
            ))
            .await?
            .click()
            .await?;
            c.find(Locator::Css("[data-testid=create-account]"))
                .await?
                .click()
                .await?;
            let link = text_of(&c, "[data-testid=password-link-path]").await?;
            ensure!(link.starts_with("/mot-de-passe?jeton="), "link: {link}");
            c.find(Locator::Css("[data-testid=logout]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=login-link]").await?;
            // The person opens the link, chooses a password, is logged in.
            c.goto(&format!("{url}{link}")).await?;
            let account = text_of(&c, "[data-testid=password-account]").await?;
            ensure!(account == "awa.traore", "link for {account}");
            fill(&c, "input[name=password]", "une phrase assez longue").await?;
            fill(&c, "input[name=confirm]", "une phrase assez longue").await?;
            c.find(Locator::Css("[data-testid=password-submit]"))
                .await?
                .click()
                .await?;
            let who = text_of(&c, "[data-testid=account-name]").await?;
            ensure!(who == "Awa Traoré", "logged in as {who}");
            // The link works once.
            c.goto(&format!("{url}{link}")).await?;
            wait_for(&c, "[data-testid=password-link-invalid]").await?;
            Ok(())
        })
        .await
}
