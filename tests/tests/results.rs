//! The results page in real Chromium: the scores agree with the commune
//! page, every indicator has a "why?" down to the raters and their
//! evidence, charts are there with their titles, and text typed by people
//! is shown as text, never run as HTML. The part of the page kept per
//! revision follows saves and never crosses readers with other rights.

use capacity_e2e::{
    Browser, Js, Result, Server, assessment_in, call_as, ensure, http_get, http_request,
    login_browser, page_as, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

/// From the commune list to a commune's round: returns the overall score
/// the commune page shows for it, then opens its results through the
/// assessment overview.
async fn open_results(c: &Client, url: &str, commune: &str, round: &str) -> Result<String> {
    c.goto(&format!("{url}/communes?q={commune}")).await?;
    c.find(Locator::XPath(&format!(
        "//ul[@data-testid='commune-list']//a[text()='{commune}']"
    )))
    .await?
    .click()
    .await?;
    wait_for(c, "[data-testid=commune-assessments]").await?;
    let row = format!("//table[@data-testid='commune-assessments']//tr[td/a[text()='{round}']]");
    let score_cell = c
        .find(Locator::XPath(&format!("{row}/td[3]")))
        .await?
        .text()
        .await?;
    let score = score_cell
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned();
    c.find(Locator::XPath(&format!("{row}/td/a[text()='{round}']")))
        .await?
        .click()
        .await?;
    wait_for(c, "[data-testid=progress-table]").await?;
    c.find(Locator::Css("[data-testid=to-results]"))
        .await?
        .click()
        .await?;
    wait_for(c, "[data-testid=score-tree]").await?;
    Ok(score)
}

/// Counts elements matching `css`.
async fn count(c: &Client, css: &str) -> Result<usize> {
    Ok(c.find_all(Locator::Css(css)).await?.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_are_explained_down_to_the_raters_without_javascript() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "results_are_explained_down_to_the_raters_without_javascript",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let addr = server.addr();
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let listed = open_results(&c, &url, "San", "2025").await?;
            let overall = text_of(&c, "[data-testid=overall]").await?;
            ensure!(
                !listed.is_empty() && overall == listed,
                "results say {overall}, the commune page said {listed}"
            );

            // One block per indicator of the rubric, each with a "why?".
            let blocks = count(&c, "[data-testid^=ind-]").await?;
            let whys = count(&c, "[data-testid^=ind-] details summary").await?;
            ensure!(blocks > 0 && blocks == whys, "{blocks} indicators, {whys} why");
            let (_, outline) = http_get(&addr, "/referentiel/ml-communes/1.0.0")?;
            let in_rubric = outline.matches("class=\"ind-id\"").count();
            ensure!(
                in_rubric == blocks,
                "the rubric has {in_rubric} indicators, the results show {blocks}"
            );

            // Charts are server-drawn SVG with an accessible title.
            for chart in ["radar", "gap-chart"] {
                let title = c
                    .find(Locator::Css(&format!("[data-testid={chart}] svg title")))
                    .await?
                    .prop("textContent")
                    .await?
                    .unwrap_or_default();
                ensure!(!title.trim().is_empty(), "{chart} has no title");
            }
            // San has an earlier round: progress is drawn.
            wait_for(&c, "[data-testid=progress-chart] svg").await?;

            // The first indicator rated by several people: open its why.
            let block = c
                .find(Locator::XPath(
                    "(//div[starts-with(@data-testid,'ind-')][.//table[@data-testid='ratings']/tbody/tr[2]])[1]",
                ))
                .await?;
            let level = block
                .find(Locator::Css("[data-testid=level]"))
                .await?
                .text()
                .await?;
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
                why.contains(level.trim_end_matches('*')),
                "the why ({why}) does not name the level {level}"
            );
            let ratings = block
                .find_all(Locator::Css("[data-testid=ratings] tbody tr"))
                .await?;
            ensure!(ratings.len() >= 2, "ratings: {}", ratings.len());
            for r in &ratings {
                let cells = r.find_all(Locator::Css("td")).await?;
                ensure!(cells.len() == 5, "a rating row has {} cells", cells.len());
                let name = cells[0].text().await?;
                let mark = cells[2].text().await?;
                ensure!(
                    !name.is_empty() && !mark.is_empty(),
                    "rating without name or level"
                );
            }

            // The printable report opens (same server, plain HTML).
            let report = c
                .find(Locator::Css("a[href$='/rapport']"))
                .await?
                .attr("href")
                .await?
                .ok_or("no report link")?;
            let (status, html) = http_get(&addr, &report)?;
            ensure!(status == 200, "report answered {status}");
            ensure!(html.contains(&overall), "report without the overall score");
            Ok(())
        })
        .await
}

