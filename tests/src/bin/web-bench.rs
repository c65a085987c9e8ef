//! `web-bench`: the web app's figures at national scale, over plain HTTP
//! to 127.0.0.1, for `./x bench`.
//!
//! It starts the server binary named by `CAPACITY_WEB_BIN` (a *release*
//! build: figures of a debug build mean nothing) with `--synthetic 703`
//! (703 communes × 2 rounds, 1,406 assessments) on a free port and a new
//! data directory, and measures what planners and councils wait for:
//! the compare page on the first request after a start and after a save
//! in another commune, a grant simulation with new parameters, 200
//! distinct simulations 64 at a time with `/health` polled meanwhile, the
//! downloads, results pages on their first request (nothing computed or
//! rendered before), and one results page asked for with a new query
//! string every time (so the page cache never answers; what the server
//! keeps below it, per assessment revision, may) alone and under 64
//! connections, and as readers ask for it (one address) under 64
//! connections while 50 raters save in other communes; then the ratings
//! those 50 raters save per second, and with a second server on the same
//! database (a deployment behind a load balancer) the results page under
//! 64 connections shared between both and the ratings saved per second
//! through both. Run under `.ci/with-postgres`, the servers use a
//! PostgreSQL database (see the e2e harness), else a SQLite file.
//!
//! Each figure is printed and written as `key<TAB>value` (nanoseconds,
//! bytes for page sizes, or a count per second) to the file given with `--out`, which `./x bench`
//! reads. Timing is wall-clock on loopback; nothing here asserts on it.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use capacity_e2e::{Response, Result, Server, send, server_fn};
use serde_json::Value;

/// Communes of the synthetic dataset.
const COMMUNES: &str = "703";
/// Distinct grant queries, and how many run at once.
const GRANT_QUERIES: usize = 200;
const GRANT_CONCURRENCY: usize = 64;
/// Results-page requests per connection under load, and connections.
const RESULTS_CONNECTIONS: usize = 64;
const RESULTS_PER_CONNECTION: usize = 20;
/// Raters saving in other communes meanwhile.
const RATERS: usize = 50;

fn main() {
    let out = std::env::args()
        .skip_while(|a| a != "--out")
        .nth(1)
        .map(std::path::PathBuf::from);
    match run() {
        Ok(figures) => {
            if let Some(path) = out {
                let text: String = figures.iter().map(|(k, v)| format!("{k}\t{v}\n")).collect();
                if let Err(e) = std::fs::write(&path, text) {
                    eprintln!("web-bench: cannot write {}: {e}", path.display());
                    std::process::exit(3);
                }
            }
        }
        Err(e) => {
            eprintln!("web-bench: {e}");
            std::process::exit(1);
        }
    }
}

/// The figures measured, in order.
#[derive(Default)]
struct Figures(Vec<(String, u128)>);

impl Figures {
    fn time(&mut self, key: &str, d: Duration) {
        println!("{key:<34} {:>10.1} ms", d.as_secs_f64() * 1e3);
        self.0.push((key.to_owned(), d.as_nanos()));
    }

    fn bytes(&mut self, key: &str, n: usize) {
        println!("{key:<34} {:>10.1} KB", n as f64 / 1e3);
        self.0.push((key.to_owned(), n as u128));
    }

    fn rate(&mut self, key: &str, per_second: f64) {
        println!("{key:<34} {per_second:>10.0} /s");
        self.0.push((key.to_owned(), per_second.round() as u128));
    }

    fn iter(&self) -> impl Iterator<Item = &(String, u128)> {
        self.0.iter()
    }
}

/// `GET path`: the response and how long it took, failing unless 200.
fn get(addr: &str, path: &str) -> Result<(Response, Duration)> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept-Language: fr\r\nConnection: close\r\n\r\n"
    );
    let started = Instant::now();
    let r = send(addr, request.as_bytes())?;
    let took = started.elapsed();
    if r.status != 200 {
        return Err(format!(
            "GET {path}: status {} {}",
            r.status,
            r.body.chars().take(200).collect::<String>()
        )
        .into());
    }
    Ok((r, took))
}

fn percentile(samples: &mut [Duration], q: f64) -> Duration {
    samples.sort();
    if samples.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * samples.len() as f64).ceil() as usize).clamp(1, samples.len());
    samples[rank - 1]
}

fn median(samples: &mut [Duration]) -> Duration {
    percentile(samples, 0.5)
}

fn json(r: Response, what: &str) -> Result<Value> {
    if r.status != 200 {
        return Err(format!("{what}: status {} {}", r.status, r.body).into());
    }
    r.json()
}

