//! Reliability of the server under real use, over plain HTTP to 127.0.0.1
//! (no browser): many raters saving their own ratings at once through the
//! `save_rating` server function (none may fail), many clients saving the
//! same rating at the same version (exactly one wins, every other gets 409
//! with the winner's value), `kill -9` of the server during a stream of
//! saves (every save acknowledged before the kill is there after a
//! restart), and on PostgreSQL a restart of the database under a running
//! server (every request succeeds again once it is back). Each test prints
//! its figures; every test is bounded in requests and time and stops by
//! itself.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use capacity_e2e::{Response, Result, Server, ensure, server_fn};
use serde_json::Value;

/// Concurrent clients in the contention tests.
const CLIENTS: usize = 60;

/// One rating of the seeded open assessment: who rates which indicator.
#[derive(Debug, Clone)]
struct Slot {
    indicator: String,
    rater: String,
    competency: String,
    /// Version read from the entry page.
    version: i64,
    /// Level codes of the scale.
    levels: Vec<String>,
}

/// What an entry page says about one rating now.
#[derive(Debug, Clone, PartialEq)]
struct Stored {
    level: Option<String>,
    evidence: Option<String>,
    version: i64,
}

fn ok_json(r: Response, what: &str) -> Result<Value> {
    if r.status != 200 {
        return Err(format!("{what}: status {} {}", r.status, r.body).into());
    }
    r.json()
}

/// The id of the seeded assessment still open (Bandiagara, 2024).
fn open_assessment(addr: &str) -> Result<i64> {
    let list = ok_json(server_fn(addr, "list_results", &[])?, "list_results")?;
    list.as_array()
        .into_iter()
        .flatten()
        .find(|a| a["commune"] == "Bandiagara" && a["round"] == "2024" && a["finalised"] == false)
        .and_then(|a| a["id"].as_i64())
        .ok_or_else(|| format!("no open Bandiagara 2024 assessment in {list}").into())
}

fn load_entry(addr: &str, id: i64, rater: &str, competency: &str) -> Result<Value> {
    ok_json(
        server_fn(
            addr,
            "load_entry",
            &[
                ("id", &id.to_string()),
                ("rater", rater),
                ("competency", competency),
            ],
        )?,
        "load_entry",
    )
}

