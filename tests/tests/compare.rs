//! The planners' compare page (`/comparer`) and its downloads, against the
//! real server seeded with the sample assessments.
//!
//! Nothing here is hard-coded from the data: the communes of a region are
//! read from the communes pages, the grant amounts from the page itself.

use std::collections::BTreeSet;

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, http_get, login_browser, text_of, wait_for, wait_hydrated,
};
use fantoccini::{Client, Locator};

fn addr(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

/// Whole francs in a formatted amount such as `1 000 003 FCFA`.
fn francs(text: &str) -> Result<u64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|_| format!("no amount in {text:?}").into())
}

/// The values of attribute `attr` of every element matching `css`.
async fn attrs(c: &Client, css: &str, attr: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for el in c.find_all(Locator::Css(css)).await? {
        if let Some(v) = el.attr(attr).await? {
            out.push(v);
        }
    }
    Ok(out)
}

/// The header block of an HTTP response, lower-cased.
fn head_of(resp: &str) -> String {
    resp.split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn body_of(resp: &str) -> &str {
    resp.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_by_region_heatmap_and_grants_without_javascript() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "compare_by_region_heatmap_and_grants_without_javascript",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.goto(&format!("{url}/comparer")).await?;
            ensure!(text_of(&c, "h1").await? == "Comparer", "compare page title");

            // The heatmap is a table: a caption, a row per commune, a level
            // code in every cell (the colour repeats it), and a legend.
            let caption = text_of(&c, "[data-testid=heatmap] caption").await?;
            ensure!(!caption.trim().is_empty(), "heatmap caption is empty");
            let cells = c
                .find_all(Locator::Css("[data-testid=heatmap] tbody td"))
                .await?;
            ensure!(!cells.is_empty(), "heatmap without cells");
            for cell in cells.iter().take(20) {
                ensure!(
                    !cell.text().await?.trim().is_empty(),
                    "a heatmap cell without its code"
                );
            }
            wait_for(&c, "[data-testid=heatmap-legend]").await?;

            // The ranking states its method next to it.
            let note = text_of(&c, "#ranking-table-note").await?;
            ensure!(
                note.contains("1, 2, 2, 4"),
                "ranking method sentence missing: {note:?}"
            );
            let rubric_title = text_of(&c, "select[name=rubric] option:checked").await?;
            ensure!(!rubric_title.is_empty(), "no rubric selected");

            // Filter by a region with the GET form (no script runs).
            let regions = attrs(&c, "select[name=region] option", "value").await?;
            let region = regions
                .iter()
                .find(|r| r.as_str() == "Tombouctou")
                .or_else(|| regions.iter().find(|r| !r.is_empty()))
                .cloned()
                .ok_or("no region offered")?;
            c.find(Locator::Css("select[name=region]"))
                .await?
                .select_by_value(&region)
                .await?;
            c.find(Locator::Css("[data-testid=compare-submit]"))
                .await?
                .click()
                .await?;
            // The old page also has the list: wait for the new address
            // before reading the page.
            let filtered =
                |u: &url::Url| u.query_pairs().any(|(k, v)| k == "region" && v == region);
            let start = std::time::Instant::now();
            let mut here = c.current_url().await?;
            while !filtered(&here) && start.elapsed() < std::time::Duration::from_secs(10) {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                here = c.current_url().await?;
            }
            ensure!(filtered(&here), "the form did not filter: {here}");
            wait_for(&c, "[data-testid=compare-communes]").await?;
            let shown: BTreeSet<String> =
                attrs(&c, "[data-testid=compare-communes] li", "data-commune")
                    .await?
                    .into_iter()
                    .collect();
            let shown_regions =
                attrs(&c, "[data-testid=compare-communes] li", "data-region").await?;
            ensure!(!shown.is_empty(), "no commune compared in {region}");
            ensure!(
                shown_regions.iter().all(|r| *r == region),
                "communes of other regions shown: {shown_regions:?}"
            );
            let count: usize = text_of(&c, "[data-testid=compare-count]").await?.parse()?;
            ensure!(
                count == shown.len(),
                "count {count} but {} communes listed",
                shown.len()
            );

            // The communes list page of the same region: every commune it
            // lists that has an assessment on the compared rubric must be
            // on the compare page, and only those.
            c.goto(&format!("{url}/communes?region={region}")).await?;
            wait_for(&c, "[data-testid=commune-list]").await?;
            let listed: Vec<String> = attrs(&c, "[data-testid=commune-list] a", "href")
                .await?
                .into_iter()
                .filter_map(|h| h.rsplit('/').next().map(str::to_owned))
                .collect();
            let mut expected = BTreeSet::new();
            for id in &listed {
                c.goto(&format!("{url}/communes/{id}")).await?;
                wait_for(&c, "h1").await?;
                let rubrics: Vec<String> = {
                    let mut v = Vec::new();
                    for cell in c
                        .find_all(Locator::Css(
                            "[data-testid=commune-assessments] tbody td:nth-child(2)",
                        ))
                        .await?
                    {
                        v.push(cell.text().await?);
                    }
                    v
                };
                if rubrics.contains(&rubric_title) {
                    expected.insert(id.clone());
                }
            }
            ensure!(
                shown == expected,
                "compare page shows {shown:?}, communes pages say {expected:?}"
            );

            // A grant simulation over every commune counted in the 2024
            // campaign (the samples' largest): an odd envelope, so that
            // largest remainders are used; the amounts on the page add up
            // to it exactly.
            c.goto(&format!("{url}/comparer?campaign=ml-communes-2024"))
                .await?;
            let pool = c.find(Locator::Css("[data-testid=grant-pool]")).await?;
            pool.clear().await?;
            pool.send_keys("1 000 003").await?;
            let threshold = c
                .find(Locator::Css("[data-testid=grant-threshold]"))
                .await?;
            threshold.clear().await?;
            threshold.send_keys("30").await?;
            c.find(Locator::Css("[data-testid=grant-submit]"))
                .await?
                .click()
                .await?;
            wait_for(&c, "[data-testid=grant-result]").await?;
            let mut sum = 0u64;
            let mut paid = 0usize;
            let cells = c
                .find_all(Locator::Css("#grants-table tbody td[data-col=amount_fcfa]"))
                .await?;
            ensure!(!cells.is_empty(), "no allocation rows");
            for cell in &cells {
                let amount = francs(&cell.text().await?)?;
                sum += amount;
                paid += usize::from(amount > 0);
            }
            ensure!(
                paid >= 2,
                "only {paid} commune(s) paid: choose another threshold"
            );
            ensure!(
                sum == 1_000_003,
                "allocations add up to {sum}, not 1 000 003"
            );
            let total =
                francs(&text_of(&c, "#grants-table tfoot td[data-col=amount_fcfa]").await?)?;
            ensure!(total == 1_000_003, "total row says {total}");
            let distributed = francs(&text_of(&c, "[data-testid=grant-distributed]").await?)?;
            ensure!(distributed == sum, "distributed {distributed} ≠ sum {sum}");
            // Who is excluded, and why, is listed.
            let excluded = c
                .find_all(Locator::Css("[data-testid=grant-excluded] li"))
                .await?;
            ensure!(
                excluded.len() + paid == cells.len(),
                "{} excluded + {paid} paid ≠ {} communes",
                excluded.len(),
                cells.len()
            );
            let why = excluded
                .first()
                .ok_or("no exclusion listed")?
                .text()
                .await?;
            ensure!(why.contains(':'), "exclusion without a reason: {why:?}");
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_downloads_and_escaping() -> Result {
    let server = Server::start()?;
    let a = addr(&server);

    let (status, resp) = http_get(&a, "/comparer/export.csv?region=Mopti")?;
    let head = head_of(&resp);
    ensure!(status == 200, "csv status {status}");
    ensure!(
        head.contains("content-type: text/csv; charset=utf-8"),
        "csv type: {head}"
    );
    ensure!(
        head.contains(
            "content-disposition: attachment; filename=\"comparaison-ml-communes-mopti.csv\""
        ),
        "csv disposition: {head}"
    );
    let body = body_of(&resp);
    // The page's ranking and its method are in the file, for Mopti only.
    ensure!(
        body.contains("Classement selon"),
        "ranking method not exported"
    );
    ensure!(body.contains("Mopti"), "no Mopti row");
    ensure!(!body.contains("Tombouctou;"), "another region exported");

    let (status, resp) = http_get(&a, "/comparer/export.xlsx")?;
    let head = head_of(&resp);
    ensure!(status == 200, "xlsx status {status}");
    ensure!(
        head.contains(
            "content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        "xlsx type: {head}"
    );
    ensure!(head.contains(".xlsx\""), "xlsx file name: {head}");
    ensure!(body_of(&resp).starts_with("PK"), "xlsx is not a zip file");

    // The grant simulation file: same figures as the page, in whole francs.
    let (status, resp) = http_get(
        &a,
        "/comparer/subventions.csv?pool=1%20000%20003&threshold=30",
    )?;
    let head = head_of(&resp);
    ensure!(status == 200, "grants status {status}");
    ensure!(
        head.contains("content-type: text/csv; charset=utf-8"),
        "grants type: {head}"
    );
    ensure!(head.contains("subventions"), "grants file name: {head}");
    let sum: u64 = body_of(&resp)
        .lines()
        .skip(1)
        .filter_map(|l| l.rsplit(';').next())
        .filter_map(|v| v.trim().parse::<u64>().ok())
        .sum();
    ensure!(sum == 1_000_003, "grant CSV amounts add up to {sum}");
    let (status, _) = http_get(&a, "/comparer/subventions.csv?pool=abc")?;
    ensure!(status == 400, "a bad envelope gives {status}");
    let (status, _) = http_get(&a, "/comparer/export.csv?region=Nowhere")?;
    ensure!(status == 404, "an empty selection gives {status}");

    // Hostile text in the query string is shown as text, never as markup.
    let (status, resp) = http_get(
        &a,
        "/comparer?region=%3Cscript%3Ealert(1)%3C%2Fscript%3E&cercle=%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E",
    )?;
    ensure!(status == 200, "hostile filter status {status}");
    let body = body_of(&resp);
    ensure!(
        body.contains("data-testid=\"compare-empty\""),
        "no empty-selection message"
    );
    ensure!(
        !body.contains("<script>alert(1)") && !body.contains("<img src=x"),
        "hostile filter rendered as markup"
    );
    ensure!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "hostile filter not echoed escaped"
    );
    let (status, resp) = http_get(
        &a,
        "/comparer/subventions?pool=%3Cimg%20src%3Dx%20onerror%3Dalert(3)%3E&threshold=%3Cb%3E",
    )?;
    ensure!(status == 200, "hostile grant status {status}");
    let body = body_of(&resp);
    ensure!(
        body.contains("data-testid=\"grant-error\""),
        "no grant input error shown"
    );
    ensure!(
        !body.contains("<img src=x onerror=alert(3)>") && !body.contains("<b>"),
        "hostile grant input rendered as markup"
    );
    ensure!(
        body.contains("&lt;img src=x onerror=alert(3)&gt;"),
        "hostile grant input not echoed escaped"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compare_fits_a_phone_when_hydrated() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("compare_fits_a_phone_when_hydrated", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.set_window_size(360, 800).await?;
            c.goto(&format!("{url}/comparer?region=Mopti")).await?;
            wait_hydrated(&c).await?;
            wait_for(&c, "[data-testid=heatmap] tbody td").await?;
            // Cercles offered are those of the region chosen.
            let cercles = attrs(&c, "select[name=cercle] option", "value").await?;
            let shown = attrs(&c, "[data-testid=compare-communes] li", "data-region").await?;
            ensure!(
                shown.iter().all(|r| r == "Mopti"),
                "other regions: {shown:?}"
            );
            ensure!(cercles.len() > 1, "no cercle offered for Mopti");
            // Wide tables and charts scroll inside their own container: the
            // page itself does not scroll sideways.
            let widths = c
                .execute(
                    "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
                    vec![],
                )
                .await?;
            let w: Vec<u64> = serde_json::from_value(widths)?;
            ensure!(
                w.len() == 2 && w[0] <= w[1],
                "the page scrolls sideways at 360 px: {w:?}"
            );
            Ok(())
        })
        .await
}

/// The rectangles (left, right) of the first element matching each
/// selector, and the window's inner width.
async fn spans(c: &Client, selectors: &[&str]) -> Result<(Vec<(f64, f64)>, f64)> {
    let script = "const out = []; for (const s of arguments[0]) { const e = document.querySelector(s); \
         if (!e) { out.push(null); continue; } const r = e.getBoundingClientRect(); out.push([r.left, r.right]); } \
         return [out, window.innerWidth];";
    let v = c
        .execute(script, vec![serde_json::json!(selectors)])
        .await?;
    let (rects, width): (Vec<Option<(f64, f64)>>, f64) = serde_json::from_value(v)?;
    let rects = rects
        .into_iter()
        .zip(selectors)
        .map(|(r, s)| r.ok_or_else(|| format!("no element `{s}`")))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    Ok((rects, width))
}

/// Whether the document scrolls sideways.
async fn scrolls_sideways(c: &Client) -> Result<bool> {
    let w = c
        .execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            vec![],
        )
        .await?;
    let w: Vec<u64> = serde_json::from_value(w)?;
    Ok(w.len() != 2 || w[0] > w[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grant_and_ranking_key_columns_stay_in_sight_at_360_and_1280_px() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "grant_and_ranking_key_columns_stay_in_sight_at_360_and_1280_px",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            for width in [360u32, 1280] {
                c.set_window_size(width, 900).await?;
                c.goto(&format!(
                    "{url}/comparer/subventions?pool=1000003&threshold=30"
                ))
                .await?;
                wait_for(&c, "#grants-table").await?;
                // The commune (the row's header) and its amount are both
                // on screen without scrolling the table.
                let (rects, inner) = spans(
                    &c,
                    &[
                        "#grants-table tbody th[scope=row]",
                        "#grants-table tbody td[data-col=amount_fcfa]",
                    ],
                )
                .await?;
                for (l, r) in &rects {
                    ensure!(
                        *l >= 0.0 && *r <= inner + 0.5,
                        "at {width} px a key column of the grant table is off-screen: {rects:?} in {inner}"
                    );
                }
                ensure!(
                    !scrolls_sideways(&c).await?,
                    "the grant page scrolls sideways at {width} px"
                );

                c.goto(&format!("{url}/comparer")).await?;
                wait_for(&c, "#ranking-table").await?;
                let (rects, inner) = spans(
                    &c,
                    &[
                        "#ranking-table tbody th[scope=row]",
                        "#ranking-table tbody td[data-col=commune]",
                        "#ranking-table tbody td[data-col=score]",
                    ],
                )
                .await?;
                for (l, r) in &rects {
                    ensure!(
                        *l >= 0.0 && *r <= inner + 0.5,
                        "at {width} px a key column of the ranking is off-screen: {rects:?} in {inner}"
                    );
                }
                ensure!(
                    !scrolls_sideways(&c).await?,
                    "the compare page scrolls sideways at {width} px"
                );
                // Heatmap text stays readable on a phone (it scrolls, the
                // commune's name stays in sight).
                let size = c
                    .execute(
                        "return parseFloat(getComputedStyle(document.querySelector('[data-testid=heatmap] tbody td')).fontSize);",
                        vec![],
                    )
                    .await?;
                let size: f64 = serde_json::from_value(size)?;
                ensure!(size >= 11.0, "heatmap text is {size} px at {width} px");
            }
            Ok(())
        })
        .await
}

/// The text of every cell of column `col` on the page shown.
async fn column(c: &Client, table: &str, col: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for el in c
        .find_all(Locator::Css(&format!("#{table} tbody [data-col={col}]")))
        .await?
    {
        out.push(el.text().await?);
    }
    Ok(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_tables_page_and_sort_with_links_without_javascript() -> Result {
    // 40 synthetic communes: more than a page of the ranking.
    let server = Server::start_with(&["--synthetic", "40"])?;
    let browser = Browser::start(
        "long_tables_page_and_sort_with_links_without_javascript",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            c.goto(&format!("{url}/comparer")).await?;
            let pages = text_of(&c, "[data-testid=ranking-table-pages] p").await?;
            ensure!(
                pages.contains("1") && pages.contains("2"),
                "pager says {pages:?}"
            );
            let first_page = column(&c, "ranking-table", "commune").await?;
            ensure!(
                first_page.len() == 25,
                "{} rows on the first page",
                first_page.len()
            );
            // Next page: a plain link, the filters and the table kept.
            c.find(Locator::Css(
                "[data-testid=ranking-table-pages] [data-testid=page-next]",
            ))
            .await?
            .click()
            .await?;
            let start = std::time::Instant::now();
            while !c.current_url().await?.as_str().contains("rank_page=2")
                && start.elapsed() < std::time::Duration::from_secs(10)
            {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            let here = c.current_url().await?;
            ensure!(
                here.as_str().contains("rank_page=2"),
                "not on page 2: {here}"
            );
            ensure!(
                here.fragment() == Some("ranking-table"),
                "not back at the table: {here}"
            );
            let pages = text_of(&c, "[data-testid=ranking-table-pages] p").await?;
            ensure!(
                pages.starts_with("Page 2"),
                "pager on page 2 says {pages:?}"
            );
            // Ranks go on from page 1 (ties may straddle the cut).
            let rank = |t: &String| t.trim_end_matches('=').trim().parse::<u32>().ok();
            let second_page: Vec<u32> = column(&c, "ranking-table", "rank")
                .await?
                .iter()
                .filter_map(rank)
                .collect();
            ensure!(!second_page.is_empty(), "page 2 is empty");
            ensure!(
                second_page.iter().all(|r| *r >= 25),
                "page 2 shows ranks {second_page:?}"
            );

            // Sort by score, largest first: click the header twice.
            for _ in 0..2 {
                c.find(Locator::Css("#ranking-table th[data-col=score] a"))
                    .await?
                    .click()
                    .await?;
                tokio::time::sleep(std::time::Duration::from_millis(300)).await;
                wait_for(&c, "#ranking-table th[data-col=score][aria-sort]").await?;
            }
            let sort = wait_for(&c, "#ranking-table th[data-col=score]")
                .await?
                .attr("aria-sort")
                .await?;
            ensure!(sort.as_deref() == Some("descending"), "aria-sort {sort:?}");
            let here = c.current_url().await?;
            ensure!(
                here.as_str().contains("rank_sort=score")
                    && here.as_str().contains("rank_dir=desc"),
                "sort not in the address: {here}"
            );
            ensure!(
                !here.as_str().contains("rank_page=2"),
                "sorting keeps page 2: {here}"
            );
            let scores: Vec<f64> = column(&c, "ranking-table", "score")
                .await?
                .iter()
                .filter_map(|s| s.replace(',', ".").trim().parse().ok())
                .collect();
            ensure!(scores.len() > 1, "no scores read");
            ensure!(
                scores.windows(2).all(|w| w[0] >= w[1]),
                "scores not descending: {scores:?}"
            );
            // Back to the table's own order (the rank).
            c.find(Locator::Css(
                "[data-testid=ranking-table-pages] [data-testid=sort-reset]",
            ))
            .await?
            .click()
            .await?;
            wait_for(&c, "#ranking-table th[data-col=score]:not([aria-sort])").await?;
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_national_compare_page_stays_under_300_kb() -> Result {
    let server = Server::start_with(&["--synthetic", "703"])?;
    let a = addr(&server);
    for path in [
        "/comparer",
        "/comparer/subventions?pool=100000000&threshold=40",
    ] {
        let (status, resp) = http_get(&a, path)?;
        ensure!(status == 200, "{path}: status {status}");
        let body = body_of(&resp);
        ensure!(
            body.len() <= 300_000,
            "{path} is {} bytes of HTML for 703 communes",
            body.len()
        );
        // The latest campaign holds the 703 synthetic communes (and the
        // samples' of that round): each counted or set apart with its
        // reason.
        let number = |testid: &str| -> Result<usize> {
            body.split(&format!("data-testid=\"{testid}\">"))
                .nth(1)
                .and_then(|rest| rest.split('<').next())
                .and_then(|n| n.trim().parse().ok())
                .ok_or_else(|| format!("{path} does not say {testid}").into())
        };
        let (counted, apart) = (number("campaign-eligible")?, number("set-apart-count")?);
        ensure!(
            counted + apart >= 703 && counted > 0,
            "{path}: {counted} counted and {apart} set apart"
        );
    }
    Ok(())
}
