//! The commune register over plain HTTP (what a browser with JavaScript
//! off sends, and what a hydrated page or a script sends): an import with
//! bad rows lists each problem by row and column and writes nothing; a
//! good file applies in one go; the 2023 territory file files the 2024
//! Bandiagara round under its new region; an edit at a stale version is
//! refused with 409 and the newer data; deactivating and merging keep the
//! history; only administrators get in (others 403, visitors 401).

use capacity_e2e::{Response, Result, Server, ensure, send_as, server_fn_request};

fn call(endpoint: &str, args: &[(&str, &str)], addr: &str) -> Vec<u8> {
    server_fn_request(addr, endpoint, args)
}

/// The import route with pasted text, as a script (JSON) or a browser
/// without JavaScript (`text/html`: a redirect to the preview page).
fn import(text: &str, accept: &str, addr: &str) -> Vec<u8> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("text", text);
    let body = form.finish();
    format!(
        "POST /admin/import-communes HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: {accept}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The import route with an uploaded file (multipart), as the page's
/// upload field sends it.
fn upload(file: &[u8], addr: &str) -> Vec<u8> {
    let boundary = "----capacity-e2e-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"communes.csv\"\r\nContent-Type: text/csv\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(file);
    body.extend_from_slice(
        format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\n\r\n--{boundary}--\r\n")
            .as_bytes(),
    );
    let mut request = format!(
        "POST /admin/import-communes HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nAccept: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(&body);
    request
}

fn get(path: &str, addr: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

fn register(addr: &str, admin: &str) -> Result<serde_json::Value> {
    let r = send_as(addr, Some(admin), &call("load_register", &[], addr))?;
    ensure!(r.status == 200, "load_register: {} {}", r.status, r.body);
    r.json()
}

fn commune<'a>(list: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    list["communes"]
        .as_array()?
        .iter()
        .find(|c| c["commune"]["id"] == id)
}

fn problems(r: &Response) -> Result<Vec<(u64, String, String)>> {
    let p = r.json()?;
    Ok(p["problems"]
        .as_array()
        .ok_or("no problems list")?
        .iter()
        .map(|p| {
            let problem = match &p["problem"] {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Object(o) => o.keys().next().cloned().unwrap_or_default(),
                other => other.to_string(),
            };
            (
                p["row"].as_u64().unwrap_or(0),
                p["column"].as_str().unwrap_or_default().to_owned(),
                problem,
            )
        })
        .collect())
}

#[test]
fn an_import_with_bad_rows_lists_every_problem_and_writes_nothing() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let before = register(&addr, &admin)?;
    let count = before["communes"].as_array().map_or(0, Vec::len);
    let bad = "id;name;region;cercle;population;setting\n\
               ml-kayes-kita;Kita;Kita;Kita;48000;urban\n\
               bad id;Nioro;Nioro;Nioro;;\n\
               ml-x;;Kayes;Kayes;douze;town\n\
               ml-kayes-kita;Kita bis;Kita;Kita;;\n";
    let r = send_as(&addr, Some(&admin), &import(bad, "application/json", &addr))?;
    ensure!(r.status == 422, "bad file: {} {}", r.status, r.body);
    let got = problems(&r)?;
    let want: Vec<(u64, String, String)> = vec![
        (3, "id".into(), "BadId".into()),
        (4, "name".into(), "Required".into()),
        (4, "population".into(), "NotAWholeNumber".into()),
        (4, "setting".into(), "UnknownChoice".into()),
        (5, "id".into(), "Duplicate".into()),
    ];
    ensure!(got == want, "problems: {got:?}");
    ensure!(
        r.json()?["token"].as_str().is_some_and(|t| !t.is_empty()),
        "a preview has a token"
    );
    // Applying a preview with problems is refused; nothing was written.
    let token = r.json()?["token"].as_str().unwrap_or_default().to_owned();
    let r = send_as(
        &addr,
        Some(&admin),
        &call("apply_register_import", &[("token", &token)], &addr),
    )?;
    ensure!(
        r.status == 422,
        "apply of a bad file: {} {}",
        r.status,
        r.body
    );
    let after = register(&addr, &admin)?;
    ensure!(
        after["communes"].as_array().map_or(0, Vec::len) == count,
        "nothing written"
    );
    ensure!(commune(&after, "ml-kayes-kita").is_none(), "Kita not added");

    // Missing columns and unknown ones are named on row 1.
    let r = send_as(
        &addr,
        Some(&admin),
        &import("id,nom,region\nml-a,A,R\n", "application/json", &addr),
    )?;
    ensure!(r.status == 422, "bad header: {}", r.status);
    let got = problems(&r)?;
    ensure!(
        got.contains(&(1, "name".into(), "MissingColumn".into()))
            && got.contains(&(1, "cercle".into(), "MissingColumn".into()))
            && got.contains(&(1, "nom".into(), "UnknownColumn".into())),
        "header problems: {got:?}"
    );
    // Not UTF-8: 422, said plainly.
    let r = send_as(
        &addr,
        Some(&admin),
        &upload(b"id,name,region,cercle\nml-a,S\xe9gou,R,C\n", &addr),
    )?;
    ensure!(r.status == 422, "latin-1 file: {} {}", r.status, r.body);
    // Over the size of an import (but under the server's body limit): 413.
    let big = format!(
        "id,name,region,cercle\n{}",
        "ml-a,A,R,C\n".repeat(600 * 1024 / 11)
    );
    let r = send_as(&addr, Some(&admin), &upload(big.as_bytes(), &addr))?;
    ensure!(
        r.status == 413,
        "oversized import: {} {}",
        r.status,
        r.body.chars().take(200).collect::<String>()
    );

    // JavaScript off: the upload goes to the preview page, which lists
    // each problem with its row and column.
    let r = send_as(&addr, Some(&admin), &upload(bad.as_bytes(), &addr))?;
    ensure!(r.status == 303, "upload: {} {}", r.status, r.body);
    let location = r.header("location").ok_or("no redirect")?.to_owned();
    ensure!(
        location.starts_with("/admin/import-communes?apercu="),
        "{location}"
    );
    let page = send_as(&addr, Some(&admin), &get(&location, &addr))?;
    ensure!(page.status == 200, "preview page: {}", page.status);
    ensure!(
        page.body.matches("data-testid=\"import-problem\"").count() == 5,
        "five problems shown"
    );
    ensure!(
        !page.body.contains("data-testid=\"apply-form\""),
        "no apply form for a file with problems"
    );
    Ok(())
}

#[test]
fn a_good_file_applies_and_the_2023_territory_files_rounds_by_date() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let good = "id,name,region,cercle,kind,population,setting,transferred\n\
                ml-kayes-kita,Kita,Kita,Kita,commune,48000,urban,\"etat-civil, eau\"\n\
                ml-mopti-djenne,Djenné,Mopti,Djenné,commune,38500,urban,\n";
    // JavaScript off: pasted text, then the preview page's apply form.
    let r = send_as(&addr, Some(&admin), &import(good, "text/html", &addr))?;
    ensure!(r.status == 303, "preview: {} {}", r.status, r.body);
    let location = r.header("location").ok_or("no redirect")?.to_owned();
    let page = send_as(&addr, Some(&admin), &get(&location, &addr))?;
    ensure!(
        page.body.contains("data-testid=\"apply-form\""),
        "a clean file can be applied"
    );
    let token = location
        .split("apercu=")
        .nth(1)
        .ok_or("no token")?
        .to_owned();
    let form = format!("token={token}");
    let apply = format!(
        "POST /api/apply_register_import HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\nReferer: http://{addr}{location}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{form}",
        form.len()
    );
    let r = send_as(&addr, Some(&admin), apply.as_bytes())?;
    ensure!(
        r.status == 302 || r.status == 303,
        "apply: {} {}",
        r.status,
        r.body
    );
    ensure!(
        r.header("location") == Some("/admin/communes?importe=2-0"),
        "applied: {:?}",
        r.header("location")
    );
    let list = register(&addr, &admin)?;
    let kita = commune(&list, "ml-kayes-kita").ok_or("Kita added")?;
    ensure!(kita["commune"]["population"] == 48000, "{kita}");
    ensure!(
        kita["commune"]["transferred"] == serde_json::json!(["etat-civil", "eau"]),
        "{kita}"
    );
    let djenne = commune(&list, "ml-mopti-djenne").ok_or("Djenné")?;
    ensure!(djenne["commune"]["population"] == 38500, "{djenne}");

    // The territory file of the repository, uploaded as it is.
    let file =
        std::fs::read(capacity_e2e::workspace_root().join("assessments/territory/mali-2023.csv"))?;
    let r = send_as(&addr, Some(&admin), &upload(&file, &addr))?;
    ensure!(r.status == 303, "territory upload: {} {}", r.status, r.body);
    let token = r
        .header("location")
        .and_then(|l| l.split("apercu=").nth(1))
        .ok_or("no token")?
        .to_owned();
    let r = send_as(
        &addr,
        Some(&admin),
        &call("apply_register_import", &[("token", &token)], &addr),
    )?;
    ensure!(r.status == 200, "territory apply: {} {}", r.status, r.body);
    ensure!(r.json()?["periods"] == 5, "five periods: {}", r.body);
    // The Bandiagara round of 2024 is filed under the region made in 2023;
    // the San round of 2023-03-14 as well, Djenné stays in Mopti.
    let results = send_as(&addr, Some(&admin), &call("list_results", &[], &addr))?.json()?;
    let region_of = |commune: &str| -> Vec<String> {
        results
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|l| l["commune"] == commune)
                    .map(|l| l["region"].as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    ensure!(
        !region_of("Bandiagara").is_empty()
            && region_of("Bandiagara").iter().all(|r| r == "Bandiagara"),
        "Bandiagara: {:?}",
        region_of("Bandiagara")
    );
    ensure!(
        !region_of("Djenné").is_empty() && region_of("Djenné").iter().all(|r| r == "Mopti"),
        "Djenné: {:?}",
        region_of("Djenné")
    );
    let page = send_as(
        &addr,
        Some(&admin),
        &get("/admin/communes/ml-mopti-bandiagara", &addr),
    )?;
    ensure!(
        page.body.contains("data-testid=\"territory\"") && page.body.contains("2023-03-13"),
        "the commune's page lists its territory over time"
    );
    Ok(())
}

#[test]
fn edits_are_versioned_and_deactivating_or_merging_keeps_history() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let admin = server.login("admin")?;
    let list = register(&addr, &admin)?;
    let ber = commune(&list, "ml-tombouctou-ber").ok_or("Ber")?.clone();
    let version = ber["version"].as_i64().ok_or("version")?.to_string();
    let edit = |name: &str, population: &str, version: &str| {
        call(
            "update_commune",
            &[
                ("id", "ml-tombouctou-ber"),
                ("version", version),
                ("name", name),
                ("region", "Tombouctou"),
                ("cercle", "Tombouctou"),
                ("kind", "commune"),
                ("population", population),
                ("setting", "rural"),
                ("transferred", ""),
            ],
            &addr,
        )
    };
    let r = send_as(&addr, Some(&admin), &edit("Ber", "23000", &version))?;
    ensure!(r.status == 200, "edit: {} {}", r.status, r.body);
    // The same version again: 409 with what is stored now.
    let r = send_as(&addr, Some(&admin), &edit("Bér", "1", &version))?;
    ensure!(r.status == 409, "stale edit: {} {}", r.status, r.body);
    let now = &r.json()?["StaleCommune"];
    ensure!(
        now["commune"]["population"] == 23000 && now["version"].as_i64() > ber["version"].as_i64(),
        "the newer data: {}",
        r.body
    );
    // JavaScript off: back to the page, which shows the newer values.
    let body = {
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("id", "ml-tombouctou-ber"),
            ("version", version.as_str()),
            ("name", "Bér"),
            ("region", "Tombouctou"),
            ("cercle", "Tombouctou"),
            ("population", "1"),
        ] {
            form.append_pair(k, v);
        }
        form.finish()
    };
    let back = "/admin/communes/ml-tombouctou-ber";
    let post = format!(
        "POST /api/update_commune HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\nReferer: http://{addr}{back}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = send_as(&addr, Some(&admin), post.as_bytes())?;
    let location = r.header("location").ok_or("no redirect")?.to_owned();
    ensure!(
        location.starts_with(&format!("{back}?erreur=")),
        "{location}"
    );
    let page = send_as(&addr, Some(&admin), &get(&location, &addr))?;
    ensure!(
        page.body.contains("data-testid=\"stale-commune\"") && page.body.contains("23000"),
        "the page shows the stored values"
    );

    // Deactivate Ber: no longer offered for new assessments, refused if asked.
    let ber = commune(&register(&addr, &admin)?, "ml-tombouctou-ber")
        .ok_or("Ber")?
        .clone();
    let v = ber["version"].as_i64().ok_or("version")?.to_string();
    let r = send_as(
        &addr,
        Some(&admin),
        &call(
            "set_commune_active",
            &[
                ("id", "ml-tombouctou-ber"),
                ("active", "false"),
                ("version", &v),
            ],
            &addr,
        ),
    )?;
    ensure!(r.status == 200, "deactivate: {} {}", r.status, r.body);
    let page = send_as(&addr, Some(&admin), &get("/evaluer", &addr))?;
    ensure!(
        !page.body.contains("value=\"ml-tombouctou-ber\""),
        "a deactivated commune is not offered"
    );
    ensure!(
        page.body.contains("value=\"ml-gao-gao\""),
        "active ones are"
    );
    let choices = send_as(
        &addr,
        Some(&admin),
        &call("load_new_assessment", &[], &addr),
    )?
    .json()?;
    // Any campaign: the refusal names the commune whatever else is wrong.
    let campaign = choices["campaigns"][0]["id"]
        .as_str()
        .unwrap_or("none")
        .to_owned();
    let r = send_as(
        &addr,
        Some(&admin),
        &call(
            "create_assessment",
            &[
                ("commune", "ml-tombouctou-ber"),
                ("campaign", &campaign),
                ("date", "2026-01-15"),
                ("rater_name[0]", "Awa"),
                ("rater_role[0]", "elected"),
            ],
            &addr,
        ),
    )?;
    ensure!(
        r.status == 422 && r.body.contains("Inactive"),
        "assessment of a deactivated commune: {} {}",
        r.status,
        r.body
    );
    // Its assessments stay visible.
    let page = send_as(
        &addr,
        Some(&admin),
        &get("/communes/ml-tombouctou-ber", &addr),
    )?;
    ensure!(
        page.status == 200 && page.body.contains("/evaluations/"),
        "Ber's assessments still listed"
    );

    // Merge Gao's neighbour Ansongo into Gao: marked, kept, listed under Gao.
    let ansongo = commune(&register(&addr, &admin)?, "ml-gao-ansongo")
        .ok_or("Ansongo")?
        .clone();
    let v = ansongo["version"].as_i64().ok_or("version")?.to_string();
    let r = send_as(
        &addr,
        Some(&admin),
        &call(
            "merge_commune",
            &[
                ("id", "ml-gao-ansongo"),
                ("into", "ml-gao-gao"),
                ("version", &v),
            ],
            &addr,
        ),
    )?;
    ensure!(r.status == 200, "merge: {} {}", r.status, r.body);
    let list = register(&addr, &admin)?;
    let ansongo = commune(&list, "ml-gao-ansongo").ok_or("Ansongo kept")?;
    ensure!(
        ansongo["merged_into"] == "ml-gao-gao" && ansongo["active"] == false,
        "{ansongo}"
    );
    ensure!(
        ansongo["assessments"].as_i64() > Some(0),
        "its assessments kept"
    );
    let page = send_as(
        &addr,
        Some(&admin),
        &get("/admin/communes/ml-gao-gao", &addr),
    )?;
    ensure!(
        page.body.contains("data-testid=\"merged-here\"") && page.body.contains("ml-gao-ansongo"),
        "Gao's page lists the commune merged into it"
    );
    let page = send_as(&addr, Some(&admin), &get("/communes/ml-gao-ansongo", &addr))?;
    ensure!(
        page.status == 200 && page.body.contains("/evaluations/"),
        "Ansongo's assessments still visible"
    );
    Ok(())
}

#[test]
fn only_administrators_keep_the_register() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let planner = server.login("planificateur")?;
    let facilitator = server.login("animateur")?;
    let text = "id,name,region,cercle\nml-z,Z,R,C\n";
    for (who, cookie, status) in [
        ("visitor", None, 401),
        ("planner", Some(planner.as_str()), 403),
        ("facilitator", Some(facilitator.as_str()), 403),
    ] {
        for (what, request) in [
            ("load_register", call("load_register", &[], &addr)),
            (
                "create_commune",
                call(
                    "create_commune",
                    &[
                        ("id", "ml-z"),
                        ("name", "Z"),
                        ("region", "R"),
                        ("cercle", "C"),
                    ],
                    &addr,
                ),
            ),
            (
                "merge_commune",
                call(
                    "merge_commune",
                    &[
                        ("id", "ml-gao-ansongo"),
                        ("into", "ml-gao-gao"),
                        ("version", "1"),
                    ],
                    &addr,
                ),
            ),
            ("import", import(text, "application/json", &addr)),
        ] {
            let r = send_as(&addr, cookie, &request)?;
            ensure!(
                r.status == status,
                "{what} as {who}: {} (expected {status}) {}",
                r.status,
                r.body
            );
        }
    }
    Ok(())
}
