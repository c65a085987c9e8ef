//! Bad requests over plain HTTP to the server on 127.0.0.1: oversized
//! bodies (413), malformed server-function arguments and bodies that are
//! not UTF-8 (400), unknown assessments and raters (404), path traversal
//! (400 or 404, never a file from outside the site), hostile plan costs and
//! overlong evidence (422). After every case the server must still answer
//! `/health`.

use capacity_e2e::{Response, Result, Server, ensure, http_get, post_form, send, server_fn};
use serde_json::Value;

/// A body well over the server's limit.
const TWO_MB: usize = 2 * 1024 * 1024;

/// Fails unless the server still answers `/health` with 200.
fn alive(addr: &str, after: &str) -> Result {
    let (status, _) = http_get(addr, "/health")
        .map_err(|e| format!("after {after}: /health did not answer: {e}"))?;
    ensure!(status == 200, "after {after}: /health answered {status}");
    Ok(())
}

/// The cases of one test: each is checked and recorded, and the server
/// must answer `/health` after each; the test fails at the end with every
/// case that failed (or at once if the server is gone).
struct Cases<'a> {
    addr: &'a str,
    failed: Vec<String>,
    passed: usize,
}

impl<'a> Cases<'a> {
    fn new(addr: &'a str) -> Self {
        Cases {
            addr,
            failed: Vec::new(),
            passed: 0,
        }
    }

    /// Records whether `response` has one of the `allowed` statuses, then
    /// checks that the server is alive.
    fn expect(&mut self, case: &str, response: Result<Response>, allowed: &[u16]) -> Result {
        match response {
            Ok(r) if allowed.contains(&r.status) => self.passed += 1,
            Ok(r) => self.failed.push(format!(
                "{case}: status {} (want {allowed:?}): {}",
                r.status,
                r.body.chars().take(200).collect::<String>()
            )),
            Err(e) => self
                .failed
                .push(format!("{case}: no answer (want {allowed:?}): {e}")),
        }
        alive(self.addr, case)
    }

    /// Records a failed check of a case.
    fn fail(&mut self, message: String) {
        self.failed.push(message);
    }

    /// Fails with every failed case, after printing the tally.
    fn finish(self, test: &str) -> Result {
        println!(
            "bad requests, {test}: {} cases as expected, {} not",
            self.passed,
            self.failed.len()
        );
        ensure!(
            self.failed.is_empty(),
            "{} case(s) failed:\n  {}",
            self.failed.len(),
            self.failed.join("\n  ")
        );
        Ok(())
    }
}

fn ok_json(r: Response, what: &str) -> Result<Value> {
    ensure!(r.status == 200, "{what}: status {} {}", r.status, r.body);
    r.json()
}

/// The seeded assessment still open (Bandiagara, 2024) and its first rater.
fn open_assessment(addr: &str) -> Result<(i64, String)> {
    let list = ok_json(server_fn(addr, "list_results", &[])?, "list_results")?;
    let id = list
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["commune"] == "Bandiagara" && a["round"] == "2024" && a["finalised"] == false)
        .and_then(|a| a["id"].as_i64())
        .ok_or("no open Bandiagara 2024 assessment")?;
    let overview = ok_json(
        server_fn(addr, "load_overview", &[("id", &id.to_string())])?,
        "load_overview",
    )?;
    let rater = overview["header"]["raters"][0]["id"]
        .as_str()
        .ok_or("no rater")?
        .to_owned();
    Ok((id, rater))
}

/// The first indicator of the rater's first entry page: id, a level code
/// and the version shown.
fn first_indicator(addr: &str, id: i64, rater: &str) -> Result<(String, String, i64)> {
    let entry = ok_json(
        server_fn(
            addr,
            "load_entry",
            &[
                ("id", &id.to_string()),
                ("rater", rater),
                ("competency", ""),
            ],
        )?,
        "load_entry",
    )?;
    let indicator = &entry["indicators"][0];
    Ok((
        indicator["id"].as_str().ok_or("no indicator")?.to_owned(),
        entry["levels"][0]["code"]
            .as_str()
            .ok_or("no level")?
            .to_owned(),
        indicator["version"].as_i64().ok_or("no version")?,
    ))
}

