//! Who may do what, over plain HTTP against the real server: a role ×
//! route matrix (every kind of page, server function and download, for a
//! visitor and each demo role), cross-site posts refused for every
//! state-changing endpoint, the session id renewed at login, the login rate
//! limit, and security headers.
//!
//! The demo accounts (see `service::accounts::create_demo_accounts`):
//! `admin` (national administrator), `planificateur` (planner, region
//! Mopti), `cercle` (planner, cercle Bandiagara), `animateur` (facilitator,
//! commune Bandiagara), `evaluateur` (rater, commune Bandiagara, linked to
//! rater r1 of its open assessment), `verificateur` (verifier, region
//! Mopti, assigned to Djenné's latest finalised assessment, 2025),
//! `observateur` (observer, national).

use capacity_e2e::{Result, Server, assessment_in, ensure, login, send_as, session_cookie};

/// The people of the matrix, in the order of the expectation strings.
const PEOPLE: [Option<&str>; 8] = [
    None,
    Some("admin"),
    Some("planificateur"),
    Some("cercle"),
    Some("animateur"),
    Some("evaluateur"),
    Some("verificateur"),
    Some("observateur"),
];

/// What a person's request must get: `A` allowed (any status but 401 and
/// 403, below 500: 200, a redirect, or a refusal for the data's sake such
/// as 409, 422 or 423), `N` 401 (log in), `F` 403 (not allowed).
fn matches(expected: char, status: u16) -> bool {
    match expected {
        'A' => status < 500 && status != 401 && status != 403,
        'N' => status == 401,
        'F' => status == 403,
        _ => false,
    }
}

