//! Forms that refuse what was typed keep it and say why beside each field,
//! in the page's language, with JavaScript off (plain form post, sent back
//! to the form) and hydrated (the in-place forms island swaps in the same
//! answer): the new-assessment form with no rater, a date that does not
//! exist and a date after today.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, login_browser, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

/// Fills the new-assessment form with a campaign, a date and no rater, and
/// sends it.
async fn send_without_raters(c: &Client, url: &str, date: &str, hydrated: bool) -> Result {
    c.goto(&format!("{url}/evaluer")).await?;
    if hydrated {
        wait_hydrated(c).await?;
    }
    wait_for(c, "[data-testid=new-assessment]").await?;
    // Another campaign than the first offered, to see it kept.
    c.execute(
        "document.querySelector('select[name=campaign]').value = 'ml-communes-2025'; return null;",
        vec![],
    )
    .await?;
    // The date is set directly: typing into a date input depends on the
    // browser's locale. It is made a text input first, as on the phones
    // whose browsers have no date picker, so that an impossible date can be
    // sent at all.
    c.execute(
        "const d = document.querySelector('input[name=date]'); d.type = 'text'; d.value = arguments[0];",
        vec![serde_json::json!(date)],
    )
    .await?;
    c.find(Locator::Css("[data-testid=create]"))
        .await?
        .click()
        .await?;
    Ok(())
}

async fn field_error(c: &Client, field: &str) -> Result<String> {
    let css = format!("[data-testid=field-error][data-field='{field}']");
    wait_for(c, &css).await?;
    text_of(c, &css).await
}

async fn check_refused_and_kept(c: &Client) -> Result {
    let raters = field_error(c, "raters").await?;
    ensure!(
        raters.contains("évaluateur") || raters.contains("remplir"),
        "the raters' problem is said in French: {raters:?}"
    );
    let campaign = c
        .find(Locator::Css("select[name=campaign]"))
        .await?
        .prop("value")
        .await?
        .unwrap_or_default();
    ensure!(
        campaign == "ml-communes-2025",
        "the campaign chosen is kept: {campaign:?}"
    );
    let banner = text_of(c, "[data-testid=form-error]").await?;
    ensure!(
        banner.contains("pas été enregistré"),
        "a banner says nothing was saved: {banner:?}"
    );
    let url = c.current_url().await?;
    ensure!(
        !url.as_str().contains("__err"),
        "no error encoded in the address: {url}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_assessment_errors_beside_fields_without_javascript() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("new_assessment_errors_js_off", Js::Off).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            send_without_raters(&c, &url, "2031-02-30", false).await?;
            check_refused_and_kept(&c).await?;
            let date = field_error(&c, "date").await?;
            ensure!(
                date.contains("Date invalide"),
                "an impossible date is refused: {date:?}"
            );
            send_without_raters(&c, &url, "2031-01-15", false).await?;
            let date = field_error(&c, "date").await?;
            ensure!(
                date.contains("postérieure"),
                "a date after today is refused: {date:?}"
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_assessment_errors_beside_fields_hydrated() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("new_assessment_errors_hydrated", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            send_without_raters(&c, &url, "2024-05-10", true).await?;
            check_refused_and_kept(&c).await?;
            Ok(())
        })
        .await
}

/// An unknown page answers 404 and says, in the page's language, what to
/// do; the server's own words follow as the detail.
#[test]
fn an_unknown_assessment_is_404_and_says_what_to_do_in_french_and_english() -> Result {
    let server = Server::start()?;
    let (status, page) = capacity_e2e::http_get(&server.addr(), "/evaluations/999999")?;
    ensure!(status == 404, "unknown assessment: status {status}");
    ensure!(
        page.contains("n'existe pas") || page.contains("n&#x27;existe pas"),
        "the French hint is on the page"
    );
    let (status, page) = capacity_e2e::http_request(
        &server.addr(),
        &format!(
            "GET /evaluations/999999 HTTP/1.1\r\nHost: {}\r\nAccept-Language: en\r\nConnection: close\r\n\r\n",
            server.addr()
        ),
    )?;
    ensure!(
        status == 404,
        "unknown assessment in English: status {status}"
    );
    ensure!(
        page.contains("does not exist"),
        "the English hint is on the page"
    );
    Ok(())
}
