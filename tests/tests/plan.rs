//! The action plan page in real headless Chromium with JavaScript off:
//! plain forms posting to the server, then a redirect back.
//!
//! Expected figures are computed from what the page itself shows before a
//! change, never written into the test.

use capacity_e2e::{
    Browser, Js, Result, Server, ensure, http_get, http_request, login_browser, send, text_of,
    wait_for, workspace_root,
};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};

/// The included actions and their cost on the totals sheet of a plan's
/// XLSX (the row `Total (actions retenues)`).
fn xlsx_total(bytes: &[u8]) -> Result<(u64, u64)> {
    use calamine::{Data, Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name)?;
        for row in range.rows() {
            let text = |c: &Data| c.to_string();
            if row.iter().any(|c| text(c) == "Total (actions retenues)") {
                let numbers: Vec<u64> = row
                    .iter()
                    .filter_map(|c| match c {
                        Data::Int(n) => u64::try_from(*n).ok(),
                        Data::Float(f) if f.fract() == 0.0 && *f >= 0.0 => Some(*f as u64),
                        _ => None,
                    })
                    .collect();
                if let [count, cost] = numbers[..] {
                    return Ok((count, cost));
                }
                return Err(format!("total row of the XLSX: {row:?}").into());
            }
        }
    }
    Err("no total row in the XLSX".into())
}

/// The included actions and their cost of an assessment file's plan, as
/// the command line computes them (the core, the reference rubric).
fn file_plan_total(text: &str) -> Result<(u64, u64)> {
    let rubric =
        std::fs::read_to_string(workspace_root().join("assessments/rubrics/ml-communes.toml"))?;
    let rubric = capacity::CompiledRubric::from_toml(&rubric)?;
    let (assessment, resolved) = rubric.resolve_toml(text)?;
    let scored = capacity::score(&rubric, &resolved)?;
    let plan =
        capacity::ActionPlan::new(&rubric, &capacity::CommuneResult::new(&assessment, &scored))?;
    let cost: u64 = plan.totals.included.cost.normalize().to_string().parse()?;
    Ok((u64::from(plan.totals.included.actions), cost))
}

/// The whole francs of an amount as the page writes it (`1 250 000 FCFA`,
/// with narrow no-break spaces): its digits.
fn francs(text: &str) -> Result<u64> {
    ensure!(
        text.trim_end().ends_with("FCFA"),
        "not an amount in FCFA: {text:?}"
    );
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    Ok(digits
        .parse()
        .map_err(|e| format!("no amount in {text:?}: {e}"))?)
}

/// The text of the element matching `css` inside `el`.
async fn inner_text(el: &Element, css: &str) -> Result<String> {
    Ok(el.find(Locator::Css(css)).await?.text().await?)
}

/// The plan's headline figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Totals {
    included: u64,
    included_count: u64,
    dropped: u64,
    dropped_count: u64,
}

async fn totals(c: &Client) -> Result<Totals> {
    let count = |t: String| -> Result<u64> {
        Ok(t.trim()
            .parse()
            .map_err(|e| format!("not a count: {t:?}: {e}"))?)
    };
    Ok(Totals {
        included: francs(&text_of(c, "[data-testid=total-included-cost]").await?)?,
        included_count: count(text_of(c, "[data-testid=total-included-count]").await?)?,
        dropped: francs(&text_of(c, "[data-testid=total-dropped-cost]").await?)?,
        dropped_count: count(text_of(c, "[data-testid=total-dropped-count]").await?)?,
    })
}

/// One action row of the form.
#[derive(Debug, Clone)]
struct Row {
    key: String,
    text: String,
    cost: u64,
}

/// The action rows whose retained cost is above zero, in page order.
async fn costed_rows(c: &Client) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for el in c.find_all(Locator::Css("fieldset.plan-action")).await? {
        let key = el
            .attr("data-testid")
            .await?
            .and_then(|t| t.strip_prefix("action-").map(str::to_owned))
            .ok_or("an action row without its key")?;
        let cost = francs(&inner_text(&el, "[data-testid=retained-cost]").await?)?;
        if cost > 0 {
            rows.push(Row {
                text: inner_text(&el, "[data-testid=action-text]").await?,
                key,
                cost,
            });
        }
    }
    Ok(rows)
}