fn get(path: &str, addr: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

fn call(endpoint: &str, args: &[(&str, &str)], addr: &str) -> Vec<u8> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in args {
        form.append_pair(k, v);
    }
    let body = form.finish();
    format!(
        "POST /api/{endpoint} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A register import (pasted text, answered as JSON): the plain route.
fn import_request(addr: &str) -> Box<dyn Fn(usize) -> Vec<u8>> {
    let addr = addr.to_owned();
    Box::new(move |_| {
        let body = "text=id%2Cname%2Cregion%2Ccercle%0Aml-x%2CX%2CR%2CC%0A";
        format!(
            "POST /admin/import-communes HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    })
}

/// Ids the matrix needs, read as the administrator.
struct Ids {
    bandiagara: String,
    gao: String,
    /// Djenné 2025: its verifier is the demo verifier.
    djenne_assigned: String,
    /// Djenné 2023: no verifier assigned.
    djenne_other: String,
    /// The campaign of Djenné 2025.
    djenne_campaign: String,
    indicator: String,
    rubric: String,
}

fn ids(addr: &str, admin: &str) -> Result<Ids> {
    let list = send_as(addr, Some(admin), &call("list_results", &[], addr))?.json()?;
    let find = |commune: &str, open: bool| -> Result<String> {
        list.as_array()
            .and_then(|a| {
                a.iter()
                    .find(|l| l["commune"] == commune && (!open || l["finalised"] == false))
            })
            .and_then(|l| l["id"].as_i64())
            .map(|id| id.to_string())
            .ok_or_else(|| format!("no assessment of {commune} in {list}").into())
    };
    let bandiagara = find("Bandiagara", true)?;
    let gao = find("Gao", false)?;
    let djenne_assigned = assessment_in(&list, "Djenné", "2025")?;
    let djenne_other = assessment_in(&list, "Djenné", "2023")?;
    // The campaign whose verification page lists Djenné 2025.
    let first = send_as(addr, Some(admin), &call("load_assign_page", &[], addr))?.json()?;
    let mut djenne_campaign = String::new();
    for c in first["campaigns"].as_array().cloned().unwrap_or_default() {
        let id = c[0].as_str().unwrap_or_default().to_owned();
        let p = send_as(
            addr,
            Some(admin),
            &call("load_assign_page", &[("campaign", &id)], addr),
        )?
        .json()?;
        let holds = p["rows"].as_array().is_some_and(|rows| {
            rows.iter().any(|r| {
                r["assessment"].as_i64().map(|n| n.to_string()) == Some(djenne_assigned.clone())
            })
        });
        if holds {
            djenne_campaign = id;
            break;
        }
    }
    if djenne_campaign.is_empty() {
        return Err("no campaign holds Djenné 2025".into());
    }
    let entry = send_as(
        addr,
        Some(admin),
        &call(
            "load_entry",
            &[("id", &bandiagara), ("rater", "r2"), ("competency", "")],
            addr,
        ),
    )?
    .json()?;
    let indicator = entry["indicators"][0]["id"]
        .as_str()
        .ok_or("no indicator on the entry page")?
        .to_owned();
    let rubric = format!(
        "{}@{}",
        entry["header"]["rubric"].as_str().unwrap_or_default(),
        entry["header"]["rubric_version"]
            .as_str()
            .unwrap_or_default()
    );
    Ok(Ids {
        bandiagara,
        gao,
        djenne_assigned,
        djenne_other,
        djenne_campaign,
        indicator,
        rubric,
    })
}

#[test]
fn every_role_gets_what_it_may_and_nothing_more() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let mut cookies: Vec<Option<String>> = Vec::new();
    for who in PEOPLE {
        cookies.push(match who {
            Some(name) => Some(server.login(name)?),
            None => None,
        });
    }
    let admin = cookies[1].clone().ok_or("no admin session")?;
    let ids = ids(&addr, &admin)?;
    let (b, g) = (ids.bandiagara.as_str(), ids.gao.as_str());
    let (dj, dj_other) = (ids.djenne_assigned.clone(), ids.djenne_other.clone());
    // Each row: what is asked, and the answer for each person of PEOPLE.
    type Request = Box<dyn Fn(usize) -> Vec<u8>>;
    let a = addr.clone();
    let page = move |path: String| -> Request {
        let a = a.clone();
        Box::new(move |_| get(&path, &a))
    };
    let a = addr.clone();
    let fun = move |endpoint: &'static str, args: Vec<(&'static str, String)>| -> Request {
        let a = a.clone();
        Box::new(move |_| {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            call(endpoint, &args, &a)
        })
    };
    // A campaign per person (a commune has one assessment per campaign),
    // declared by the administrator.
    for who in 0..PEOPLE.len() {
        let answer = send_as(
            &addr,
            Some(&admin),
            &call(
                "declare_campaign",
                &[
                    ("id", &format!("matrix-{who}")),
                    ("label", &format!("matrix {who}")),
                    ("rubric", &ids.rubric),
                    ("starts", "2026-01-01"),
                    ("ends", "2026-12-31"),
                    ("scope[commune:ml-mopti-bandiagara]", "on"),
                ],
                &addr,
            ),
        )?;
        ensure!(answer.status == 200, "campaign {who}: {answer:?}");
    }
    let a = addr.clone();
    // Each person creates an assessment in their own campaign.
    let create: Request = Box::new(move |who| {
        let campaign = format!("matrix-{who}");
        call(
            "create_assessment",
            &[
                ("commune", "ml-mopti-bandiagara"),
                ("campaign", &campaign),
                ("date", "2026-01-15"),
                ("rater_name[0]", "Awa"),
                ("rater_role[0]", "elected"),
            ],
            &a,
        )
    });
    // Each person declares a campaign of their own, here or elsewhere.
    let declare = |commune: &'static str| -> Request {
        let a = addr.clone();
        let rubric = ids.rubric.clone();
        Box::new(move |who| {
            call(
                "declare_campaign",
                &[
                    ("id", &format!("decl-{commune}-{who}")),
                    ("label", "2027"),
                    ("rubric", &rubric),
                    ("starts", "2027-01-01"),
                    ("ends", "2027-12-31"),
                    ("verification", "on"),
                    (&format!("scope[commune:{commune}]"), "on"),
                ],
                &a,
            )
        })
    };
    let ind = ids.indicator.clone();
    let rows: Vec<(&str, Request, &str)> = vec![
        ("home", page("/".into()), "AAAAAAAA"),
        ("readiness", page("/ready".into()), "AAAAAAAA"),
        ("rubric browser", page("/referentiel".into()), "AAAAAAAA"),
        ("communes", page("/communes".into()), "NAAAAAAA"),
        (
            "commune in scope",
            page("/communes/ml-mopti-bandiagara".into()),
            "NAAAAAAA",
        ),
        (
            "commune elsewhere",
            page("/communes/ml-gao-gao".into()),
            "NAFFFFFA",
        ),
        ("overview", page(format!("/evaluations/{b}")), "NAAAAAAA"),
        (
            "overview elsewhere",
            page(format!("/evaluations/{g}")),
            "NAFFFFFA",
        ),
        (
            "results",
            page(format!("/evaluations/{b}/resultats")),
            "NAAAAAAA",
        ),
        ("plan", page(format!("/evaluations/{b}/plan")), "NAAAAAAA"),
        (
            "finalise gate",
            page(format!("/evaluations/{b}/finaliser")),
            "NAFFAFFF",
        ),
        (
            "consensus",
            page(format!("/evaluations/{b}/consensus")),
            "NAAAAAAA",
        ),
        (
            "entry, linked rater",
            page(format!("/evaluations/{b}/saisie?rater=r1")),
            "NAFFFAFF",
        ),
        (
            "entry, unlinked rater",
            page(format!("/evaluations/{b}/saisie?rater=r2")),
            "NAFFAFFF",
        ),
        (
            "history",
            page(format!("/evaluations/{b}/historique")),
            "NAAAAFAF",
        ),
        ("compare", page("/comparer".into()), "NAAAFFFA"),
        (
            "compare elsewhere",
            page("/comparer?region=Gao".into()),
            "NAFFFFFA",
        ),
        ("new assessment", page("/evaluer".into()), "NAAAAAAA"),
        ("results list", page("/resultats".into()), "NAAAAAAA"),
        ("plans list", page("/plan".into()), "NAAAAAAA"),
        ("accounts", page("/admin/comptes".into()), "NAFFFFFF"),
        (
            "report",
            page(format!("/evaluations/{b}/rapport")),
            "NAAAAAAA",
        ),
        (
            "report elsewhere",
            page(format!("/evaluations/{g}/rapport")),
            "NAFFFFFA",
        ),
        (
            "plan.csv",
            page(format!("/evaluations/{b}/plan.csv")),
            "NAAAAAAA",
        ),
        (
            "plan.xlsx elsewhere",
            page(format!("/evaluations/{g}/plan.xlsx")),
            "NAFFFFFA",
        ),
        (
            "assessment file",
            page(format!("/evaluations/{b}/evaluation.toml")),
            "NAAAAAAA",
        ),
        (
            "assessment file elsewhere",
            page(format!("/evaluations/{g}/evaluation.toml")),
            "NAFFFFFA",
        ),
        (
            "history.csv",
            page(format!("/evaluations/{b}/historique.csv")),
            "NAAAAFAF",
        ),
        (
            "compare export",
            page("/comparer/export.csv?region=Mopti".into()),
            "NAAFFFFA",
        ),
        (
            "grants export",
            page("/comparer/subventions.csv?region=Mopti&pool=1000000".into()),
            "NAAFFFFA",
        ),
        (
            "load_overview",
            fun("load_overview", vec![("id", b.into())]),
            "NAAAAAAA",
        ),
        (
            "load_results",
            fun(
                "load_results",
                vec![("id", b.into()), ("lang", "fr".into())],
            ),
            "NAAAAAAA",
        ),
        (
            "load_history",
            fun("load_history", vec![("id", b.into())]),
            "NAAAAFAF",
        ),
        (
            "save_rating r1",
            fun(
                "save_rating",
                vec![
                    ("id", b.into()),
                    ("indicator", ind.clone()),
                    ("rater", "r1".into()),
                    ("level", "NI".into()),
                    ("evidence", String::new()),
                    ("version", "0".into()),
                ],
            ),
            "NAFFFAFF",
        ),
        (
            "save_entry r2",
            fun(
                "save_entry",
                vec![
                    ("id", b.into()),
                    ("rater", "r2".into()),
                    ("competency", String::new()),
                ],
            ),
            "NAFFAFFF",
        ),
        (
            "save_consensus",
            fun(
                "save_consensus",
                vec![("id", b.into()), ("competency", String::new())],
            ),
            "NAFFAFFF",
        ),
        (
            "save_plan",
            fun("save_plan", vec![("id", b.into())]),
            "NAFFAFFF",
        ),
        (
            "set_council_action_status",
            fun(
                "set_council_action_status",
                vec![
                    ("id", b.into()),
                    ("action", "999999".into()),
                    ("status", "done".into()),
                    ("version", "1".into()),
                ],
            ),
            "NAFFAFFF",
        ),
        (
            "update_council_action",
            fun(
                "update_council_action",
                vec![
                    ("id", b.into()),
                    ("action", "999999".into()),
                    ("version", "1".into()),
                    ("indicator", ind.clone()),
                    ("title", "x".into()),
                    ("cost", "1".into()),
                    ("horizon", "short".into()),
                    ("responsible", "x".into()),
                ],
            ),
            "NAFFAFFF",
        ),
        (
            "delete_council_action",
            fun(
                "delete_council_action",
                vec![
                    ("id", b.into()),
                    ("action", "999999".into()),
                    ("version", "1".into()),
                ],
            ),
            "NAFFAFFF",
        ),
        ("create_assessment", create, "NAFFAFFF"),
        ("campaigns", page("/campagnes".into()), "NAAAAAAA"),
        ("campaign", page("/campagnes/matrix-1".into()), "NAAAAAAA"),
        (
            "declare_campaign",
            declare("ml-mopti-bandiagara"),
            "NAAAFFFF",
        ),
        (
            "declare_campaign elsewhere",
            declare("ml-gao-gao"),
            "NAFFFFFF",
        ),
        (
            "update_campaign",
            fun(
                "update_campaign",
                vec![
                    ("id", "matrix-7".into()),
                    ("version", "1".into()),
                    ("label", "matrix 7".into()),
                    ("starts", "2026-01-01".into()),
                    ("ends", "2026-12-31".into()),
                    ("scope[commune:ml-mopti-bandiagara]", "on".into()),
                ],
            ),
            "NAAAFFFF",
        ),
        (
            "unlock elsewhere",
            fun(
                "unlock_assessment",
                vec![
                    ("id", g.into()),
                    ("version", "1".into()),
                    ("reason", "matrix".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "create_account",
            fun(
                "create_account",
                vec![
                    ("name", "matrix".into()),
                    ("display_name", "M".into()),
                    ("role", "observer".into()),
                    ("scope_kind", "national".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "set_public_pages",
            fun("set_public_pages", vec![("rubrics", "on".into())]),
            "NAFFFFFF",
        ),
        ("load_accounts", fun("load_accounts", vec![]), "NAFFFFFF"),
        ("register", page("/admin/communes".into()), "NAFFFFFF"),
        (
            "register commune",
            page("/admin/communes/ml-gao-gao".into()),
            "NAFFFFFF",
        ),
        (
            "register import page",
            page("/admin/import-communes".into()),
            "NAFFFFFF",
        ),
        ("load_register", fun("load_register", vec![]), "NAFFFFFF"),
        (
            "load_commune_edit",
            fun("load_commune_edit", vec![("id", "ml-gao-gao".into())]),
            "NAFFFFFF",
        ),
        (
            "create_commune",
            fun(
                "create_commune",
                vec![
                    ("id", "ml-matrix".into()),
                    ("name", "Matrix".into()),
                    ("region", "Kayes".into()),
                    ("cercle", "Kayes".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "update_commune, stale",
            fun(
                "update_commune",
                vec![
                    ("id", "ml-gao-gao".into()),
                    ("version", "999".into()),
                    ("name", "Gao".into()),
                    ("region", "Gao".into()),
                    ("cercle", "Gao".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "set_commune_active, stale",
            fun(
                "set_commune_active",
                vec![
                    ("id", "ml-gao-gao".into()),
                    ("active", "false".into()),
                    ("version", "999".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "merge_commune, stale",
            fun(
                "merge_commune",
                vec![
                    ("id", "ml-gao-ansongo".into()),
                    ("into", "ml-gao-gao".into()),
                    ("version", "999".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "load_import_preview",
            fun("load_import_preview", vec![("token", "none".into())]),
            "NAFFFFFF",
        ),
        (
            "apply_register_import",
            fun("apply_register_import", vec![("token", "none".into())]),
            "NAFFFFFF",
        ),
        ("register import", import_request(&addr), "NAFFFFFF"),
        // Independent verification. The verifier page: the verifier
        // assigned, planners of the region and administrators (read only
        // but for the verifier); an unassigned verifier gets 403.
        (
            "verification list",
            page("/verification".into()),
            "NAAAAAAA",
        ),
        (
            "verifier page, assigned",
            page(format!("/evaluations/{dj}/verification")),
            "NAAFFFAF",
        ),
        (
            "verifier page, not assigned",
            page(format!("/evaluations/{dj_other}/verification")),
            "NAAFFFFF",
        ),
        (
            "load_verify_page",
            fun(
                "load_verify_page",
                vec![("id", dj.clone()), ("lang", "fr".into())],
            ),
            "NAAFFFAF",
        ),
        // Only the verifier assigned sets levels: not an administrator.
        (
            "set_verified_level, not assigned",
            fun(
                "set_verified_level",
                vec![
                    ("id", dj_other.clone()),
                    ("indicator", ind.clone()),
                    ("level", "NI".into()),
                    ("reason", "matrix".into()),
                    ("version", "0".into()),
                ],
            ),
            "NFFFFFFF",
        ),
        (
            "set_verified_level, assigned",
            fun(
                "set_verified_level",
                vec![
                    ("id", dj.clone()),
                    ("indicator", ind.clone()),
                    ("level", "NI".into()),
                    ("reason", "matrix".into()),
                    ("version", "0".into()),
                ],
            ),
            "NFFFFFAF",
        ),
        (
            "confirm_remaining_levels",
            fun("confirm_remaining_levels", vec![("id", dj_other.clone())]),
            "NFFFFFFF",
        ),
        // Started above, in progress: its report only for who follows it.
        (
            "verification report, in progress",
            page(format!("/evaluations/{dj}/verification/rapport")),
            "NAAFFFAF",
        ),
        (
            "complete_verification",
            fun(
                "complete_verification",
                vec![("id", dj.clone()), ("version", "999".into())],
            ),
            "NFFFFFAF",
        ),
        (
            "reopen_verification",
            fun(
                "reopen_verification",
                vec![
                    ("id", dj.clone()),
                    ("version", "1".into()),
                    ("reason", "matrix".into()),
                ],
            ),
            "NAFFFFFF",
        ),
        (
            "assign_verifier",
            fun(
                "assign_verifier",
                vec![
                    ("campaign", ids.djenne_campaign.clone()),
                    ("commune", "ml-mopti-djenne".into()),
                    ("account", "999999".into()),
                ],
            ),
            "NAAFFFFF",
        ),
    ];
    let mut wrong = Vec::new();
    let mut checked = 0usize;
    for (what, request, expected) in &rows {
        ensure!(
            expected.len() == PEOPLE.len(),
            "{what}: {expected} has not one answer per person"
        );
        for (i, (who, want)) in PEOPLE.iter().zip(expected.chars()).enumerate() {
            let response = send_as(&addr, cookies[i].as_deref(), &request(i))?;
            checked += 1;
            if !matches(want, response.status) {
                wrong.push(format!(
                    "{what} as {}: {} (expected {want}) {}",
                    who.unwrap_or("visitor"),
                    response.status,
                    response.body.chars().take(160).collect::<String>()
                ));
            }
        }
    }
    println!(
        "role × route matrix: {} routes × {} people = {checked} requests, {} wrong",
        rows.len(),
        PEOPLE.len(),
        wrong.len()
    );
    ensure!(
        wrong.is_empty(),
        "{} of {checked}:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    Ok(())
}

#[test]
fn cross_site_posts_are_refused_and_change_nothing() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let ids = ids(&addr, &admin)?;
    let history = |cookie: &str| -> Result<usize> {
        let page = send_as(
            &addr,
            Some(cookie),
            &call("load_history", &[("id", &ids.bandiagara)], &addr),
        )?
        .json()?;
        Ok(page["events"].as_array().map_or(0, Vec::len))
    };
    let before = history(&admin)?;
    let accounts_before = send_as(&addr, Some(&admin), &call("load_accounts", &[], &addr))?
        .json()?["accounts"]
        .as_array()
        .map_or(0, Vec::len);
    let endpoints: Vec<(&str, Vec<(&str, String)>)> = vec![
        (
            "save_rating",
            vec![
                ("id", ids.bandiagara.clone()),
                ("indicator", ids.indicator.clone()),
                ("rater", "r2".into()),
                ("level", "NI".into()),
                ("evidence", String::new()),
                ("version", "0".into()),
            ],
        ),
        (
            "save_entry",
            vec![
                ("id", ids.bandiagara.clone()),
                ("rater", "r2".into()),
                ("competency", String::new()),
            ],
        ),
        (
            "save_consensus",
            vec![
                ("id", ids.bandiagara.clone()),
                ("competency", String::new()),
            ],
        ),
        ("save_plan", vec![("id", ids.bandiagara.clone())]),
        (
            "add_council_action",
            vec![
                ("id", ids.bandiagara.clone()),
                ("indicator", ids.indicator.clone()),
                ("title", "x".into()),
                ("cost", "1".into()),
                ("horizon", "short".into()),
                ("responsible", "x".into()),
            ],
        ),
        (
            "set_council_action_status",
            vec![
                ("id", ids.bandiagara.clone()),
                ("action", "1".into()),
                ("status", "done".into()),
                ("version", "1".into()),
            ],
        ),
        (
            "update_council_action",
            vec![
                ("id", ids.bandiagara.clone()),
                ("action", "1".into()),
                ("version", "1".into()),
                ("indicator", ids.indicator.clone()),
                ("title", "x".into()),
                ("cost", "1".into()),
                ("horizon", "short".into()),
                ("responsible", "x".into()),
            ],
        ),
        (
            "delete_council_action",
            vec![
                ("id", ids.bandiagara.clone()),
                ("action", "1".into()),
                ("version", "1".into()),
            ],
        ),
        (
            "finalise_assessment",
            vec![("id", ids.bandiagara.clone()), ("version", "1".into())],
        ),
        (
            "unlock_assessment",
            vec![
                ("id", ids.gao.clone()),
                ("version", "1".into()),
                ("reason", "x".into()),
            ],
        ),
        (
            "declare_campaign",
            vec![
                ("id", "evil".into()),
                ("label", "evil".into()),
                ("rubric", ids.rubric.clone()),
                ("starts", "2026-01-01".into()),
                ("ends", "2026-12-31".into()),
                ("scope[commune:ml-mopti-bandiagara]", "on".into()),
            ],
        ),
        (
            "create_assessment",
            vec![
                ("commune", "ml-mopti-bandiagara".into()),
                ("campaign", "demo".into()),
                ("date", "2026-01-01".into()),
                ("rater_name[0]", "E".into()),
                ("rater_role[0]", "elected".into()),
            ],
        ),
        (
            "create_account",
            vec![
                ("name", "evil".into()),
                ("display_name", "Evil".into()),
                ("role", "admin".into()),
                ("scope_kind", "national".into()),
            ],
        ),
        (
            "grant_role",
            vec![
                ("account", "1".into()),
                ("role", "admin".into()),
                ("scope_kind", "national".into()),
            ],
        ),
        (
            "revoke_role",
            vec![("account", "1".into()), ("grant", "1".into())],
        ),
        (
            "set_account_active",
            vec![
                ("account", "2".into()),
                ("active", "false".into()),
                ("version", "1".into()),
            ],
        ),
        ("reset_password", vec![("account", "2".into())]),
        (
            "create_commune",
            vec![
                ("id", "ml-evil".into()),
                ("name", "Evil".into()),
                ("region", "R".into()),
                ("cercle", "C".into()),
            ],
        ),
        (
            "update_commune",
            vec![
                ("id", "ml-gao-gao".into()),
                ("version", "1".into()),
                ("name", "Evil".into()),
                ("region", "R".into()),
                ("cercle", "C".into()),
            ],
        ),
        (
            "set_commune_active",
            vec![
                ("id", "ml-gao-gao".into()),
                ("active", "false".into()),
                ("version", "1".into()),
            ],
        ),
        (
            "merge_commune",
            vec![
                ("id", "ml-gao-ansongo".into()),
                ("into", "ml-gao-gao".into()),
                ("version", "1".into()),
            ],
        ),
        ("apply_register_import", vec![("token", "x".into())]),
        (
            "set_public_pages",
            vec![("results", "on".into()), ("compare", "on".into())],
        ),
        (
            "set_password",
            vec![
                ("token", "x".into()),
                ("password", "0123456789".into()),
                ("confirm", "0123456789".into()),
            ],
        ),
        (
            "log_in",
            vec![
                ("name", "admin".into()),
                ("password", server.password("admin")?),
            ],
        ),
        (
            "assign_verifier",
            vec![
                ("campaign", ids.djenne_campaign.clone()),
                ("commune", "ml-mopti-djenne".into()),
                ("account", String::new()),
            ],
        ),
        (
            "set_verified_level",
            vec![
                ("id", ids.djenne_assigned.clone()),
                ("indicator", ids.indicator.clone()),
                ("level", "NI".into()),
                ("reason", "x".into()),
            ],
        ),
        (
            "confirm_remaining_levels",
            vec![("id", ids.djenne_assigned.clone())],
        ),
        (
            "complete_verification",
            vec![("id", ids.djenne_assigned.clone()), ("version", "1".into())],
        ),
        (
            "reopen_verification",
            vec![
                ("id", ids.djenne_assigned.clone()),
                ("version", "1".into()),
                ("reason", "x".into()),
            ],
        ),
        ("log_out", vec![]),
    ];
    for (endpoint, args) in &endpoints {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let request = call(endpoint, &args, &addr);
        for (header, value) in [
            ("Origin", "http://evil.example"),
            ("Sec-Fetch-Site", "cross-site"),
            ("Origin", "null"),
        ] {
            let text = String::from_utf8_lossy(&request).replacen(
                "Connection: close",
                &format!("{header}: {value}\r\nConnection: close"),
                1,
            );
            // The form a page of another site would send: text/html, the
            // session cookie attached by the browser.
            let text = text.replacen("Accept: application/json", "Accept: text/html", 1);
            let r = send_as(&addr, Some(&admin), text.as_bytes())?;
            ensure!(
                r.status == 403,
                "{endpoint} with {header}: {value} answered {}",
                r.status
            );
            ensure!(
                session_cookie(&r).is_none(),
                "{endpoint}: a refused request set a session cookie"
            );
        }
        // The same from this site's own page is not refused as cross-site.
        let same = String::from_utf8_lossy(&request).replacen(
            "Connection: close",
            &format!("Origin: http://{addr}\r\nSec-Fetch-Site: same-origin\r\nConnection: close"),
            1,
        );
        if *endpoint != "log_out" {
            let r = send_as(&addr, Some(&admin), same.as_bytes())?;
            // An administrator does not verify (only the verifier assigned
            // does): those 403 come from the rules, past the guard.
            let refused_by_rules = r.body.contains("do not allow Verify");
            ensure!(
                r.status != 403 || *endpoint == "revoke_role" || refused_by_rules,
                "{endpoint} from this site answered 403: {}",
                r.body
            );
        }
    }
    // Nothing the refused requests asked for happened. (The same-site
    // calls above may have; count only what cross-site ones would add.)
    let admin = server.login("admin")?;
    let after = history(&admin)?;
    ensure!(after >= before, "history shrank");
    let accounts_after = send_as(&addr, Some(&admin), &call("load_accounts", &[], &addr))?
        .json()?["accounts"]
        .as_array()
        .map_or(0, Vec::len);
    ensure!(
        accounts_after == accounts_before + 1,
        "accounts: {accounts_before} before, {accounts_after} after one same-site creation"
    );
    Ok(())
}

#[test]
fn pages_carry_security_headers_and_a_nonce_that_matches() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    for path in ["/", "/referentiel", "/connexion"] {
        for _ in 0..2 {
            // Twice: the second may come from the page cache.
            let r = send_as(&addr, None, &get(path, &addr))?;
            ensure!(r.status == 200, "{path}: {}", r.status);
            let csp = r.header("content-security-policy").ok_or("no CSP")?;
            ensure!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            ensure!(!csp.contains("unsafe-inline"), "{path}: {csp}");
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|s| s.split('\'').next())
                .ok_or("no nonce in the CSP")?;
            ensure!(
                r.body.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: the page's scripts do not carry the header's nonce"
            );
            ensure!(
                r.header("x-content-type-options") == Some("nosniff"),
                "{path}: nosniff"
            );
            ensure!(
                r.header("referrer-policy").is_some(),
                "{path}: referrer policy"
            );
        }
    }
    Ok(())
}

#[test]
fn login_renews_the_session_id_and_logout_ends_it() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let first = server.login("animateur")?;
    // A planted (or old) session id is replaced at login.
    let password = server.password("animateur")?;
    let body = format!("name=animateur&password={password}");
    let request = format!(
        "POST /api/log_in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let planted = "capacity_session=plantedbyanattacker0000";
    let r = send_as(&addr, Some(planted), request.as_bytes())?;
    ensure!(r.status == 200, "login: {}", r.status);
    let renewed = session_cookie(&r).ok_or("no new session at login")?;
    ensure!(
        renewed != planted && renewed != first,
        "the session id was not renewed"
    );
    // Logged in, then out: the old id no longer opens anything.
    let page = |cookie: &str| -> Result<u16> {
        Ok(send_as(&addr, Some(cookie), &get("/resultats", &addr))?.status)
    };
    ensure!(
        page(&renewed)? == 200,
        "logged in, the results list is refused"
    );
    let out = send_as(&addr, Some(&renewed), &call("log_out", &[], &addr))?;
    ensure!(out.status == 200, "logout: {}", out.status);
    ensure!(
        page(&renewed)? == 401,
        "after logout the old session still works"
    );
    ensure!(
        page(&first)? == 200,
        "logging out one session ended another"
    );
    Ok(())
}

#[test]
fn failed_logins_are_limited_per_account_with_a_clear_message() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    for attempt in 1..=5 {
        let r = login(&addr, "animateur", "wrong password");
        ensure!(
            r.is_err(),
            "attempt {attempt} with a wrong password logged in"
        );
    }
    // Even the right password is refused now, with 429 and the reason.
    let password = server.password("animateur")?;
    let body = format!("name=animateur&password={password}");
    let request = format!(
        "POST /api/log_in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = send_as(&addr, None, request.as_bytes())?;
    ensure!(
        r.status == 429,
        "sixth attempt answered {}: {}",
        r.status,
        r.body
    );
    ensure!(r.body.contains("too many failed logins"), "{}", r.body);
    // Another account from the same address is not locked out (20 per
    // address).
    ensure!(
        server.login("observateur").is_ok(),
        "another account was locked out"
    );
    // Wrong password and unknown name answer the same.
    let unknown = login(&addr, "nobody-here", "whatever")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    let wrong = login(&addr, "observateur", "whatever")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    ensure!(
        unknown.contains("401") && wrong.contains("401"),
        "{unknown} / {wrong}"
    );
    Ok(())
}

#[test]
fn the_first_administrator_comes_from_the_command_line_never_a_default_password() -> Result {
    let data_dir =
        std::env::temp_dir().join(format!("capacity-first-admin-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    // A production start makes no account: nobody can log in.
    let output = Server::command(&data_dir)?
        .args([
            "user",
            "add",
            "--admin",
            "Chef.Service",
            "--display-name",
            "Cheffe du service",
        ])
        .output()?;
    ensure!(
        output.status.success(),
        "user add failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8_lossy(&output.stdout).into_owned();
    let path = printed
        .split_whitespace()
        .find_map(|w| {
            w.split_once("/mot-de-passe?jeton=")
                .map(|(_, t)| t.to_owned())
        })
        .ok_or_else(|| format!("no link printed: {printed}"))?;
    // The same name again is refused.
    let again = Server::command(&data_dir)?
        .args(["user", "add", "--admin", "chef.service"])
        .output()?;
    ensure!(
        !again.status.success(),
        "a second account of the same name was made"
    );
    let server = Server::start_plain(data_dir.clone())?;
    let addr = server.addr();
    ensure!(
        !data_dir.join("demo-accounts.txt").exists(),
        "demo accounts without --demo"
    );
    ensure!(
        login(&addr, "chef.service", "").is_err(),
        "logged in without a password"
    );
    // The link sets the password once.
    let set = |password: &str| -> Result<u16> {
        Ok(send_as(
            &addr,
            None,
            &call(
                "set_password",
                &[
                    ("token", &path),
                    ("password", password),
                    ("confirm", password),
                ],
                &addr,
            ),
        )?
        .status)
    };
    ensure!(set("court")? == 422, "a short password was accepted");
    ensure!(
        set("une phrase de passe solide")? == 200,
        "the link did not set the password"
    );
    ensure!(
        set("une autre phrase de passe")? == 422,
        "the link worked twice"
    );
    let admin = login(&addr, "Chef.Service", "une phrase de passe solide")?;
    let page = send_as(&addr, Some(&admin), &get("/admin/comptes", &addr))?;
    ensure!(
        page.status == 200,
        "the new administrator cannot manage accounts: {}",
        page.status
    );
    ensure!(
        page.body.contains("Cheffe du service"),
        "display name not shown"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}

#[test]
fn administrators_choose_what_visitors_see() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let visitor =
        |path: &str| -> Result<u16> { Ok(send_as(&addr, None, &get(path, &addr))?.status) };
    ensure!(
        visitor("/referentiel")? == 200,
        "the rubric is not public by default"
    );
    ensure!(
        visitor("/resultats")? == 401,
        "results are public by default"
    );
    ensure!(
        visitor("/comparer")? == 401,
        "the comparison is public by default"
    );
    let r = send_as(
        &addr,
        Some(&admin),
        &call(
            "set_public_pages",
            &[("results", "on"), ("compare", "on")],
            &addr,
        ),
    )?;
    ensure!(r.status == 200, "set_public_pages: {}", r.status);
    ensure!(
        visitor("/resultats")? == 200,
        "results not public after the change"
    );
    ensure!(
        visitor("/comparer")? == 200,
        "comparison not public after the change"
    );
    ensure!(
        visitor("/referentiel")? == 401,
        "the rubric still public after unticking it"
    );
    // Public reading never opens writing.
    let ids = ids(&addr, &admin)?;
    let w = send_as(
        &addr,
        None,
        &call(
            "save_consensus",
            &[("id", &ids.bandiagara), ("competency", "")],
            &addr,
        ),
    )?;
    ensure!(w.status == 401, "a visitor wrote: {}", w.status);
    Ok(())
}