/// Saves one rating's evidence through the server function, as a script
/// would.
fn save_evidence(
    addr: &str,
    assessment: &str,
    rater: &str,
    indicator: &str,
    text: &str,
) -> Result<u16> {
    let enc: String = url_encode(text);
    let body = format!(
        "id={assessment}&rater={rater}&competency=x&level%5B{indicator}%5D=C&evidence%5B{indicator}%5D={enc}&version%5B{indicator}%5D=0"
    );
    let request = format!(
        "POST /api/save_entry HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    Ok(http_request(addr, &request)?.0)
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_evidence_is_shown_as_text_when_hydrated() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("hostile_evidence_is_shown_as_text_when_hydrated", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let addr = server.addr();
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            // Bandiagara 2024 is open: find its id, a rater and an indicator
            // nobody rated yet from its pages.
            open_results(&c, &url, "Bandiagara", "2024").await?;
            let path = c.current_url().await?.path().to_owned();
            let assessment = path.split('/').nth(2).ok_or("no id in path")?.to_owned();
            let (_, overview) = http_get(&addr, &format!("/evaluations/{assessment}"))?;
            let rater = overview
                .split("rater=")
                .nth(1)
                .and_then(|s| s.split('&').next())
                .ok_or("no rater link")?
                .to_owned();
            let unrated = c
                .find(Locator::XPath(
                    "(//div[starts-with(@data-testid,'ind-')][not(.//table[@data-testid='ratings'])])[1]",
                ))
                .await?
                .attr("data-testid")
                .await?
                .ok_or("no unrated indicator")?;
            let indicator = unrated.trim_start_matches("ind-").to_owned();
            let hostile = "<img src=x onerror=\"document.title='pwned'\"><script>document.title='pwned'</script>";
            let status = save_evidence(&addr, &assessment, &rater, &indicator, hostile)?;
            ensure!(status == 200, "save answered {status}");

            c.refresh().await?;
            wait_hydrated(&c).await?;
            let block = c
                .find(Locator::Css(&format!("[data-testid='ind-{indicator}']")))
                .await?;
            block
                .find(Locator::Css("details summary"))
                .await?
                .click()
                .await?;
            let cell = block
                .find(Locator::Css("[data-testid=ratings] tbody tr td:nth-child(4)"))
                .await?;
            let shown = cell.text().await?;
            ensure!(shown == hostile, "evidence shown as {shown:?}");
            let injected = block
                .find_all(Locator::Css("[data-testid=ratings] img, [data-testid=ratings] script"))
                .await?
                .len();
            ensure!(injected == 0, "{injected} elements injected from evidence");
            let title = c.title().await?;
            ensure!(title != "pwned", "script ran");
            Ok(())
        })
        .await
}

/// The body of a results page is rendered once per revision and reader
/// rights and kept: readers with other rights get their own, and a save
/// to the assessment shows on the next request, whatever the address.
#[test]
fn kept_results_follow_the_revision_and_the_readers_rights() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let observer = server.login("observateur")?;
    let call = |endpoint: &str, args: &[(&str, &str)]| call_as(&addr, &admin, endpoint, args);
    let id = assessment_in(&call("list_results", &[])?, "Bandiagara", "2024")?;
    let path = format!("/evaluations/{id}/resultats");
    let history = "data-testid=\"history-";

    // The administrator may read the audit trail; the observer may not.
    let first = page_as(&addr, &admin, &format!("{path}?a=1"))?;
    ensure!(
        first.contains(history),
        "no history link for the administrator"
    );
    let observed = page_as(&addr, &observer, &format!("{path}?o=1"))?;
    ensure!(
        !observed.contains(history),
        "the administrator's kept part was served to the observer"
    );
    ensure!(
        observed.contains("data-testid=\"score-tree\""),
        "no score tree for the observer"
    );
    let again = page_as(&addr, &admin, &format!("{path}?a=2"))?;
    ensure!(
        again.contains(history),
        "the observer's part was served to the administrator"
    );

    // A rating saved: both readers see it on their next request.
    let overview = call("load_overview", &[("id", &id)])?;
    let rater = overview["header"]["raters"][0]["id"]
        .as_str()
        .ok_or("no rater")?
        .to_owned();
    let competency = overview["competencies"][0]["id"]
        .as_str()
        .ok_or("no competency")?
        .to_owned();
    let entry = call(
        "load_entry",
        &[("id", &id), ("rater", &rater), ("competency", &competency)],
    )?;
    let indicator = entry["indicators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|i| i["not_applicable_by_rule"] != true)
        .ok_or("no applicable indicator")?;
    let level = entry["levels"][0]["code"].as_str().ok_or("no level")?;
    let evidence = "Registre vu le 3 décembre, pièce 4711";
    ensure!(
        !first.contains(evidence),
        "the evidence is there before its save"
    );
    call(
        "save_rating",
        &[
            ("id", &id),
            ("indicator", indicator["id"].as_str().unwrap_or_default()),
            ("rater", &rater),
            ("level", level),
            ("evidence", evidence),
            (
                "version",
                &indicator["version"].as_i64().unwrap_or(0).to_string(),
            ),
        ],
    )?;
    for (who, cookie) in [("administrator", &admin), ("observer", &observer)] {
        let page = page_as(&addr, cookie, &format!("{path}?after={who}"))?;
        ensure!(
            page.contains(evidence),
            "the {who} does not see the saved evidence"
        );
    }
    Ok(())
}