/// The element of one row.
async fn row(c: &Client, key: &str) -> Result<Element> {
    wait_for(c, &format!("[data-testid=\"action-{key}\"]")).await
}

async fn click(c: &Client, css: &str) -> Result {
    wait_for(c, css).await?.click().await?;
    Ok(())
}

async fn type_cost(c: &Client, key: &str, text: &str) -> Result {
    let input = wait_for(c, &format!("[data-testid=\"cost-{key}\"]")).await?;
    input.clear().await?;
    input.send_keys(text).await?;
    Ok(())
}

/// The assessment id in a plan page's path `/evaluations/{id}/plan`.
async fn plan_id(c: &Client) -> Result<String> {
    let url = c.current_url().await?;
    let path = url.path().to_owned();
    path.strip_prefix("/evaluations/")
        .and_then(|p| p.strip_suffix("/plan"))
        .map(str::to_owned)
        .ok_or_else(|| format!("not a plan page: {path}").into())
}

/// Opens a commune's plan from the `/plan` list, as a person would.
async fn open_plan(c: &Client, url: &str, commune: &str, round: &str) -> Result<String> {
    c.goto(&format!("{url}/plan")).await?;
    ensure!(
        text_of(c, "h1").await? == "Plan d'action",
        "plans list title"
    );
    let link = c
        .find(Locator::XPath(&format!(
            "//table[@data-testid='plan-list']//tr[th/a[normalize-space()='{commune}'] and td[contains(., '{round}') and contains(., 'communes du Mali')]]//a"
        )))
        .await
        .map_err(|e| format!("no plan link for {commune} {round}: {e}"))?;
    link.click().await?;
    let title = text_of(c, "h1").await?;
    ensure!(
        title == format!("Plan d'action — {commune} {round}"),
        "plan page title: {title:?}"
    );
    plan_id(c).await
}