/// One rating a rater can save again and again (the level alternates).
struct Rating {
    assessment: i64,
    indicator: String,
    rater: String,
    levels: [String; 2],
    version: i64,
    turn: usize,
}

impl Rating {
    /// The first applicable rating of the first rater of open assessment `id`.
    fn of(addr: &str, id: i64) -> Result<Rating> {
        let overview = json(
            server_fn(addr, "load_overview", &[("id", &id.to_string())])?,
            "load_overview",
        )?;
        let rater = overview["header"]["raters"][0]["id"]
            .as_str()
            .ok_or("an open assessment without raters")?
            .to_owned();
        let competency = overview["competencies"][0]["id"]
            .as_str()
            .ok_or("a rubric without competencies")?
            .to_owned();
        let entry = json(
            server_fn(
                addr,
                "load_entry",
                &[
                    ("id", &id.to_string()),
                    ("rater", &rater),
                    ("competency", &competency),
                ],
            )?,
            "load_entry",
        )?;
        let levels: Vec<String> = entry["levels"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|l| l["code"].as_str().map(str::to_owned))
            .collect();
        let indicator = entry["indicators"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|i| i["not_applicable_by_rule"] != true)
            .ok_or("no applicable indicator")?;
        Ok(Rating {
            assessment: id,
            indicator: indicator["id"].as_str().unwrap_or_default().to_owned(),
            rater,
            levels: [
                levels.first().cloned().ok_or("no levels")?,
                levels.get(1).cloned().ok_or("one level only")?,
            ],
            version: indicator["version"].as_i64().unwrap_or(0),
            turn: 0,
        })
    }

    /// Saves the next level; returns how long the save took.
    fn save(&mut self, addr: &str) -> Result<Duration> {
        self.turn += 1;
        let level = &self.levels[self.turn % 2];
        let started = Instant::now();
        let r = server_fn(
            addr,
            "save_rating",
            &[
                ("id", &self.assessment.to_string()),
                ("indicator", &self.indicator),
                ("rater", &self.rater),
                ("level", level),
                ("evidence", "banc d'essai"),
                ("version", &self.version.to_string()),
            ],
        )?;
        let took = started.elapsed();
        let saved = json(r, "save_rating")?;
        self.version = saved["version"]
            .as_i64()
            .ok_or("save_rating answered no version")?;
        Ok(took)
    }
}

/// The server's assessments: (id, commune, finalised), from `list_results`.
fn assessments(addr: &str) -> Result<Vec<(i64, String, bool)>> {
    let list = json(server_fn(addr, "list_results", &[])?, "list_results")?;
    Ok(list
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| {
            Some((
                a["id"].as_i64()?,
                a["commune"].as_str()?.to_owned(),
                a["finalised"].as_bool()?,
            ))
        })
        .collect())
}

