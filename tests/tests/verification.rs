//! The independent verification end to end, against the real server:
//!
//! - over plain HTTP with JavaScript off (plain form posts answered with
//!   redirects): the facilitator finalises the Bandiagara self-assessment
//!   → the regional planner assigns the demo verifier to Bandiagara in its
//!   campaign → the verifier changes two levels with their reasons (a
//!   change without a reason is refused and sent back with the error),
//!   confirms the rest and completes → the results page shows both
//!   scores, the differences and their reasons, the self-assessment still
//!   there → the verification report and the printable report list each
//!   change → every later level is refused (423) → the audit trail holds
//!   the verification's events;
//! - in Chromium, hydrated: the verifier changes a level on the demo's
//!   assigned assessment (Djenné 2025) and the form saves in place.
//!
//! Who may reach these routes is in `access.rs`.

use capacity_e2e::{
    Browser, Js, Result, Server, assessment_in, ensure, login_browser, send_as, text_of, wait_for,
    wait_hydrated,
};
use fantoccini::Locator;
use serde_json::Value;

/// A server function called as the hydrated page does (JSON answer).
fn call(addr: &str, cookie: &str, endpoint: &str, args: &[(&str, &str)]) -> Result<Value> {
    let response = send_as(addr, Some(cookie), &request(addr, endpoint, args, false))?;
    ensure!(
        response.status == 200,
        "{endpoint}: {} {}",
        response.status,
        response.body
    );
    response.json()
}

/// A plain form post (JavaScript off) or a server-function call.
fn request(addr: &str, endpoint: &str, args: &[(&str, &str)], html: bool) -> Vec<u8> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in args {
        form.append_pair(k, v);
    }
    let body = form.finish();
    let accept = if html {
        "text/html"
    } else {
        "application/json"
    };
    format!(
        "POST /api/{endpoint} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: {accept}\r\nReferer: http://{addr}/evaluations\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Posts a plain form as a browser without JavaScript does; answers the
/// redirect's target.
fn submit(addr: &str, cookie: &str, endpoint: &str, args: &[(&str, &str)]) -> Result<String> {
    let response = send_as(addr, Some(cookie), &request(addr, endpoint, args, true))?;
    ensure!(
        (300..400).contains(&response.status),
        "{endpoint}: expected a redirect, got {} {}",
        response.status,
        response.body.chars().take(300).collect::<String>()
    );
    Ok(response.header("location").unwrap_or_default().to_owned())
}

fn page(addr: &str, cookie: &str, path: &str) -> Result<(u16, String)> {
    let get = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    );
    let response = send_as(addr, Some(cookie), get.as_bytes())?;
    Ok((response.status, response.body))
}

/// The id of the assessment of `commune` in `round`.
fn assessment(addr: &str, admin: &str, commune: &str, round: &str) -> Result<String> {
    assessment_in(&call(addr, admin, "list_results", &[])?, commune, round)
}