/// Splits a raw HTTP response into lower-cased headers and body.
fn split(response: &str) -> (String, &str) {
    match response.split_once("\r\n\r\n") {
        Some((head, body)) => (head.to_ascii_lowercase(), body),
        None => (response.to_ascii_lowercase(), ""),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_is_adjusted_and_downloaded_without_javascript() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "plan_is_adjusted_and_downloaded_without_javascript",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let addr = server.addr();
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let id = open_plan(&c, &url, "San", "2025").await?;
            let before = totals(&c).await?;
            ensure!(before.included > 0, "San 2025 has gaps, its plan costs something");
            let rows = costed_rows(&c).await?;
            ensure!(rows.len() >= 2, "fewer than two costed actions: {rows:?}");
            let (dropped, changed) = (&rows[0], &rows[1]);
            let new_cost = changed.cost * 2 + 12_345;

            // Drop one action, override the cost of another (typed with
            // spaces, as people write amounts), save.
            click(&c, &format!("[data-testid=\"drop-{}\"]", dropped.key)).await?;
            let typed = new_cost
                .to_string()
                .as_bytes()
                .rchunks(3)
                .rev()
                .map(|g| String::from_utf8_lossy(g).into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            type_cost(&c, &changed.key, &typed).await?;
            click(&c, "[data-testid=save-plan]").await?;
            let saved = text_of(&c, "[data-testid=saved-count]").await?;
            ensure!(saved.starts_with("2 "), "saved notice: {saved:?}");
            ensure!(plan_id(&c).await? == id, "the save did not come back to the plan");

            // The totals change by exactly what was decided.
            let after = totals(&c).await?;
            let expected = before.included - dropped.cost - changed.cost + new_cost;
            ensure!(
                after.included == expected,
                "included total {} ≠ {} − {} − {} + {new_cost} = {expected}",
                after.included,
                before.included,
                dropped.cost,
                changed.cost
            );
            ensure!(
                after.included_count == before.included_count - 1,
                "included actions {} after dropping one of {}",
                after.included_count,
                before.included_count
            );
            ensure!(
                after.dropped == before.dropped + dropped.cost
                    && after.dropped_count == before.dropped_count + 1,
                "dropped total {after:?} vs {before:?} + {}",
                dropped.cost
            );
            let r = row(&c, &changed.key).await?;
            let retained = francs(&inner_text(&r, "[data-testid=retained-cost]").await?)?;
            ensure!(retained == new_cost, "retained cost {retained} ≠ {new_cost}");
            ensure!(
                inner_text(&r, "[data-testid=decision]").await? == "Acceptée",
                "a council cost accepts the action"
            );
            let r = row(&c, &dropped.key).await?;
            ensure!(
                inner_text(&r, "[data-testid=decision]").await? == "Abandonnée",
                "dropped action not marked"
            );

            // CSV with the adjustments, French spreadsheet conventions.
            let (status, response) = http_get(&addr, &format!("/evaluations/{id}/plan.csv"))?;
            ensure!(status == 200, "CSV status {status}");
            let (head, body) = split(&response);
            ensure!(head.contains("content-type: text/csv; charset=utf-8"), "CSV headers: {head}");
            ensure!(
                head.contains("content-disposition: attachment; filename=\"plan-ml-segou-san-2025.csv\""),
                "CSV disposition: {head}"
            );
            ensure!(body.starts_with("\u{FEFF}Priorité;Indicateur;"), "CSV header line: {:?}", &body[..body.len().min(80)]);
            let line_of = |r: &Row| {
                let indicator = format!(";{};", r.key.split('/').next().unwrap_or_default());
                body.lines()
                    .find(|l| l.contains(&indicator) && l.contains(&r.text))
                    .map(str::to_owned)
            };
            let changed_line = line_of(changed).ok_or("changed action not in the CSV")?;
            ensure!(
                changed_line.contains(&format!(";{};{new_cost};", changed.cost))
                    && changed_line.ends_with(";acceptée"),
                "CSV line of the changed action: {changed_line}"
            );
            let dropped_line = line_of(dropped).ok_or("dropped action not in the CSV")?;
            ensure!(dropped_line.ends_with(";abandonnée"), "CSV line of the dropped action: {dropped_line}");
            ensure!(
                body.contains(&format!("Total (actions retenues);{};{expected}", after.included_count)),
                "CSV total differs from the page's"
            );

            // The council adds its own action: it counts in the total, and
            // the plan page, the CSV and the printable report agree on
            // that total to the franc.
            let council_cost: u64 = 75_000;
            c.find(Locator::Css("[data-testid=council-title]")).await?.send_keys("Classer les registres d'état civil").await?;
            c.find(Locator::Css("[data-testid=council-cost]")).await?.send_keys("75 000").await?;
            c.find(Locator::Css("[data-testid=council-responsible]")).await?.send_keys("Awa Traoré").await?;
            click(&c, "[data-testid=council-submit]").await?;
            let listed = text_of(&c, "[data-testid=council-actions]").await?;
            ensure!(listed.contains("Classer les registres") && listed.contains("Awa Traoré"), "council action not listed: {listed}");
            let with_council = totals(&c).await?;
            let expected = expected + council_cost;
            ensure!(
                with_council.included == expected && with_council.included_count == after.included_count + 1,
                "with the council's action: {with_council:?}, expected {expected}"
            );
            ensure!(
                francs(&text_of(&c, "[data-testid=total-council-cost]").await?)? == council_cost,
                "council total"
            );
            let (status, response) = http_get(&addr, &format!("/evaluations/{id}/plan.csv"))?;
            ensure!(status == 200, "CSV status {status}");
            let (_, body) = split(&response);
            ensure!(
                body.contains(&format!("Total (actions retenues);{};{expected}", with_council.included_count)),
                "CSV total differs from the page's {expected}"
            );
            ensure!(
                body.contains(&format!("dont actions du conseil;1;{council_cost}")),
                "CSV council total"
            );
            let (status, response) = http_get(&addr, &format!("/evaluations/{id}/rapport"))?;
            ensure!(status == 200, "report status {status}");
            let (_, report) = split(&response);
            ensure!(
                report.contains(&format!("data-plan-total=\"{expected}\"")),
                "the printable report's total differs from the page's {expected}"
            );
            ensure!(report.contains("Classer les registres"), "the report lacks the council's action");
            let after = with_council;

            // XLSX: a ZIP archive with the spreadsheet type.
            let (status, response) = http_get(&addr, &format!("/evaluations/{id}/plan.xlsx"))?;
            let (head, body) = split(&response);
            ensure!(status == 200, "XLSX status {status}");
            ensure!(
                head.contains("content-type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                "XLSX headers: {head}"
            );
            ensure!(head.contains("filename=\"plan-ml-segou-san-2025.xlsx\""), "XLSX name: {head}");
            ensure!(body.starts_with("PK\u{3}\u{4}"), "XLSX is not a ZIP archive");
            // Read as a spreadsheet program reads it: the same total.
            let xlsx = send(&addr, format!("GET /evaluations/{id}/plan.xlsx HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())?;
            ensure!(
                xlsx_total(&xlsx.bytes)? == (after.included_count, expected),
                "the XLSX total differs from the page's {expected}"
            );

            // The assessment file the council takes to the command line
            // carries the decisions: read by the core as `capacity plan`
            // reads it, its plan has the page's total to the franc.
            let file = send(&addr, format!("GET /evaluations/{id}/evaluation.toml HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())?;
            ensure!(file.status == 200, "assessment file status {}", file.status);
            ensure!(
                file.header("content-disposition")
                    == Some("attachment; filename=\"evaluation-ml-segou-san-2025.toml\""),
                "assessment file name: {}",
                file.head
            );
            ensure!(file.body.contains("[[plan.council_action]]"), "no council action in the file");
            let (count, total) = file_plan_total(&file.body)?;
            ensure!(
                (count, total) == (after.included_count, expected),
                "the file's plan totals {count} actions, {total} FCFA; the page {} and {expected}",
                after.included_count
            );

            // The print view: the same plan, no form.
            click(&c, "[data-testid=print-link]").await?;
            wait_for(&c, "[data-testid=plan-print]").await?;
            ensure!(
                c.find_all(Locator::Css("form.plan-form")).await?.is_empty(),
                "print view still has the form"
            );
            ensure!(totals(&c).await? == after, "print view totals differ");
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_and_invalid_adjustments_are_refused() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("stale_and_invalid_adjustments_are_refused", Js::Off).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let addr = server.addr();
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let id = open_plan(&c, &url, "Bandiagara", "2024").await?;
            let before = totals(&c).await?;
            let rows = costed_rows(&c).await?;
            let target = rows.first().ok_or("no costed action")?.clone();

            // An invalid cost: nothing saved, the field named, the typed
            // text kept.
            type_cost(&c, &target.key, "12,5").await?;
            click(&c, "[data-testid=save-plan]").await?;
            let problems = text_of(&c, "[data-testid=problems]").await?;
            ensure!(problems.contains("Rien n'a été enregistré"), "problems: {problems}");
            let indicator = target.key.split('/').next().unwrap_or_default();
            ensure!(
                problems.contains("Coût de l'action") && problems.contains(indicator) && problems.contains("12,5"),
                "the message does not name the field: {problems}"
            );
            let input = wait_for(&c, &format!("[data-testid=\"cost-{}\"]", target.key)).await?;
            ensure!(input.attr("aria-invalid").await?.as_deref() == Some("true"), "field not flagged");
            ensure!(input.prop("value").await?.as_deref() == Some("12,5"), "typed text lost");
            ensure!(totals(&c).await? == before, "an invalid form changed the plan");

            // Someone else drops the action while this page is open.
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("id", &id)
                .append_pair(&format!("version[{}]", target.key), "0")
                .append_pair(&format!("was_decision[{}]", target.key), "proposed")
                .append_pair(&format!("was_cost[{}]", target.key), "")
                .append_pair(&format!("decision[{}]", target.key), "drop")
                .append_pair(&format!("cost[{}]", target.key), "");
            let body = form.finish();
            let (status, response) = http_request(
                &addr,
                &format!(
                    "POST /api/save_plan HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
            )?;
            ensure!(status == 200, "other save: {status} {response}");
            let (_, json) = split(&response);
            let json: serde_json::Value = serde_json::from_str(json.trim())?;
            ensure!(json["saved"] == 1, "other save not written: {json}");

            // This page still holds version 0: its cost is refused, the
            // newer value shown, nothing overwritten.
            let mine = target.cost + 1_000;
            type_cost(&c, &target.key, &mine.to_string()).await?;
            click(&c, "[data-testid=save-plan]").await?;
            wait_for(&c, "[data-testid=refused]").await?;
            let r = row(&c, &target.key).await?;
            let stored = inner_text(&r, "[data-testid=stored-now]").await?;
            let yours = inner_text(&r, "[data-testid=yours]").await?;
            ensure!(stored.starts_with("Abandonnée"), "stored value shown: {stored}");
            ensure!(yours.starts_with("Acceptée") && francs(&yours)? == mine, "your value shown: {yours}");
            ensure!(
                inner_text(&r, "[data-testid=decision]").await? == "Abandonnée",
                "the other save was overwritten"
            );
            let now = totals(&c).await?;
            ensure!(
                now.included == before.included - target.cost && now.dropped_count == before.dropped_count + 1,
                "totals {now:?} do not reflect the other save only ({before:?}, −{})",
                target.cost
            );

            // Saving again from the refreshed form (newer version) works.
            click(&c, &format!("[data-testid=\"accept-{}\"]", target.key)).await?;
            type_cost(&c, &target.key, &mine.to_string()).await?;
            click(&c, "[data-testid=save-plan]").await?;
            let saved = text_of(&c, "[data-testid=saved-count]").await?;
            ensure!(saved.starts_with("1 "), "saved notice: {saved:?}");
            let r = row(&c, &target.key).await?;
            ensure!(
                francs(&inner_text(&r, "[data-testid=retained-cost]").await?)? == mine,
                "cost not saved after review"
            );
            let after = totals(&c).await?;
            ensure!(
                after.included == before.included - target.cost + mine,
                "totals after review: {after:?}, before {before:?}"
            );
            Ok(())
        })
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_form_works_hydrated() -> Result {
    let server = Server::start()?;
    let browser = Browser::start("plan_form_works_hydrated", Js::On).await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            open_plan(&c, &url, "Djenné", "2025").await?;
            capacity_e2e::wait_hydrated(&c).await?;
            let before = totals(&c).await?;
            let rows = costed_rows(&c).await?;
            let target = rows.first().ok_or("no costed action")?.clone();
            click(&c, &format!("[data-testid=\"drop-{}\"]", target.key)).await?;
            click(&c, "[data-testid=save-plan]").await?;
            let saved = text_of(&c, "[data-testid=saved-count]").await?;
            ensure!(saved.starts_with("1 "), "saved notice: {saved:?}");
            let after = totals(&c).await?;
            ensure!(
                after.included == before.included - target.cost
                    && after.dropped == before.dropped + target.cost,
                "totals after dropping {}: {after:?}, before {before:?}",
                target.cost
            );
            Ok(())
        })
        .await
}

/// Clicks the button `css` inside `el` (a form's, without JavaScript: the
/// browser then loads the answer) and waits until `el` belongs to the
/// page that was left, so what is read next is the new page.
async fn submit_and_wait(el: &Element, css: &str) -> Result {
    el.find(Locator::Css(css)).await?.click().await?;
    for _ in 0..100 {
        if el.attr("class").await.is_err() {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!("the page did not change within 10 s after `{css}`").into())
}

/// The council's own actions with JavaScript off: one is added to the
/// 2023 round, its status changed from the page, edited, then shown with
/// that status beside the next round's gaps; an edit at an old version is
/// refused (409) and the action is deleted from the page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn council_actions_are_followed_edited_and_carried_to_the_next_round() -> Result {
    let server = Server::start()?;
    let browser = Browser::start(
        "council_actions_are_followed_edited_and_carried_to_the_next_round",
        Js::Off,
    )
    .await?;
    let url = server.url.clone();
    let admin_password = server.password("admin")?;
    let addr = server.addr();
    browser
        .run(|c| async move {
            login_browser(&c, &url, "admin", &admin_password).await?;
            let id = open_plan(&c, &url, "Djenné", "2023").await?;
            c.find(Locator::Css("[data-testid=council-title]")).await?.send_keys("Former les agents de l'état civil").await?;
            c.find(Locator::Css("[data-testid=council-cost]")).await?.send_keys("120 000").await?;
            c.find(Locator::Css("[data-testid=council-responsible]")).await?.send_keys("Fatoumata Cissé").await?;
            let add = wait_for(&c, "[data-testid=council-add]").await?;
            submit_and_wait(&add, "[data-testid=council-submit]").await?;
            let listed = text_of(&c, "[data-testid=council-actions]").await?;
            ensure!(listed.contains("Former les agents"), "council action not listed: {listed}");
            let row_el = c
                .find(Locator::XPath("//table[@data-testid='council-actions']//tr[contains(., 'Former les agents')]"))
                .await?;
            let action = row_el
                .attr("data-testid")
                .await?
                .and_then(|t| t.strip_prefix("council-").map(str::to_owned))
                .ok_or("no action id on the row")?;

            // The status, changed from the page's own form.
            let form = wait_for(&c, &format!("[data-testid=\"council-status-{action}\"]")).await?;
            form.find(Locator::Css("select[name=status] option[value=in_progress]")).await?.click().await?;
            submit_and_wait(&form, "button[type=submit]").await?;
            let row_el = wait_for(&c, &format!("[data-testid=\"council-{action}\"]")).await?;
            let selected = row_el
                .find(Locator::Css("select[name=status] option[selected]"))
                .await?
                .attr("value")
                .await?;
            ensure!(selected.as_deref() == Some("in_progress"), "status after the save: {selected:?}");

            // Edited from its folded form: the new cost is what the plan counts.
            let before = francs(&text_of(&c, "[data-testid=total-council-cost]").await?)?;
            ensure!(before == 120_000, "council total before the edit: {before}");
            click(&c, &format!("[data-testid=\"council-edit-{action}\"] summary")).await?;
            let edit = wait_for(&c, &format!("[data-testid=\"council-edit-{action}\"] form")).await?;
            let indicator = edit
                .find(Locator::Css("input[name=indicator]"))
                .await?
                .attr("value")
                .await?
                .ok_or("no indicator in the edit form")?;
            let cost = edit.find(Locator::Css("input[name=cost]")).await?;
            cost.clear().await?;
            cost.send_keys("95000").await?;
            submit_and_wait(&edit, "button[type=submit]").await?;
            let after = francs(&text_of(&c, "[data-testid=total-council-cost]").await?)?;
            ensure!(after == 95_000, "council total after the edit: {after}");
            let row_text = text_of(&c, &format!("[data-testid=\"council-{action}\"]")).await?;
            ensure!(row_text.contains("Fatoumata"), "the edit kept the other fields: {row_text}");

            // An edit naming the version read before: 409, nothing written.
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("id", &id)
                .append_pair("action", &action)
                .append_pair("version", "1")
                .append_pair("indicator", &indicator)
                .append_pair("title", "Autre")
                .append_pair("cost", "1")
                .append_pair("horizon", "short")
                .append_pair("responsible", "X");
            let body = form.finish();
            let (status, _) = http_request(
                &addr,
                &format!(
                    "POST /api/update_council_action HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                ),
            )?;
            ensure!(status == 409, "stale edit answered {status}");

            // The next round of the same commune shows it with its status.
            open_plan(&c, &url, "Djenné", "2025").await?;
            let previous = text_of(&c, "[data-testid=previous-actions]").await?;
            ensure!(
                previous.contains("Former les agents") && previous.contains("en cours") && previous.contains("95"),
                "previous round's actions: {previous}"
            );

            // Deleted from the 2023 plan: gone there and from the next round.
            c.goto(&format!("{url}/evaluations/{id}/plan")).await?;
            click(&c, &format!("[data-testid=\"council-edit-{action}\"] summary")).await?;
            let delete = wait_for(&c, &format!("[data-testid=\"council-edit-{action}\"]")).await?;
            submit_and_wait(&delete, &format!("[data-testid=\"council-delete-{action}\"]")).await?;
            wait_for(&c, "[data-testid=council]").await?;
            ensure!(
                c.find_all(Locator::Css(&format!("[data-testid=\"council-{action}\"]"))).await?.is_empty(),
                "the deleted action is still listed"
            );
            let total = francs(&text_of(&c, "[data-testid=total-council-cost]").await?)?;
            ensure!(total == 0, "council total after the delete: {total}");
            Ok(())
        })
        .await
}
