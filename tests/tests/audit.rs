//! The audit trail of a whole workshop, over plain HTTP as the people who
//! do it: a facilitator creates an assessment and links a rater to an
//! account; that rater saves, changes, clears and saves again a rating; the
//! facilitator rates for a rater without an account, records the
//! consensus, drops an action of the plan, finalises, and unlocks with a
//! reason. The trail must hold exactly those events, in order, each with
//! who, the object and the value before and after, and the CSV export the
//! same events.

use capacity_e2e::{Result, Server, ensure, send_as};
use serde_json::Value;

fn post(
    addr: &str,
    cookie: &str,
    endpoint: &str,
    args: &[(&str, &str)],
) -> Result<capacity_e2e::Response> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in args {
        form.append_pair(k, v);
    }
    let body = form.finish();
    let request = format!(
        "POST /api/{endpoint} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    send_as(addr, Some(cookie), request.as_bytes())
}

fn call(addr: &str, cookie: &str, endpoint: &str, args: &[(&str, &str)]) -> Result<Value> {
    let r = post(addr, cookie, endpoint, args)?;
    ensure!(r.status == 200, "{endpoint}: {} {}", r.status, r.body);
    r.json()
}

fn json_field(v: &Value, key: &str) -> Value {
    v.as_str()
        .and_then(|s| serde_json::from_str::<Value>(s).ok())
        .map(|o| o[key].clone())
        .unwrap_or(Value::Null)
}