/// `(campaign, verifier account id)` of the assignment page row of
/// `commune` whose assessment is `id`, as the planner sees it.
fn assignment_row(addr: &str, planner: &str, id: &str) -> Result<(String, Value)> {
    let first = call(addr, planner, "load_assign_page", &[])?;
    let campaigns: Vec<String> = first["campaigns"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c[0].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for campaign in campaigns {
        let p = call(
            addr,
            planner,
            "load_assign_page",
            &[("campaign", &campaign)],
        )?;
        if let Some(row) = p["rows"].as_array().and_then(|rows| {
            rows.iter()
                .find(|r| r["assessment"].as_i64().map(|n| n.to_string()).as_deref() == Some(id))
        }) {
            return Ok((campaign, row.clone()));
        }
    }
    Err(format!("assessment {id} is in no campaign the planner sees").into())
}

#[test]
fn the_whole_verification_path_works_without_javascript() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let facilitator = server.login("animateur")?;
    let planner = server.login("planificateur")?;
    let verifier = server.login("verificateur")?;
    let id = assessment(&addr, &admin, "Bandiagara", "2024")?;

    // The self-assessment is finalised (provisional: the sample stops
    // halfway), by its facilitator, through the gate's plain form.
    let overview = call(&addr, &facilitator, "load_overview", &[("id", &id)])?;
    let version = overview["header"]["version"].to_string();
    submit(
        &addr,
        &facilitator,
        "finalise_assessment",
        &[
            ("id", &id),
            ("version", &version),
            ("confirm", "1"),
            ("provisional", "1"),
            ("reason", "Séance interrompue, à compléter au prochain tour"),
        ],
    )?;
    let results = call(
        &addr,
        &facilitator,
        "load_results",
        &[("id", &id), ("lang", "fr")],
    )?;
    ensure!(results["header"]["finalised"] == true, "not finalised");
    let self_overall = results["overall"].as_str().unwrap_or_default().to_owned();

    // Before any assignment the verifier may not verify it.
    let (status, _) = page(&addr, &verifier, &format!("/evaluations/{id}/verification"))?;
    ensure!(status == 403, "unassigned verifier got {status}");

    // The regional planner assigns the demo verifier to Bandiagara.
    let (campaign, row) = assignment_row(&addr, &planner, &id)?;
    ensure!(
        row["can_assign"] == true,
        "the planner may not assign: {row}"
    );
    let account = row["candidates"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c[1] == "Vérificateur (démo)"))
        .and_then(|c| c[0].as_i64())
        .ok_or_else(|| format!("the demo verifier is not a candidate: {row}"))?
        .to_string();
    let back = submit(
        &addr,
        &planner,
        "assign_verifier",
        &[
            ("campaign", &campaign),
            ("commune", "ml-mopti-bandiagara"),
            ("account", &account),
        ],
    )?;
    ensure!(
        back.starts_with("/verification?campagne="),
        "went to {back}"
    );
    let (status, html) = page(&addr, &planner, &back)?;
    ensure!(
        status == 200 && html.contains("data-testid=\"assign-ml-mopti-bandiagara\""),
        "assignment page: {status}"
    );

    // The verifier's page: every indicator with its self level and forms.
    let (status, html) = page(&addr, &verifier, &format!("/evaluations/{id}/verification"))?;
    ensure!(status == 200, "verifier page: {status}");
    ensure!(html.contains("data-testid=\"level-form\""), "no level form");
    let vp = call(
        &addr,
        &verifier,
        "load_verify_page",
        &[("id", &id), ("lang", "fr")],
    )?;
    ensure!(
        vp["can_verify"] == true,
        "the assigned verifier may not verify"
    );
    let answered: Vec<(String, String)> = vp["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| {
                    Some((
                        l["id"].as_str()?.to_owned(),
                        l["self_level"].as_str()?.to_owned(),
                    ))
                })
                .filter(|(_, level)| level != "NA" && level != "NI")
                .collect()
        })
        .unwrap_or_default();
    ensure!(answered.len() >= 2, "fewer than two answered indicators");
    let other = |level: &str| if level == "D" { "C" } else { "D" }.to_owned();
    let changes = [
        (
            answered[0].0.clone(),
            other(&answered[0].1),
            "Registre non présenté au vérificateur".to_owned(),
        ),
        (
            answered[1].0.clone(),
            other(&answered[1].1),
            "PV de session non signés".to_owned(),
        ),
    ];

    // A change without its reason is refused and sent back with the error.
    let refused = submit(
        &addr,
        &verifier,
        "set_verified_level",
        &[
            ("id", &id),
            ("indicator", &changes[0].0),
            ("level", &changes[0].1),
            ("reason", "  "),
            ("version", "0"),
        ],
    )?;
    ensure!(refused.contains("erreur="), "refusal went to {refused}");
    for (indicator, level, reason) in &changes {
        let next = submit(
            &addr,
            &verifier,
            "set_verified_level",
            &[
                ("id", &id),
                ("indicator", indicator),
                ("level", level),
                ("reason", reason),
                ("version", "0"),
            ],
        )?;
        ensure!(
            next == format!("/evaluations/{id}/verification#v-{indicator}"),
            "saved level went to {next}"
        );
    }
    // A stale save (version 0 again) is refused with the newer level.
    // The self-assessed level of the first changed indicator, at `version`,
    // as the hydrated page sends it.
    let confirm_first = |version: &str| {
        send_as(
            &addr,
            Some(&verifier),
            &request(
                &addr,
                "set_verified_level",
                &[
                    ("id", &id),
                    ("indicator", &changes[0].0),
                    ("level", &answered[0].1),
                    ("version", version),
                ],
                false,
            ),
        )
    };
    let stale = confirm_first("0")?;
    ensure!(
        stale.status == 409 && stale.body.contains(&changes[0].2),
        "stale save: {} {}",
        stale.status,
        stale.body
    );
    submit(&addr, &verifier, "confirm_remaining_levels", &[("id", &id)])?;
    let vp = call(
        &addr,
        &verifier,
        "load_verify_page",
        &[("id", &id), ("lang", "fr")],
    )?;
    ensure!(
        vp["reviewed"] == vp["to_review"] && vp["changed"] == 2,
        "after confirming the rest: {} reviewed of {}, {} changed",
        vp["reviewed"],
        vp["to_review"],
        vp["changed"]
    );
    let version = vp["version"].to_string();
    let done = submit(
        &addr,
        &verifier,
        "complete_verification",
        &[
            ("id", &id),
            ("version", &version),
            ("comment", "Pièces vues en mairie le 3 décembre"),
        ],
    )?;
    ensure!(
        done == format!("/evaluations/{id}/resultats#verification"),
        "completed, went to {done}"
    );

    // Locked: every later level is refused.
    let locked = confirm_first("1")?;
    ensure!(locked.status == 423, "after completion: {}", locked.status);

    // The results page, as the facilitator: the self-assessment as it
    // was, the verified score beside it, each change with its reason.
    let (status, html) = page(&addr, &facilitator, &format!("/evaluations/{id}/resultats"))?;
    ensure!(status == 200, "results page: {status}");
    ensure!(
        html.contains(&format!("data-testid=\"overall\">{self_overall}<")),
        "the self-assessed overall score is no longer shown"
    );
    ensure!(
        html.contains("data-testid=\"verification\""),
        "no verification section"
    );
    ensure!(
        html.contains("data-testid=\"verification-side-by-side\""),
        "no side-by-side table"
    );
    ensure!(
        html.contains(&format!("data-testid=\"self-overall\">{self_overall}<")),
        "the section's self-assessed score differs from the page's"
    );
    let verified_results = call(
        &addr,
        &facilitator,
        "load_results",
        &[("id", &id), ("lang", "fr")],
    )?;
    let verified_overall = verified_results["verification"]["verified_overall"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ensure!(
        !verified_overall.is_empty() && verified_overall != self_overall,
        "verified overall {verified_overall:?} vs self {self_overall:?}"
    );
    ensure!(
        verified_results["overall"].as_str() == Some(self_overall.as_str()),
        "the self-assessed result changed"
    );
    for (indicator, level, reason) in &changes {
        ensure!(
            html.contains(reason.as_str()),
            "results page lacks {reason}"
        );
        let rows = verified_results["verification"]["differences"]["rows"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        ensure!(
            rows.iter().any(|r| r[0] == indicator.as_str()
                && r[3] == level.as_str()
                && r[4] == reason.as_str()),
            "no difference row for {indicator}: {rows:?}"
        );
    }

    // The verification report and the printable report list each change.
    let (status, report) = page(
        &addr,
        &facilitator,
        &format!("/evaluations/{id}/verification/rapport"),
    )?;
    ensure!(status == 200, "verification report: {status}");
    let (status, printable) = page(&addr, &facilitator, &format!("/evaluations/{id}/rapport"))?;
    ensure!(status == 200, "printable report: {status}");
    for (indicator, _, reason) in &changes {
        for (what, html) in [
            ("verification report", &report),
            ("printable report", &printable),
        ] {
            ensure!(
                html.contains(indicator.as_str()) && html.contains(reason.as_str()),
                "{what} lacks {indicator} / {reason}"
            );
        }
    }
    ensure!(
        report.contains(&format!("data-testid=\"self-overall\">{self_overall}<"))
            && report.contains(&format!(
                "data-testid=\"verified-overall\">{verified_overall}<"
            )),
        "the verification report's scores differ from the page's"
    );
    ensure!(
        printable.contains("id=\"verification\""),
        "no verification section in the printable report"
    );

    // The audit trail holds the verification, level by level.
    let history = call(&addr, &admin, "load_history", &[("id", &id)])?;
    let kinds: Vec<&str> = history["events"]
        .as_array()
        .map(|e| e.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    let count = |k: &str| kinds.iter().filter(|x| **x == k).count();
    ensure!(count("verification.started") == 1, "{kinds:?}");
    ensure!(
        count("verification.level_set") == vp["to_review"].as_u64().unwrap_or(0) as usize,
        "one level_set per reviewed indicator: {kinds:?}"
    );
    ensure!(count("verification.completed") == 1, "{kinds:?}");
    Ok(())
}

#[test]
fn only_the_assigned_verifier_may_verify() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let verifier = server.login("verificateur")?;
    let rater = server.login("evaluateur")?;
    // The demo assigns the verifier to Djenné 2025, not to Djenné 2023.
    let assigned = assessment(&addr, &admin, "Djenné", "2025")?;
    let other = assessment(&addr, &admin, "Djenné", "2023")?;
    let set = |cookie: Option<&str>, id: &str| -> Result<u16> {
        Ok(send_as(
            &addr,
            cookie,
            &request(
                &addr,
                "set_verified_level",
                &[
                    ("id", id),
                    ("indicator", "x"),
                    ("level", "NI"),
                    ("reason", "essai"),
                    ("version", "0"),
                ],
                false,
            ),
        )?
        .status)
    };
    ensure!(set(Some(&verifier), &other)? == 403, "unassigned verifier");
    ensure!(set(Some(&rater), &assigned)? == 403, "rater");
    ensure!(set(Some(&admin), &assigned)? == 403, "administrator");
    ensure!(set(None, &assigned)? == 401, "visitor");
    // The assigned verifier reaches the rubric check (unknown indicator).
    ensure!(set(Some(&verifier), &assigned)? == 404, "assigned verifier");
    let (status, _) = page(
        &addr,
        &verifier,
        &format!("/evaluations/{other}/verification"),
    )?;
    ensure!(status == 403, "unassigned verifier's page: {status}");
    let (status, _) = page(
        &addr,
        &rater,
        &format!("/evaluations/{assigned}/verification"),
    )?;
    ensure!(status == 403, "rater's page: {status}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_verifier_changes_a_level_in_place_when_hydrated() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let id = assessment(&addr, &admin, "Djenné", "2025")?;
    let browser = Browser::start(
        "the_verifier_changes_a_level_in_place_when_hydrated",
        Js::On,
    )
    .await?;
    let url = server.url.clone();
    let password = server.password("verificateur")?;
    browser
        .run(|c| async move {
            login_browser(&c, &url, "verificateur", &password).await?;
            c.goto(&format!("{url}/verification")).await?;
            wait_for(&c, "[data-testid=verify-link]").await?.click().await?;
            wait_for(&c, "[data-testid=level-form]").await?;
            wait_hydrated(&c).await?;
            ensure!(
                c.current_url().await?.path() == format!("/evaluations/{id}/verification"),
                "the verifier's link leads elsewhere"
            );
            c.execute("window.__verifyMarker = 'still here'; return null;", vec![])
                .await?;
            // The first indicator with a self-assessed level of the scale.
            let item = c
                .find(Locator::XPath(
                    "//li[starts-with(@data-testid,'verify-')][.//strong[@data-testid='self-level'][string-length(normalize-space())=1]]",
                ))
                .await?;
            let testid = item.attr("data-testid").await?.ok_or("no testid")?;
            let self_level = text_of(&c, &format!("[data-testid={testid}] [data-testid=self-level]")).await?;
            let other = if self_level.trim() == "D" { "C" } else { "D" };
            let script = format!(
                "const f = document.querySelector('[data-testid={testid}] form'); f.querySelector('select').value = '{other}'; f.querySelector('textarea').value = 'Pièce justificative absente'; return null;"
            );
            c.execute(&script, vec![]).await?;
            c.find(Locator::Css(&format!("[data-testid={testid}] [data-testid=level-submit]")))
                .await?
                .click()
                .await?;
            let reason = text_of(&c, &format!("[data-testid={testid}] [data-testid=verified-reason]")).await?;
            ensure!(reason.contains("Pièce justificative absente"), "reason shown: {reason}");
            let level = text_of(&c, &format!("[data-testid={testid}] [data-testid=verified-level]")).await?;
            ensure!(level.trim() == other, "verified level shown: {level}");
            let changed = text_of(&c, "[data-testid=verify-changed]").await?;
            ensure!(changed.trim() == "1", "changed count: {changed}");
            let marker = c
                .execute("return window.__verifyMarker || null;", vec![])
                .await?;
            ensure!(marker.as_str() == Some("still here"), "the page was reloaded");
            Ok(())
        })
        .await
}

/// The text of the first body cell `data-col="{col}"` after `after` in
/// `html`, tags left out.
fn cell_after(html: &str, after: &str, col: &str) -> Option<String> {
    let rest = &html[html.find(after)?..];
    let rest = &rest[rest.find("<tbody")?..];
    let marker = format!("data-col=\"{col}\"");
    let rest = &rest[rest.find(&marker)?..];
    let rest = &rest[rest.find('>')? + 1..];
    let cell = &rest[..rest.find("</td>")?];
    let mut text = String::new();
    let mut in_tag = false;
    for c in cell.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    Some(text.trim().to_owned())
}

/// Grants and compare read the verified result once the verification is
/// complete, and say so; the self-assessed scores stay one link away, and
/// both scores are listed side by side.
#[test]
fn grants_run_on_verified_scores_by_default() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let planner = server.login("planificateur")?;
    let verifier = server.login("verificateur")?;
    // Djenné's 2025 round is finalised complete, and the demo verifier is
    // assigned to it.
    let id = assessment(&addr, &admin, "Djenné", "2025")?;
    let vp = call(
        &addr,
        &verifier,
        "load_verify_page",
        &[("id", &id), ("lang", "fr")],
    )?;
    ensure!(
        vp["can_verify"] == true,
        "the demo verifier may not verify Djenné: {vp}"
    );
    // An indicator answered above the scale's lowest level, D.
    let indicator = vp["lines"]
        .as_array()
        .and_then(|lines| {
            lines.iter().find_map(|l| {
                let level = l["self_level"].as_str()?;
                (!matches!(level, "NA" | "NI" | "D")).then(|| l["id"].as_str())?
            })
        })
        .ok_or("no answered indicator above the lowest level")?
        .to_owned();
    // That level lowered to D, with its reason; the rest confirmed.
    submit(
        &addr,
        &verifier,
        "set_verified_level",
        &[
            ("id", &id),
            ("indicator", &indicator),
            ("level", "D"),
            ("reason", "Aucune pièce présentée"),
            ("version", "0"),
        ],
    )?;
    submit(&addr, &verifier, "confirm_remaining_levels", &[("id", &id)])?;
    let vp = call(
        &addr,
        &verifier,
        "load_verify_page",
        &[("id", &id), ("lang", "fr")],
    )?;
    let version = vp["version"].to_string();
    submit(
        &addr,
        &verifier,
        "complete_verification",
        &[("id", &id), ("version", &version), ("comment", "")],
    )?;
    let results = call(
        &addr,
        &admin,
        "load_results",
        &[("id", &id), ("lang", "fr")],
    )?;
    let self_overall = results["overall"].as_str().unwrap_or_default().to_owned();
    let verified_overall = results["verification"]["verified_overall"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    ensure!(
        !verified_overall.is_empty() && verified_overall != self_overall,
        "verified {verified_overall:?} vs self {self_overall:?}"
    );

    let grants =
        "/comparer/subventions?campaign=ml-communes-2025&region=Mopti&pool=1000000&threshold=0";
    let (status, html) = page(&addr, &planner, grants)?;
    ensure!(status == 200, "grant page: {status}");
    ensure!(
        html.contains("data-testid=\"verified-used\">1<"),
        "the page does not say it uses one verified result"
    );
    let score =
        cell_after(&html, "id=\"grants-table\"", "score").ok_or("no score in the grant table")?;
    ensure!(
        score == verified_overall,
        "the grant runs on {score}, not the verified {verified_overall}"
    );
    let row = html
        .split("data-testid=\"verified-row\"")
        .nth(1)
        .and_then(|rest| rest.split("</tr>").next())
        .ok_or("no side-by-side row")?;
    ensure!(
        row.contains("Djenné") && row.contains(&self_overall) && row.contains(&verified_overall),
        "self-assessed and verified scores are not side by side: {row}"
    );
    // The self-assessed scores, on request.
    let (status, html) = page(&addr, &planner, &format!("{grants}&scores=self"))?;
    ensure!(
        status == 200,
        "grant page on self-assessed scores: {status}"
    );
    let score =
        cell_after(&html, "id=\"grants-table\"", "score").ok_or("no score in the grant table")?;
    ensure!(
        score == self_overall,
        "self-assessed grant runs on {score}, not {self_overall}"
    );
    Ok(())
}