/// `n` distinct ratings (indicator, rater) of assessment `id`, with the
/// versions the entry pages show, going through competencies and raters.
fn slots(addr: &str, id: i64, n: usize) -> Result<Vec<Slot>> {
    let overview = ok_json(
        server_fn(addr, "load_overview", &[("id", &id.to_string())])?,
        "load_overview",
    )?;
    let raters: Vec<String> = overview["header"]["raters"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    let competencies: Vec<String> = overview["competencies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["id"].as_str().map(str::to_owned))
        .collect();
    let mut out = Vec::new();
    for competency in &competencies {
        for rater in &raters {
            let entry = load_entry(addr, id, rater, competency)?;
            let levels: Vec<String> = entry["levels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["code"].as_str().map(str::to_owned))
                .collect();
            for indicator in entry["indicators"].as_array().into_iter().flatten() {
                if indicator["not_applicable_by_rule"] == true {
                    continue;
                }
                out.push(Slot {
                    indicator: indicator["id"].as_str().unwrap_or_default().to_owned(),
                    rater: rater.clone(),
                    competency: competency.clone(),
                    version: indicator["version"].as_i64().unwrap_or(-1),
                    levels: levels.clone(),
                });
                if out.len() == n {
                    return Ok(out);
                }
            }
        }
    }
    Err(format!(
        "only {} ratings found in assessment {id}, {n} needed",
        out.len()
    )
    .into())
}

/// What the entry pages say now about each slot's rating.
fn read_back(addr: &str, id: i64, slots: &[Slot]) -> Result<Vec<Stored>> {
    let mut pages: HashMap<(String, String), Value> = HashMap::new();
    let mut out = Vec::with_capacity(slots.len());
    for slot in slots {
        let key = (slot.rater.clone(), slot.competency.clone());
        if !pages.contains_key(&key) {
            let page = load_entry(addr, id, &slot.rater, &slot.competency)?;
            pages.insert(key.clone(), page);
        }
        let indicator = pages[&key]["indicators"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["id"] == slot.indicator.as_str())
            .ok_or_else(|| format!("{} missing from its entry page", slot.indicator))?;
        out.push(Stored {
            level: indicator["level"].as_str().map(str::to_owned),
            evidence: indicator["evidence"].as_str().map(str::to_owned),
            version: indicator["version"].as_i64().unwrap_or(-1),
        });
    }
    Ok(out)
}

fn save(
    addr: &str,
    id: i64,
    slot: &Slot,
    level: &str,
    evidence: &str,
    version: i64,
) -> Result<Response> {
    server_fn(
        addr,
        "save_rating",
        &[
            ("id", &id.to_string()),
            ("indicator", &slot.indicator),
            ("rater", &slot.rater),
            ("level", level),
            ("evidence", evidence),
            ("version", &version.to_string()),
        ],
    )
}

/// Runs `f(i)` on `CLIENTS` threads released at the same moment.
fn at_once<T: Send>(f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(CLIENTS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let (barrier, f) = (&barrier, &f);
                s.spawn(move || {
                    barrier.wait();
                    f(i)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("client thread"))
            .collect()
    })
}

/// Status counts, with transport failures under 0.
fn tally(outcomes: &[Result<Response>]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for outcome in outcomes {
        let status = outcome.as_ref().map_or(0, |r| r.status);
        *counts.entry(status).or_insert(0) += 1;
    }
    counts
}

/// The `{ level, evidence, version }` object inside a refusal's JSON body,
/// wherever the error's encoding puts it.
fn rating_now(value: &Value) -> Option<Stored> {
    match value {
        Value::Object(map) if map.contains_key("version") && map.contains_key("evidence") => {
            Some(Stored {
                level: map.get("level").and_then(Value::as_str).map(str::to_owned),
                evidence: map
                    .get("evidence")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                version: map.get("version").and_then(Value::as_i64)?,
            })
        }
        Value::Object(map) => map.values().find_map(rating_now),
        Value::Array(items) => items.iter().find_map(rating_now),
        _ => None,
    }
}

#[test]
fn many_raters_saving_their_own_ratings_at_once_all_succeed() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let id = open_assessment(&addr)?;
    let slots = slots(&addr, id, CLIENTS)?;
    let started = Instant::now();
    let outcomes = at_once(|i| {
        let slot = &slots[i];
        let level = &slot.levels[i % slot.levels.len()];
        save(&addr, id, slot, level, &format!("client {i}"), slot.version)
    });
    let elapsed = started.elapsed();
    let counts = tally(&outcomes);
    let ok = outcomes
        .iter()
        .filter(|o| o.as_ref().is_ok_and(|r| r.status / 100 == 2))
        .count();
    let stale = counts.get(&409).copied().unwrap_or(0);
    println!(
        "reliability: {CLIENTS} clients saving their own rating at once: {ok} saved (2xx), {stale} stale (409), all statuses {counts:?} (0 = no answer), {} ms",
        elapsed.as_millis()
    );
    let failures: Vec<String> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            Ok(r) if r.status / 100 == 2 => None,
            Ok(r) => Some(format!("client {i}: {} {}", r.status, r.body)),
            Err(e) => Some(format!("client {i}: {e}")),
        })
        .collect();
    ensure!(
        failures.is_empty(),
        "{} saves failed: {failures:#?}",
        failures.len()
    );

    let stored = read_back(&addr, id, &slots)?;
    for (i, (slot, now)) in slots.iter().zip(&stored).enumerate() {
        let want = Stored {
            level: Some(slot.levels[i % slot.levels.len()].clone()),
            evidence: Some(format!("client {i}")),
            version: slot.version + 1,
        };
        ensure!(
            *now == want,
            "{} by {}: stored {now:?}, saved {want:?}",
            slot.indicator,
            slot.rater
        );
    }
    Ok(())
}

