//! The server over plain HTTP: health, language negotiation, redirects, 404.

use capacity_e2e::{Result, Server, ensure, http_get, http_request};

fn addr(server: &Server) -> String {
    server.url.trim_start_matches("http://").to_owned()
}

fn get_with(addr: &str, path: &str, header: &str) -> Result<String> {
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{header}\r\nConnection: close\r\n\r\n");
    Ok(http_request(addr, &request)?.1)
}

#[test]
fn health_language_and_not_found() -> Result {
    let server = Server::start()?;
    let a = addr(&server);

    let (status, body) = http_get(&a, "/health")?;
    ensure!(status == 200, "health status {status}");
    ensure!(body.contains(r#""status":"ok""#), "health body: {body}");

    // French by default, English from Accept-Language, the cookie wins.
    let (_, fr) = http_get(&a, "/")?;
    ensure!(fr.contains(r#"<html lang="fr""#), "default is not French");
    ensure!(fr.contains("Bienvenue"), "French home text missing");
    let en = get_with(&a, "/", "Accept-Language: en-GB,en;q=0.9")?;
    ensure!(
        en.contains(r#"<html lang="en""#),
        "Accept-Language en ignored"
    );
    ensure!(en.contains("Welcome"), "English home text missing");
    let cookie = get_with(&a, "/", "Accept-Language: en\r\nCookie: capacity_lang=fr")?;
    ensure!(
        cookie.contains(r#"<html lang="fr""#),
        "cookie does not win over Accept-Language"
    );

    // The no-JS switch sets the cookie and only redirects locally.
    let (status, resp) = http_get(&a, "/lang/en?to=/comparer")?;
    ensure!(status == 303, "switch status {status}");
    ensure!(
        resp.contains("location: /comparer"),
        "switch redirect: {resp}"
    );
    ensure!(resp.contains("capacity_lang=en"), "switch cookie: {resp}");
    let (_, resp) = http_get(&a, "/lang/en?to=//evil.example")?;
    ensure!(resp.contains("location: /\r\n"), "open redirect: {resp}");
    let (status, _) = http_get(&a, "/lang/de")?;
    ensure!(status == 404, "unknown language status {status}");

    let (status, body) = http_get(&a, "/no-such-page")?;
    ensure!(status == 404, "unknown page status {status}");
    ensure!(body.contains("Page introuvable"), "404 page text missing");
    Ok(())
}