fn run() -> Result<Figures> {
    if std::env::var_os("CAPACITY_WEB_BIN").is_none() {
        return Err("set CAPACITY_WEB_BIN to a release capacity-web (./x bench does)".into());
    }
    let mut f = Figures::default();
    let started = Instant::now();
    let mut server = Server::start_with(&["--synthetic", COMMUNES])?;
    println!(
        "server with --synthetic {COMMUNES} answered after {:.1} s (new database, seeded)",
        started.elapsed().as_secs_f64()
    );
    let addr = server.addr();

    // The first compare page after a start: restart on the same data, so
    // nothing is in memory.
    server.stop();
    server.resume()?;
    let (page, took) = get(&addr, "/comparer")?;
    f.time("compare_first_after_start", took);
    f.bytes("compare_page_bytes", page.body.len());
    let (_, took) = get(&addr, "/comparer")?;
    f.time("compare_again", took);

    // The downloads, each first after a start.
    for (key, path) in [
        ("export_csv_first", "/comparer/export.csv"),
        ("export_xlsx_first", "/comparer/export.xlsx"),
    ] {
        server.stop();
        server.resume()?;
        let (_, took) = get(&addr, path)?;
        f.time(key, took);
    }

    // The grant simulation's page (a build before it had its own page
    // simulated on the compare page: measured there).
    let probe =
        format!("GET /comparer/subventions HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    let grants_path = if send(&addr, probe.as_bytes())?.status == 404 {
        "/comparer"
    } else {
        "/comparer/subventions"
    };

    let all = assessments(&addr)?;
    let finalised = all
        .iter()
        .find(|a| a.2)
        .map(|a| a.0)
        .ok_or("no finalised assessment")?;
    let mut communes_seen = BTreeSet::new();
    let open: Vec<i64> = all
        .iter()
        .filter(|a| !a.2 && communes_seen.insert(a.1.clone()))
        .map(|a| a.0)
        .collect();
    if open.len() < RATERS + 1 {
        return Err(format!("{} open assessments, need {}", open.len(), RATERS + 1).into());
    }

    // After a save in another commune: every kept page is older than the
    // data, one commune's results changed.
    let _ = get(&addr, "/comparer")?;
    let mut other = Rating::of(&addr, open[0])?;
    let mut samples = Vec::new();
    for _ in 0..5 {
        other.save(&addr)?;
        samples.push(get(&addr, "/comparer")?.1);
    }
    f.time("compare_after_save", median(&mut samples));

    // A grant simulation with parameters nobody asked for before.
    let mut samples = Vec::new();
    let mut bytes = 0;
    for i in 0..5 {
        let (page, took) = get(
            &addr,
            &format!("{grants_path}?pool={}&threshold=40", 100_000_000 + i),
        )?;
        bytes = page.body.len();
        samples.push(took);
    }
    f.time("grants_new_parameters", median(&mut samples));
    f.bytes("grants_page_bytes", bytes);
    for (key, path) in [
        ("export_csv", "/comparer/export.csv"),
        ("export_xlsx", "/comparer/export.xlsx"),
        (
            "export_grants_csv",
            "/comparer/subventions.csv?pool=123456789&threshold=40",
        ),
    ] {
        let mut samples = Vec::new();
        for _ in 0..3 {
            samples.push(get(&addr, path)?.1);
        }
        f.time(key, median(&mut samples));
    }

    // 200 distinct simulations, 64 at a time, /health polled meanwhile.
    let (mut grants, mut health) = concurrent_grants(&addr, grants_path)?;
    f.time("grants_64_concurrent_p50", percentile(&mut grants, 0.5));
    f.time("grants_64_concurrent_p99", percentile(&mut grants, 0.99));
    f.time("health_during_grants_p99", percentile(&mut health, 0.99));

    // Results pages nobody asked for before: each computed (scores,
    // explanations, charts) and rendered on the first request.
    let mut samples = Vec::new();
    for (id, _, _) in all.iter().filter(|a| a.2 && a.0 != finalised).take(30) {
        samples.push(get(&addr, &format!("/evaluations/{id}/resultats"))?.1);
    }
    f.time("results_first_request", median(&mut samples));

    // One results page, a new address every time: the page cache never
    // answers.
    let results = format!("/evaluations/{finalised}/resultats");
    let _ = get(&addr, &results)?;
    let mut samples = Vec::new();
    for i in 0..30 {
        samples.push(get(&addr, &format!("{results}?n=single-{i}"))?.1);
    }
    f.time("results_uncached", median(&mut samples));
    let mut samples = results_under_load(&[&addr], &results, Some("load"), None)?;
    f.time("results_64_conns_p99", percentile(&mut samples, 0.99));
    let mut raters: Vec<Rating> = open
        .iter()
        .skip(1)
        .take(RATERS)
        .map(|id| Rating::of(&addr, *id))
        .collect::<Result<_>>()?;
    // The page as readers ask for it (one address): every save elsewhere
    // moves the store's generation, so kept pages keep going stale.
    let mut samples = results_under_load(&[&addr], &results, None, Some(&mut raters))?;
    f.time("results_p99_with_50_raters", percentile(&mut samples, 0.99));

    // Ratings saved per second by the 50 raters, back to back.
    f.rate(
        "ratings_saved_per_s",
        saves_per_second(&[&addr], &mut raters)?,
    );

    // A second server on the same database (a deployment behind a load
    // balancer), the requests shared between both.
    let second = server.beside()?;
    second.use_session_of(&server);
    let second_addr = second.addr();
    let both = [addr.as_str(), second_addr.as_str()];
    let mut samples = results_under_load(&both, &results, Some("two"), None)?;
    f.time("two_servers_results_64_p50", percentile(&mut samples, 0.5));
    f.time("two_servers_results_64_p99", percentile(&mut samples, 0.99));
    f.rate(
        "two_servers_ratings_saved_per_s",
        saves_per_second(&both, &mut raters)?,
    );
    drop(second);
    Ok(f)
}

/// How long the raters save back to back for [`saves_per_second`].
const SAVING: Duration = Duration::from_secs(5);