#[test]
fn oversized_bodies_are_refused_with_413() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let (id, rater) = open_assessment(&addr)?;
    let (indicator, level, version) = first_indicator(&addr, id, &rater)?;
    let prefix = format!(
        "id={id}&indicator={indicator}&rater={rater}&level={level}&version={version}&evidence="
    );
    let mut body = prefix.clone().into_bytes();
    body.resize(TWO_MB, b'a');

    let mut cases = Cases::new(&addr);
    let r = post_form(&addr, "/api/save_rating", &body);
    cases.expect("a 2 MB body with Content-Length", r, &[413])?;

    // The same body in chunks: no length announced, the limit must still hold.
    let mut request = format!(
        "POST /api/save_rating HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for piece in body.chunks(64 * 1024) {
        request.extend_from_slice(format!("{:x}\r\n", piece.len()).as_bytes());
        request.extend_from_slice(piece);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    let r = send(&addr, &request);
    cases.expect("a chunked 2 MB body", r, &[413])?;

    // Nothing was saved by either.
    let (_, _, after) = first_indicator(&addr, id, &rater)?;
    if after != version {
        cases.fail(format!("an oversized save was written (version {after})"));
    }
    cases.finish("oversized bodies")
}

#[test]
fn malformed_server_function_arguments_are_400() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let (id, rater) = open_assessment(&addr)?;
    let (indicator, level, _) = first_indicator(&addr, id, &rater)?;
    let cases: [(&str, &str, String); 5] = [
        (
            "save_rating without id",
            "save_rating",
            format!("indicator={indicator}&rater={rater}&level={level}&evidence=&version=0"),
        ),
        (
            "save_rating with a non-numeric id",
            "save_rating",
            format!("id=abc&indicator={indicator}&rater={rater}&level={level}&evidence=&version=0"),
        ),
        (
            "save_rating with a non-numeric version",
            "save_rating",
            format!(
                "id={id}&indicator={indicator}&rater={rater}&level={level}&evidence=&version=x"
            ),
        ),
        ("load_overview without id", "load_overview", String::new()),
        (
            "load_overview with an id out of range",
            "load_overview",
            "id=99999999999999999999999".to_owned(),
        ),
    ];
    let mut checks = Cases::new(&addr);
    for (case, endpoint, body) in cases {
        let r = post_form(&addr, &format!("/api/{endpoint}"), body.as_bytes());
        checks.expect(case, r, &[400])?;
    }
    checks.finish("malformed arguments")
}

#[test]
fn a_form_body_that_is_not_utf8_is_400() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let (id, rater) = open_assessment(&addr)?;
    let (indicator, level, version) = first_indicator(&addr, id, &rater)?;
    let mut body = format!(
        "id={id}&indicator={indicator}&rater={rater}&level={level}&version={version}&evidence="
    )
    .into_bytes();
    body.extend_from_slice(b"PV \xff\xfe du conseil \xc3\x28");
    let mut cases = Cases::new(&addr);
    let r = post_form(&addr, "/api/save_rating", &body);
    cases.expect("raw bytes that are not UTF-8 in a form", r, &[400])?;
    let (_, _, after) = first_indicator(&addr, id, &rater)?;
    if after != version {
        cases.fail("a body that is not UTF-8 was saved".to_owned());
    }
    cases.finish("not UTF-8")
}