#[test]
fn many_saves_of_one_rating_at_one_version_one_wins_the_others_get_409() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let id = open_assessment(&addr)?;
    let slot = slots(&addr, id, 1)?.remove(0);
    let level = |i: usize| slot.levels[i % slot.levels.len()].clone();
    let outcomes = at_once(|i| {
        save(
            &addr,
            id,
            &slot,
            &level(i),
            &format!("device {i}"),
            slot.version,
        )
    });
    let counts = tally(&outcomes);
    let winners: Vec<usize> = (0..CLIENTS)
        .filter(|&i| outcomes[i].as_ref().is_ok_and(|r| r.status / 100 == 2))
        .collect();
    let stale = counts.get(&409).copied().unwrap_or(0);
    let other: usize = CLIENTS - winners.len() - stale;
    println!(
        "reliability: {CLIENTS} clients saving one rating at version {}: {} saved (2xx), {stale} stale (409), {other} other; all statuses {counts:?} (0 = no answer)",
        slot.version,
        winners.len()
    );
    ensure!(
        winners.len() == 1,
        "{} saves won, exactly one should",
        winners.len()
    );
    let w = winners[0];
    let winner = Stored {
        level: Some(level(w)),
        evidence: Some(format!("device {w}")),
        version: slot.version + 1,
    };
    let answered = outcomes[w].as_ref().map_err(|e| e.to_string())?.json()?;
    ensure!(
        answered["version"].as_i64() == Some(winner.version),
        "winner's answer: {answered}"
    );
    // Every loser: 409, and the body says what the winner stored.
    let mut problems = Vec::new();
    let mut carried = 0;
    for (i, outcome) in outcomes.iter().enumerate() {
        if i == w {
            continue;
        }
        let r = match outcome {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("client {i}: no answer: {e}"));
                continue;
            }
        };
        let now = r.json().ok().as_ref().and_then(rating_now);
        if now.as_ref() == Some(&winner) {
            carried += 1;
        } else {
            problems.push(format!(
                "client {i}: the refusal carries {now:?}, the winner saved {winner:?}: {}",
                r.body
            ));
        }
        if r.status != 409 {
            problems.push(format!("client {i}: status {} (want 409)", r.status));
        }
    }
    println!(
        "reliability: of the {} losers, {stale} answered 409 and {carried} carried the winner's value",
        CLIENTS - 1
    );
    let stored = read_back(&addr, id, std::slice::from_ref(&slot))?.remove(0);
    ensure!(
        stored == winner,
        "stored {stored:?}, the winner saved {winner:?}"
    );
    ensure!(
        problems.is_empty(),
        "{} problem(s) with the losers, the first ones: {:#?}",
        problems.len(),
        &problems[..problems.len().min(6)]
    );
    Ok(())
}

/// Writers in the kill test, each on its own rating.
const WRITERS: usize = 8;
/// Saves per writer at most.
const MAX_SAVES: usize = 400;

/// One writer's record: its last acknowledged save and the save it had
/// sent when the server went away (answer never received).
#[derive(Debug, Default, Clone)]
struct Record {
    acknowledged: usize,
    last: Option<Stored>,
    in_flight: Option<Stored>,
    refused: Vec<String>,
}

