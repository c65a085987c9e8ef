//! Two server processes on one database (one SQLite file in WAL mode), as
//! a deployment with several servers behind a load balancer runs them:
//! nothing that correctness depends on stays in one process. A login on
//! one is valid on the other; a write through one is seen through the
//! other on the next request, kept pages included (pages keyed on the
//! store's generation and results pages keyed on revisions); a stale save
//! through one is refused (409) through the other; a form error kept by
//! one (`?erreur=TOKEN`) and an import preview kept by one are read
//! through the other; both answer `/ready`. Also: the configuration file
//! with flags and environment variables over it, and a refused unknown key.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use capacity_e2e::{
    Result, Server, call_as, ensure, http_get, page_as, send_as, server_fn_request,
};

#[test]
fn two_servers_on_one_database_answer_as_one() -> Result {
    let one = Server::start_as(None)?;
    let two = one.beside()?;
    let (a, b) = (one.addr(), two.addr());
    for addr in [&a, &b] {
        let (status, body) = http_get(addr, "/ready")?;
        ensure!(
            status == 200 && body.contains(r#""status":"ready""#),
            "ready at {addr}: {status} {body}"
        );
    }

    // A login on one is valid on the other.
    let admin = one.login("admin")?;
    let visitor = send_as(&b, None, &server_fn_request(&b, "load_accounts", &[]))?;
    ensure!(visitor.status == 401, "visitor: {}", visitor.status);
    let accounts = call_as(&b, &admin, "load_accounts", &[])?;
    ensure!(
        accounts["accounts"]
            .as_array()
            .is_some_and(|a| !a.is_empty()),
        "the administrators' page through the second server: {accounts}"
    );

    // A facilitator logged in on the second creates an assessment; its
    // entry and results pages are rendered (and kept) by the second.
    let facilitator = two.login("animateur")?;
    let id = call_as(
        &b,
        &facilitator,
        "create_assessment",
        &[
            ("commune", "ml-mopti-bandiagara"),
            ("campaign", "demo"),
            ("date", "2026-02-10"),
            ("rater_name[0]", "Awa Guindo"),
            ("rater_role[0]", "elected"),
        ],
    )?
    .as_i64()
    .ok_or("no id")?
    .to_string();
    let entry = call_as(
        &a,
        &facilitator,
        "load_entry",
        &[("id", &id), ("rater", "r1"), ("competency", "")],
    )?;
    let indicator = entry["indicators"][0]["id"]
        .as_str()
        .ok_or("no indicator")?
        .to_owned();
    let level = entry["levels"][0]["code"]
        .as_str()
        .ok_or("no level")?
        .to_owned();
    let entry_page = format!("/evaluations/{id}/saisie?rater=r1&competence=");
    let results_page = format!("/evaluations/{id}/resultats");
    let marker = "procès-verbal-du-conseil-2026";
    for path in [&entry_page, &results_page] {
        for _ in 0..2 {
            let body = page_as(&b, &facilitator, path)?;
            ensure!(!body.contains(marker), "{path} before the save");
        }
    }

    // Saved through the first: the second's next answers show it.
    let save = |addr: &str, version: &str| {
        send_as(
            addr,
            Some(&facilitator),
            &server_fn_request(
                addr,
                "save_rating",
                &[
                    ("id", &id),
                    ("indicator", &indicator),
                    ("rater", "r1"),
                    ("level", &level),
                    ("evidence", marker),
                    ("version", version),
                ],
            ),
        )
    };
    let saved = save(&a, "0")?;
    ensure!(saved.status == 200, "save: {} {}", saved.status, saved.body);
    for path in [&entry_page, &results_page] {
        let body = page_as(&b, &facilitator, path)?;
        ensure!(
            body.contains(marker),
            "{path} through the second server after a save through the first"
        );
    }

    // The same version again, through the second: stale.
    let stale = save(&b, "0")?;
    ensure!(
        stale.status == 409,
        "stale save through the second: {} {}",
        stale.status,
        stale.body
    );

    // A plain form refused by the first: its error is read through the
    // second.
    let back = "/evaluer";
    let body = "commune=ml-mopti-bandiagara&campaign=demo&date=not-a-date&rater_name%5B0%5D=Awa&rater_role%5B0%5D=elected";
    let post = format!(
        "POST /api/create_assessment HTTP/1.1\r\nHost: {a}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\nReferer: http://{a}{back}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let r = send_as(&a, Some(&facilitator), post.as_bytes())?;
    let location = r
        .header("location")
        .ok_or_else(|| format!("no redirect: {} {}", r.status, r.body))?
        .to_owned();
    ensure!(
        location.starts_with(&format!("{back}?erreur=")),
        "{location}"
    );
    let shown = page_as(&b, &facilitator, &location)?;
    ensure!(
        shown.contains("data-testid=\"form-error\""),
        "the error kept by the first server, shown by the second"
    );
    ensure!(
        !page_as(&b, &facilitator, &format!("{back}?erreur=0123abcd"))?
            .contains("data-testid=\"form-error\""),
        "an unknown token shows nothing"
    );

    // A register import previewed through the first, applied through the
    // second.
    let file = "id,name,region,cercle,kind,population,setting,transferred\n\
                ml-mopti-deux-serveurs,Deux Serveurs,Mopti,Bandiagara,commune,1200,,\n";
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("text", file);
    let upload = form.finish();
    let post = format!(
        "POST /admin/import-communes HTTP/1.1\r\nHost: {a}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{upload}",
        upload.len()
    );
    let r = send_as(&a, Some(&admin), post.as_bytes())?;
    let preview = r
        .header("location")
        .ok_or_else(|| format!("no preview: {} {}", r.status, r.body))?
        .to_owned();
    let token = preview
        .split("apercu=")
        .nth(1)
        .ok_or_else(|| format!("no token in {preview}"))?
        .to_owned();
    ensure!(
        page_as(&b, &admin, &preview)?.contains("Deux Serveurs"),
        "the preview kept by the first, shown by the second"
    );
    let applied = call_as(&b, &admin, "apply_register_import", &[("token", &token)])?;
    ensure!(applied["communes"] == 1, "applied: {applied}");
    ensure!(
        page_as(&a, &admin, "/admin/communes/ml-mopti-deux-serveurs")?.contains("Deux Serveurs"),
        "the applied import, through the first"
    );
    Ok(())
}

/// Waits until `/health` answers at `addr`, or the process ends.
fn wait_health(addr: &str, child: &mut std::process::Child) -> Result<bool> {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if let Ok((200, _)) = http_get(addr, "/health") {
            return Ok(true);
        }
        if child.try_wait()?.is_some() {
            return Ok(false);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(false)
}

#[test]
fn a_configuration_file_is_read_below_flags_and_environment() -> Result {
    let dir = std::env::temp_dir().join(format!("capacity-e2e-config-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let free = || -> Result<u16> {
        Ok(std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port())
    };
    let (file_port, env_port) = (free()?, free()?);
    let site = capacity_e2e::target_dir().join("site");
    let config = dir.join("capacity.toml");
    std::fs::write(
        &config,
        format!(
            "port = {file_port}\ndata-dir = \"{}\"\nsite-root = \"{}\"\nlog-format = \"json\"\n",
            dir.join("data").display(),
            site.display()
        ),
    )?;
    // The environment wins over the file: the server listens on env_port.
    let mut child = Command::new(Server::binary())
        .env("CAPACITY_CONFIG", &config)
        .env("CAPACITY_PORT", env_port.to_string())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let up = wait_health(&format!("127.0.0.1:{env_port}"), &mut child)?;
    let _ = child.kill();
    let _ = child.wait();
    ensure!(
        up,
        "the server did not answer on the port of the environment"
    );
    ensure!(
        dir.join("data").join("capacity.sqlite3").is_file(),
        "the data directory of the file is used"
    );

    // An unknown key stops the start, naming the key and the file.
    std::fs::write(&config, "prot = 8080\n")?;
    let out = Command::new(Server::binary())
        .arg("--config")
        .arg(&config)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(!out.status.success(), "an unknown key was accepted");
    ensure!(
        stderr.contains("prot") && stderr.contains("capacity.toml"),
        "the message names the key and the file: {stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