#[test]
fn the_whole_path_leaves_exactly_its_events() -> Result {
    let server = Server::start_as(None)?;
    let addr = server.addr();
    let facilitator = server.login("animateur")?;
    let rater = server.login("evaluateur")?;
    // 1. Created, 2. rater r1 linked to the rater's account.
    let id = call(
        &addr,
        &facilitator,
        "create_assessment",
        &[
            ("commune", "ml-mopti-bandiagara"),
            // The demonstration campaign of this year holds every commune.
            ("campaign", "demo"),
            ("date", "2026-02-10"),
            ("rater_name[0]", "Awa Guindo"),
            ("rater_role[0]", "elected"),
            ("rater_name[1]", "Bakary Togo"),
            ("rater_role[1]", "staff"),
        ],
    )?
    .as_i64()
    .ok_or("no id")?
    .to_string();
    call(
        &addr,
        &facilitator,
        "link_rater",
        &[("id", &id), ("rater", "r1"), ("account", "evaluateur")],
    )?;
    let entry = call(
        &addr,
        &rater,
        "load_entry",
        &[("id", &id), ("rater", "r1"), ("competency", "")],
    )?;
    let indicator = entry["indicators"][0]["id"]
        .as_str()
        .ok_or("no indicator")?
        .to_owned();
    let levels: Vec<String> = entry["levels"]
        .as_array()
        .ok_or("no levels")?
        .iter()
        .filter_map(|l| l["code"].as_str().map(str::to_owned))
        .collect();
    ensure!(levels.len() >= 2, "levels: {levels:?}");
    let (low, other) = (levels[0].clone(), levels[1].clone());
    let save =
        |cookie: &str, rater_id: &str, level: &str, evidence: &str, version: i64| -> Result<i64> {
            let v = call(
                &addr,
                cookie,
                "save_rating",
                &[
                    ("id", &id),
                    ("indicator", &indicator),
                    ("rater", rater_id),
                    ("level", level),
                    ("evidence", evidence),
                    ("version", &version.to_string()),
                ],
            )?;
            Ok(v["version"].as_i64().unwrap_or(0))
        };
    // 3–6: the rater saves, changes, clears and saves again their rating.
    let v1 = save(&rater, "r1", &other, "PV du conseil", 0)?;
    let v2 = save(&rater, "r1", &low, "PV du conseil, p. 2", v1)?;
    save(&rater, "r1", "", "", v2)?;
    let versions = call(
        &addr,
        &rater,
        "load_entry",
        &[("id", &id), ("rater", "r1"), ("competency", "")],
    )?;
    let cleared_version = versions["indicators"][0]["version"].as_i64().unwrap_or(0);
    save(&rater, "r1", &low, "registre", cleared_version)?;
    // 7: the facilitator rates for r2, who has no account.
    save(&facilitator, "r2", &low, "", 0)?;
    // The facilitator may not enter r1's ratings any more.
    let refused = post(
        &addr,
        &facilitator,
        "save_rating",
        &[
            ("id", &id),
            ("indicator", &indicator),
            ("rater", "r1"),
            ("level", "NI"),
            ("evidence", ""),
            ("version", "9"),
        ],
    )?;
    ensure!(
        refused.status == 403,
        "facilitator saving a linked rater's rating: {}",
        refused.status
    );
    // 8: consensus.
    let competency = entry["competency"].as_str().unwrap_or_default().to_owned();
    call(
        &addr,
        &facilitator,
        "save_consensus",
        &[
            ("id", &id),
            ("competency", &competency),
            (&format!("level[{indicator}]"), &low),
            (
                &format!("justification[{indicator}]"),
                "accord de l'atelier",
            ),
            (&format!("comment[{indicator}]"), ""),
            (&format!("version[{indicator}]"), "0"),
        ],
    )?;
    // 9: one action of the plan dropped.
    let plan = call(
        &addr,
        &facilitator,
        "load_plan",
        &[("id", &id), ("outcome", "")],
    )?;
    let action = plan["domains"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|d| d["competencies"].as_array().into_iter().flatten())
        .flat_map(|c| c["goals"].as_array().into_iter().flatten())
        .flat_map(|g| g["actions"].as_array().into_iter().flatten())
        .next()
        .ok_or("the plan has no action")?;
    let key = action["key"].as_str().ok_or("no key")?.to_owned();
    call(
        &addr,
        &facilitator,
        "save_plan",
        &[
            ("id", &id),
            (&format!("decision[{key}]"), "drop"),
            (&format!("was_decision[{key}]"), "proposed"),
            (&format!("cost[{key}]"), ""),
            (&format!("was_cost[{key}]"), ""),
            (&format!("version[{key}]"), "0"),
        ],
    )?;
    // 10: finalised, 11: unlocked with a reason.
    let header = call(&addr, &facilitator, "load_overview", &[("id", &id)])?["header"].clone();
    let version = header["version"].as_i64().unwrap_or(0).to_string();
    let finalised = call(
        &addr,
        &facilitator,
        "finalise_assessment",
        &[
            ("id", &id),
            ("version", &version),
            ("confirm", "1"),
            ("provisional", "1"),
            ("reason", "atelier interrompu"),
        ],
    )?
    .as_i64()
    .unwrap_or(0)
    .to_string();
    call(
        &addr,
        &facilitator,
        "unlock_assessment",
        &[
            ("id", &id),
            ("version", &finalised),
            ("reason", "erreur de saisie signalée par le maire"),
        ],
    )?;
    let reopened = call(&addr, &facilitator, "load_overview", &[("id", &id)])?;
    ensure!(
        reopened["header"]["reopened"] == true,
        "not marked reopened: {}",
        reopened["header"]
    );

    // The trail, as a planner of the region reads it.
    let planner = server.login("planificateur")?;
    let history = call(&addr, &planner, "load_history", &[("id", &id)])?;
    let events = history["events"].as_array().ok_or("no events")?;
    let kinds: Vec<&str> = events.iter().filter_map(|e| e["kind"].as_str()).collect();
    let expected = [
        "assessment.created",
        "rater.linked",
        "rating.saved",
        "rating.saved",
        "rating.cleared",
        "rating.saved",
        "rating.saved",
        "consensus.saved",
        "plan.adjusted",
        "assessment.finalised",
        "assessment.unlocked",
    ];
    ensure!(kinds == expected, "events: {kinds:?}");
    let who: Vec<&str> = events.iter().filter_map(|e| e["actor"].as_str()).collect();
    ensure!(
        who == [
            "animateur",
            "animateur",
            "evaluateur",
            "evaluateur",
            "evaluateur",
            "evaluateur",
            "animateur",
            "animateur",
            "animateur",
            "animateur",
            "animateur"
        ],
        "who: {who:?}"
    );
    ensure!(
        events
            .iter()
            .all(|e| !e["request_id"].as_str().unwrap_or_default().is_empty()),
        "an event without request id"
    );
    // Before and after of the rating's changes.
    let change = &events[3];
    ensure!(
        json_field(&change["before"], "level") == other.as_str(),
        "before: {}",
        change["before"]
    );
    ensure!(
        json_field(&change["after"], "level") == low.as_str(),
        "after: {}",
        change["after"]
    );
    ensure!(
        json_field(&change["after"], "evidence") == "PV du conseil, p. 2",
        "{}",
        change["after"]
    );
    let cleared = &events[4];
    ensure!(
        json_field(&cleared["before"], "level") == low.as_str() && cleared["after"].is_null(),
        "clear: {cleared}"
    );
    ensure!(
        events[2]["before"].is_null(),
        "a first rating has a value before: {}",
        events[2]
    );
    ensure!(
        events[5]["before"].is_null(),
        "a rating after a clear has a value before: {}",
        events[5]
    );
    ensure!(
        json_field(&events[8]["after"], "accepted") == false,
        "plan: {}",
        events[8]
    );
    ensure!(
        events[10]["reason"] == "erreur de saisie signalée par le maire",
        "unlock: {}",
        events[10]
    );
    // One rating's history: its own events only.
    let one = call(
        &addr,
        &planner,
        "load_history",
        &[("id", &id), ("indicator", &indicator)],
    )?;
    let one_kinds: Vec<&str> = one["events"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    ensure!(
        one_kinds
            == [
                "rating.saved",
                "rating.saved",
                "rating.cleared",
                "rating.saved",
                "rating.saved",
                "consensus.saved",
                "plan.adjusted"
            ]
            || one_kinds
                == [
                    "rating.saved",
                    "rating.saved",
                    "rating.cleared",
                    "rating.saved",
                    "rating.saved",
                    "consensus.saved"
                ],
        "one indicator's events: {one_kinds:?}"
    );
    // The CSV for auditors: a header line and one line per event.
    let csv = send_as(
        &addr,
        Some(&planner),
        format!("GET /evaluations/{id}/historique.csv HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    ensure!(csv.status == 200, "csv: {}", csv.status);
    let lines = csv.body.lines().filter(|l| !l.trim().is_empty()).count();
    ensure!(
        lines == events.len() + 1,
        "csv has {lines} lines for {} events",
        events.len()
    );
    // A rater may not read the trail; nobody can change it (no endpoint).
    let refused = send_as(
        &addr,
        Some(&rater),
        format!("GET /evaluations/{id}/historique.csv HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )?;
    ensure!(
        refused.status == 403,
        "rater reading the trail: {}",
        refused.status
    );
    println!("audit excerpt of the whole path (assessment {id}):");
    for e in events {
        println!(
            "  {} {:<11} {:<21} {:<22} before={} after={}{}",
            e["at"].as_str().unwrap_or_default(),
            e["actor"].as_str().unwrap_or_default(),
            e["kind"].as_str().unwrap_or_default(),
            e["object"].as_str().unwrap_or_default(),
            e["before"].as_str().unwrap_or("—"),
            e["after"].as_str().unwrap_or("—"),
            e["reason"]
                .as_str()
                .map(|r| format!(" reason={r:?}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}