#[test]
fn saves_acknowledged_before_a_kill_9_are_kept() -> Result {
    let mut server = Server::start()?;
    let addr = server.addr();
    let id = open_assessment(&addr)?;
    let slots = slots(&addr, id, WRITERS)?;
    let stop = AtomicBool::new(false);
    let total = AtomicUsize::new(0);
    let records: Vec<Mutex<Record>> = (0..WRITERS).map(|_| Mutex::default()).collect();
    let deadline = Instant::now() + Duration::from_secs(60);
    std::thread::scope(|s| -> Result {
        for (w, slot) in slots.iter().enumerate() {
            let (stop, total, record, addr) = (&stop, &total, &records[w], &addr);
            s.spawn(move || {
                let mut version = slot.version;
                for n in 0..MAX_SAVES {
                    if stop.load(Ordering::Relaxed) || Instant::now() > deadline {
                        break;
                    }
                    let attempt = Stored {
                        level: Some(slot.levels[n % slot.levels.len()].clone()),
                        evidence: Some(format!("writer {w} save {n}")),
                        version: version + 1,
                    };
                    let level = attempt.level.clone().unwrap_or_default();
                    let evidence = attempt.evidence.clone().unwrap_or_default();
                    let outcome = save(addr, id, slot, &level, &evidence, version);
                    let mut rec = record.lock().expect("record");
                    match outcome {
                        Ok(r) if r.status / 100 == 2 => {
                            rec.acknowledged += 1;
                            rec.last = Some(attempt);
                            version += 1;
                            total.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(r) => {
                            rec.refused.push(format!("{} {}", r.status, r.body));
                            break;
                        }
                        Err(_) => {
                            // No answer: the server is gone. This save may
                            // or may not have been committed.
                            rec.in_flight = Some(attempt);
                            break;
                        }
                    }
                }
            });
        }
        // Kill while the saves stream: after a first batch is acknowledged.
        let wait_until = Instant::now() + Duration::from_secs(30);
        while total.load(Ordering::Relaxed) < 60 && Instant::now() < wait_until {
            std::thread::sleep(Duration::from_millis(5));
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        Ok(())
    })?;
    let acknowledged = total.load(Ordering::Relaxed);
    let records: Vec<Record> = records
        .into_iter()
        .map(|m| m.into_inner().expect("record"))
        .collect();
    let in_flight = records.iter().filter(|r| r.in_flight.is_some()).count();

    server.resume()?;
    let stored = read_back(&addr, id, &slots)?;
    let mut lost = Vec::new();
    let mut committed_unanswered = 0;
    for ((slot, record), now) in slots.iter().zip(&records).zip(&stored) {
        let before = Stored {
            level: None,
            evidence: None,
            version: slot.version,
        };
        let last = record.last.as_ref().unwrap_or(&before);
        let kept_last = now.version == last.version
            && (record.last.is_none()
                || (now.level == last.level && now.evidence == last.evidence));
        let kept_in_flight = record.in_flight.as_ref() == Some(now);
        if kept_in_flight {
            committed_unanswered += 1;
        }
        if !(kept_last || kept_in_flight) {
            lost.push(format!(
                "{} by {}: last acknowledged {last:?}, in flight {:?}, stored after restart {now:?}",
                slot.indicator, slot.rater, record.in_flight
            ));
        }
    }
    println!(
        "reliability: kill -9 during a stream of saves by {WRITERS} writers: {acknowledged} saves acknowledged before the kill, {in_flight} in flight ({committed_unanswered} of them committed), acknowledged saves lost: {}",
        lost.len()
    );
    let refused: Vec<&String> = records.iter().flat_map(|r| &r.refused).collect();
    ensure!(
        refused.is_empty(),
        "saves refused before the kill: {refused:#?}"
    );
    ensure!(acknowledged > 0, "no save was acknowledged before the kill");
    ensure!(lost.is_empty(), "acknowledged saves lost: {lost:#?}");
    Ok(())
}

/// The variable naming a command that restarts, stops or starts the
/// tests' PostgreSQL server (set by `.ci/with-postgres`).
const POSTGRES_CTL: &str = "CAPACITY_TEST_POSTGRES_CTL";

/// `GET path` as the harness's session, the whole answer.
fn get_page(addr: &str, path: &str) -> Result<Response> {
    capacity_e2e::send(
        addr,
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
}

/// Runs `$CAPACITY_TEST_POSTGRES_CTL action`; how long it took.
fn postgres_ctl(action: &str) -> Result<Duration> {
    let ctl = std::env::var(POSTGRES_CTL)
        .map_err(|_| format!("{POSTGRES_CTL} is not set: run this test under .ci/with-postgres"))?;
    let started = Instant::now();
    let status = std::process::Command::new(&ctl)
        .arg(action)
        .status()
        .map_err(|e| format!("cannot run {ctl}: {e}"))?;
    ensure!(status.success(), "{ctl} {action} failed: {status}");
    Ok(started.elapsed())
}
/// Ratings saved before and after the database restart.
const RESTART_SLOTS: usize = 8;

/// Every client at once: the first [`RESTART_SLOTS`] save their rating
/// at `version(slot)` with `evidence`, the others read the results page
/// and an entry page (every pool of the server in use). Fails unless
/// every answer is a success.
fn saves_and_reads_at_once(
    addr: &str,
    id: i64,
    slots: &[Slot],
    evidence: &str,
    version: impl Fn(&Slot) -> i64 + Sync,
) -> Result {
    let results = format!("/evaluations/{id}/resultats");
    let outcomes = at_once(|i| -> Result<u16> {
        if let Some(slot) = slots.get(i) {
            let level = &slot.levels[i % slot.levels.len()];
            return Ok(save(addr, id, slot, level, evidence, version(slot))?.status);
        }
        let (status, _) = capacity_e2e::http_get(addr, &results)?;
        if status != 200 {
            return Ok(status);
        }
        let slot = &slots[i % slots.len()];
        Ok(server_fn(
            addr,
            "load_entry",
            &[
                ("id", &id.to_string()),
                ("rater", &slot.rater),
                ("competency", &slot.competency),
            ],
        )?
        .status)
    });
    let failures: Vec<String> = outcomes
        .iter()
        .enumerate()
        .filter_map(|(i, o)| match o {
            Ok(status) if status / 100 == 2 => None,
            Ok(status) => Some(format!("client {i}: status {status}")),
            Err(e) => Some(format!("client {i}: {e}")),
        })
        .collect();
    ensure!(
        failures.is_empty(),
        "{evidence}: {} requests failed: {failures:#?}",
        failures.len()
    );
    Ok(())
}

#[test]
#[ignore = "needs PostgreSQL: ./x test runs it under .ci/with-postgres (--include-ignored)"]
fn once_postgresql_has_restarted_every_request_succeeds_again() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let id = open_assessment(&addr)?;
    let slots = slots(&addr, id, RESTART_SLOTS)?;
    // Every pool's connections open and used just before the restart.
    saves_and_reads_at_once(&addr, id, &slots, "before the restart", |s| s.version)?;

    let took = postgres_ctl("restart")?;
    // The server's connections all died with the restart. One idle for
    // 500 ms or more is pinged before use, found dead and replaced (one
    // used more recently is taken as alive): past that, no request may
    // see a dead one.
    std::thread::sleep(Duration::from_secs(1));
    saves_and_reads_at_once(&addr, id, &slots, "after the restart", |s| s.version + 1)?;

    // Both rounds of saves are kept, the second over the first, and the
    // session that made them outlived the restart (the saves need it).
    let stored = read_back(&addr, id, &slots)?;
    for (i, (slot, now)) in slots.iter().zip(&stored).enumerate() {
        let want = Stored {
            level: Some(slot.levels[i % slot.levels.len()].clone()),
            evidence: Some("after the restart".to_owned()),
            version: slot.version + 2,
        };
        ensure!(
            *now == want,
            "{} by {}: stored {now:?}, saved {want:?}",
            slot.indicator,
            slot.rater
        );
    }
    println!(
        "reliability: PostgreSQL restarted in {} ms under a running server; {CLIENTS} requests at once before and after it all succeeded",
        took.as_millis()
    );
    Ok(())
}

#[test]
#[ignore = "needs PostgreSQL: ./x test runs it under .ci/with-postgres (--include-ignored)"]
fn while_postgresql_is_down_requests_answer_503_with_retry_after() -> Result {
    let server = Server::start()?;
    let addr = server.addr();
    let id = open_assessment(&addr)?;
    let slots = slots(&addr, id, 1)?;
    let slot = &slots[0];
    let results = format!("/evaluations/{id}/resultats");
    let entry = |addr: &str| {
        server_fn(
            addr,
            "load_entry",
            &[
                ("id", &id.to_string()),
                ("rater", &slot.rater),
                ("competency", &slot.competency),
            ],
        )
    };
    let saved = save(
        &addr,
        id,
        slot,
        &slot.levels[0],
        "avant l'arrêt",
        slot.version,
    )?;
    ensure!(
        saved.status == 200,
        "save before the stop: {}",
        saved.status
    );
    ensure!(entry(&addr)?.status == 200, "entry before the stop");

    postgres_ctl("stop")?;
    let outcome = (|| -> Result {
        // Past the window in which a connection just used is taken as
        // alive: each request finds the database gone.
        std::thread::sleep(Duration::from_millis(700));
        let answers = [
            (
                "a save",
                save(
                    &addr,
                    id,
                    slot,
                    &slot.levels[1],
                    "pendant l'arrêt",
                    slot.version + 1,
                )?,
            ),
            ("an entry page's data", entry(&addr)?),
            ("the results page", get_page(&addr, &results)?),
        ];
        for (what, answer) in &answers {
            ensure!(
                answer.status == 503 && answer.header("retry-after").is_some(),
                "{what} while the database is down: {} {:?}, not 503 with Retry-After: {}",
                answer.status,
                answer.header("retry-after"),
                answer.body.chars().take(300).collect::<String>()
            );
        }
        // Server functions answer the error the hydrated page retries.
        for (what, answer) in &answers[..2] {
            let busy = answer.json().ok().and_then(|v| v.get("Busy").cloned());
            ensure!(
                busy.is_some(),
                "{what} while the database is down: not a busy error the page retries: {}",
                answer.body.chars().take(300).collect::<String>()
            );
        }
        Ok(())
    })();
    postgres_ctl("start")?;
    outcome?;

    // Back: the same save now succeeds, and nothing was written meanwhile.
    std::thread::sleep(Duration::from_millis(700));
    let saved = save(
        &addr,
        id,
        slot,
        &slot.levels[1],
        "après l'arrêt",
        slot.version + 1,
    )?;
    ensure!(
        saved.status == 200,
        "the save once the database is back: {} {}",
        saved.status,
        saved.body
    );
    let stored = read_back(&addr, id, &slots)?;
    ensure!(
        stored[0].evidence.as_deref() == Some("après l'arrêt")
            && stored[0].version == slot.version + 2,
        "stored after the stop: {:?}",
        stored[0]
    );
    ensure!(
        get_page(&addr, &results)?.status == 200,
        "results page once back"
    );
    Ok(())
}