/// Saves per second of the raters saving back to back for [`SAVING`],
/// rater `i` through server `addrs[i % n]`; fails if any save fails.
fn saves_per_second(addrs: &[&str], raters: &mut [Rating]) -> Result<f64> {
    let saves = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|s| {
        for (i, rating) in raters.iter_mut().enumerate() {
            let addr = addrs[i % addrs.len()];
            let (saves, failures) = (&saves, &failures);
            s.spawn(move || {
                while started.elapsed() < SAVING {
                    match rating.save(addr) {
                        Ok(_) => {
                            saves.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            if let Ok(mut f) = failures.lock() {
                                f.push(e.to_string());
                            }
                            break;
                        }
                    }
                }
            });
        }
    });
    let took = started.elapsed().as_secs_f64();
    let failures = failures.into_inner().unwrap_or_default();
    if let Some(first) = failures.first() {
        return Err(format!("{} raters' saves failed, first: {first}", failures.len()).into());
    }
    Ok(saves.load(Ordering::Relaxed) as f64 / took)
}

/// Runs the 200 distinct grant queries, 64 threads taking the next one,
/// while one thread requests `/health` back to back.
fn concurrent_grants(addr: &str, grants_path: &str) -> Result<(Vec<Duration>, Vec<Duration>)> {
    let next = AtomicUsize::new(0);
    let done = AtomicBool::new(false);
    let times = Mutex::new(Vec::new());
    let failures = Mutex::new(Vec::new());
    let health = std::thread::scope(|s| {
        let poller = s.spawn(|| {
            let mut v = Vec::new();
            while !done.load(Ordering::Relaxed) {
                if let Ok((_, took)) = get(addr, "/health") {
                    v.push(took);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            v
        });
        let workers: Vec<_> = (0..GRANT_CONCURRENCY)
            .map(|_| {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= GRANT_QUERIES {
                            break;
                        }
                        let path = format!(
                            "{grants_path}?pool={}&threshold={}",
                            200_000_000 + i,
                            30 + i % 40
                        );
                        match get(addr, &path) {
                            Ok((_, took)) => times.lock().map(|mut t| t.push(took)).unwrap_or(()),
                            Err(e) => failures
                                .lock()
                                .map(|mut f| f.push(e.to_string()))
                                .unwrap_or(()),
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            let _ = w.join();
        }
        done.store(true, Ordering::Relaxed);
        poller.join().unwrap_or_default()
    });
    let failures = failures.into_inner().unwrap_or_default();
    if !failures.is_empty() {
        return Err(format!(
            "{} grant queries failed, first: {}",
            failures.len(),
            failures[0]
        )
        .into());
    }
    Ok((times.into_inner().unwrap_or_default(), health))
}

/// 64 connections each asking for the results page 20 times, connection
/// `c` at server `addrs[c % n]` (with `tag`,
/// a new query string every time, so that the page cache never answers);
/// with `raters`, each rater saves back to back in its own commune
/// meanwhile.
fn results_under_load(
    addrs: &[&str],
    path: &str,
    tag: Option<&str>,
    raters: Option<&mut Vec<Rating>>,
) -> Result<Vec<Duration>> {
    let done = AtomicBool::new(false);
    let barrier = Barrier::new(RESULTS_CONNECTIONS);
    let saves = AtomicUsize::new(0);
    let (times, errors) = std::thread::scope(|s| {
        let savers: Vec<_> = raters
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, rating)| {
                let addr = addrs[i % addrs.len()];
                let (done, saves) = (&done, &saves);
                s.spawn(move || {
                    while !done.load(Ordering::Relaxed) {
                        if rating.save(addr).is_ok() {
                            saves.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                })
            })
            .collect();
        let readers: Vec<_> = (0..RESULTS_CONNECTIONS)
            .map(|c| {
                let barrier = &barrier;
                let addr = addrs[c % addrs.len()];
                s.spawn(move || {
                    barrier.wait();
                    let mut v = Vec::new();
                    let mut errors = 0usize;
                    for i in 0..RESULTS_PER_CONNECTION {
                        let target = match tag {
                            Some(tag) => format!("{path}?n={tag}-{c}-{i}"),
                            None => path.to_owned(),
                        };
                        match get(addr, &target) {
                            Ok((_, took)) => v.push(took),
                            Err(_) => errors += 1,
                        }
                    }
                    (v, errors)
                })
            })
            .collect();
        let mut times = Vec::new();
        let mut errors = 0;
        for r in readers {
            if let Ok((v, e)) = r.join() {
                times.extend(v);
                errors += e;
            }
        }
        done.store(true, Ordering::Relaxed);
        for s in savers {
            let _ = s.join();
        }
        (times, errors)
    });
    if errors > 0 {
        return Err(format!("{errors} results pages failed under load").into());
    }
    let saves = saves.load(Ordering::Relaxed);
    if saves > 0 {
        println!("  ({saves} saves by {RATERS} raters meanwhile)");
    }
    Ok(times)
}