/// A server-function call: case, endpoint, arguments.
type Call = (&'static str, &'static str, Vec<(&'static str, String)>);

#[test]
fn unknown_assessments_and_raters_are_404() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let (id, rater) = open_assessment(&addr)?;
    let (indicator, level, _) = first_indicator(&addr, id, &rater)?;
    let calls: [Call; 4] = [
        (
            "save_rating on an unknown assessment",
            "save_rating",
            vec![
                ("id", "999999".into()),
                ("indicator", indicator.clone()),
                ("rater", rater.clone()),
                ("level", level.clone()),
                ("evidence", String::new()),
                ("version", "0".into()),
            ],
        ),
        (
            "save_rating by an unknown rater",
            "save_rating",
            vec![
                ("id", id.to_string()),
                ("indicator", indicator.clone()),
                ("rater", "nobody".into()),
                ("level", level.clone()),
                ("evidence", String::new()),
                ("version", "0".into()),
            ],
        ),
        (
            "load_overview of an unknown assessment",
            "load_overview",
            vec![("id", "999999".into())],
        ),
        (
            "load_entry of an unknown rater",
            "load_entry",
            vec![
                ("id", id.to_string()),
                ("rater", "nobody".into()),
                ("competency", String::new()),
            ],
        ),
    ];
    let mut cases = Cases::new(&addr);
    for (case, endpoint, args) in calls {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = server_fn(&addr, endpoint, &args);
        cases.expect(case, r, &[404])?;
    }
    for path in [
        "/evaluations/999999".to_owned(),
        "/evaluations/999999/resultats".to_owned(),
        "/evaluations/999999/plan".to_owned(),
        "/evaluations/999999/rapport".to_owned(),
        format!("/evaluations/{id}/saisie?rater=nobody"),
    ] {
        let r = send(
            &addr,
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        cases.expect(&format!("GET {path}"), r, &[404])?;
    }
    cases.finish("unknown objects")
}

/// A file just outside the site directory, removed on drop.
struct Canary {
    path: std::path::PathBuf,
    token: String,
}

impl Drop for Canary {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[test]
fn path_traversal_never_serves_a_file_outside_the_site() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    // The site is `<target>/site`; this file sits next to it, where
    // `/pkg/../../NAME` would lead if paths were joined naively.
    // The name may be echoed by the 404 page; the content must never be.
    let suffix = addr.replace(['.', ':'], "-");
    let name = format!("capacity-e2e-canary-{}-{suffix}.txt", std::process::id());
    let canary = Canary {
        path: capacity_e2e::target_dir().join(&name),
        token: format!("CONTENT OUTSIDE THE SITE {suffix}"),
    };
    std::fs::write(&canary.path, &canary.token)?;
    let paths = [
        "/evaluations/..%2F..%2Fetc/rapport".to_owned(),
        "/evaluations/..%2F..%2F..%2F..%2Fetc%2Fpasswd/rapport".to_owned(),
        "/pkg/../../Cargo.toml".to_owned(),
        "/pkg/..%2F..%2FCargo.toml".to_owned(),
        format!("/pkg/../../{name}"),
        format!("/../{name}"),
        format!("/pkg/..%2F..%2F{name}"),
        format!("/pkg/%2e%2e/%2e%2e/{name}"),
        format!("/pkg/%2e%2e%2f%2e%2e%2f{name}"),
        format!("/pkg/..%5C..%5C{name}"),
        format!("/..%2f{name}"),
        "/pkg/../../../../../../etc/passwd".to_owned(),
    ];
    let mut cases = Cases::new(&addr);
    for path in paths {
        let r = send(
            &addr,
            format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        if let Ok(r) = &r {
            if r.body.contains(&canary.token) {
                cases.fail(format!("GET {path} served the file outside the site"));
            }
            if r.body.contains("root:x:0:0") || r.body.contains("[workspace]") {
                cases.fail(format!("GET {path} served a system or workspace file"));
            }
        }
        cases.expect(&format!("GET {path}"), r, &[400, 404])?;
    }
    cases.finish("path traversal")
}

/// The first action of a plan: its key and version.
fn first_action(value: &Value) -> Option<(String, i64)> {
    match value {
        Value::Object(map) if map.contains_key("key") && map.contains_key("rubric_cost") => Some((
            map.get("key")?.as_str()?.to_owned(),
            map.get("version")?.as_i64()?,
        )),
        Value::Object(map) => map.values().find_map(first_action),
        Value::Array(items) => items.iter().find_map(first_action),
        _ => None,
    }
}

#[test]
fn hostile_plan_costs_are_422_and_change_nothing() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let (id, _) = open_assessment(&addr)?;
    let plan = ok_json(
        server_fn(
            &addr,
            "load_plan",
            &[("id", &id.to_string()), ("outcome", "")],
        )?,
        "load_plan",
    )?;
    let (key, version) = first_action(&plan).ok_or("the plan has no action")?;
    let field = |name: &str| {
        url::form_urlencoded::byte_serialize(format!("{name}[{key}]").as_bytes())
            .collect::<String>()
    };
    // The cost field as it arrives on the wire, already encoded: the euro
    // sign (UTF-8) twice, with a number, and two bytes that are no UTF-8.
    let mut cases = Cases::new(&addr);
    for (case, cost) in [
        ("cost €€", "%E2%82%AC%E2%82%AC"),
        ("cost €100", "%E2%82%AC100"),
        ("cost %FF%FE", "%FF%FE"),
    ] {
        let body = format!(
            "id={id}&{}={version}&{}=proposed&{}=&{}=accept&{}={cost}",
            field("version"),
            field("was_decision"),
            field("was_cost"),
            field("decision"),
            field("cost"),
        );
        let r = post_form(&addr, "/api/save_plan", body.as_bytes());
        if let Ok(r) = &r
            && r.status == 422
            && !(r.body.contains(&key) || r.body.contains("cost"))
        {
            cases.fail(format!(
                "{case}: the answer does not name the field: {}",
                r.body
            ));
        }
        cases.expect(case, r, &[422])?;
        // A plain form post (JavaScript off) gets the form again with the
        // error, or is sent to the plan page that shows it.
        let request = format!(
            "POST /api/save_plan HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let form_case = format!("{case} (plain form)");
        match send(&addr, request.as_bytes()) {
            Ok(r) => {
                let shown = match r.status {
                    422 => r.body.contains("data-testid=\"problems\""),
                    303 | 302 => {
                        let to = r.header("location").unwrap_or_default().to_owned();
                        let (_, page) = http_get(&addr, to.split('#').next().unwrap_or_default())?;
                        page.contains("data-testid=\"problems\"")
                    }
                    _ => false,
                };
                if shown {
                    cases.passed += 1;
                } else {
                    cases.fail(format!(
                        "{form_case}: status {}, the error is not shown: {}",
                        r.status,
                        r.body.chars().take(200).collect::<String>()
                    ));
                }
            }
            Err(e) => cases.fail(format!("{form_case}: no answer: {e}")),
        }
        alive(&addr, &form_case)?;
    }
    let after = ok_json(
        server_fn(
            &addr,
            "load_plan",
            &[("id", &id.to_string()), ("outcome", "")],
        )?,
        "load_plan",
    )?;
    if first_action(&after) != Some((key.clone(), version)) {
        cases.fail(format!("a hostile cost changed the plan line {key}"));
    }
    cases.finish("hostile plan costs")
}

#[test]
fn evidence_longer_than_10000_characters_is_422() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let (id, rater) = open_assessment(&addr)?;
    let (indicator, level, version) = first_indicator(&addr, id, &rater)?;
    // 10,001 characters, several bytes each in UTF-8 for some.
    let evidence: String = "é".repeat(5_000) + &"a".repeat(5_001);
    let r = server_fn(
        &addr,
        "save_rating",
        &[
            ("id", &id.to_string()),
            ("indicator", &indicator),
            ("rater", &rater),
            ("level", &level),
            ("evidence", &evidence),
            ("version", &version.to_string()),
        ],
    );
    let mut cases = Cases::new(&addr);
    cases.expect("evidence of 10,001 characters", r, &[422])?;
    let (_, _, now) = first_indicator(&addr, id, &rater)?;
    if now != version {
        cases.fail("the overlong evidence was saved".to_owned());
    }

    // 10,000 characters exactly are accepted.
    let evidence: String = "é".repeat(5_000) + &"a".repeat(5_000);
    let r = server_fn(
        &addr,
        "save_rating",
        &[
            ("id", &id.to_string()),
            ("indicator", &indicator),
            ("rater", &rater),
            ("level", &level),
            ("evidence", &evidence),
            ("version", &now.to_string()),
        ],
    );
    cases.expect("evidence of 10,000 characters", r, &[200])?;
    cases.finish("overlong evidence")
}
