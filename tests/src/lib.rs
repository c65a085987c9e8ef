//! Harness for the workspace-level browser and HTTP tests.
//!
//! It starts the *built* server binary (`target/debug/capacity-web`, the
//! one `./x test` builds, unless `CAPACITY_WEB_BIN` names another) on a
//! free port with a fresh data directory, and a Debian `chromedriver`
//! driving headless Chromium, with JavaScript on or off. A missing binary,
//! site or driver is a failure with a message saying how to build it, never
//! a skipped test. When a check fails, a screenshot is written to
//! `target/browser-screenshots/`. The plain-HTTP helpers ([`send`],
//! [`server_fn`]) speak HTTP/1.1 over a socket to 127.0.0.1 only.
//!
//! Accounts. The server starts with `--demo`: the sample data and one
//! demonstration account per role, whose passwords it writes to
//! `demo-accounts.txt` in its data directory ([`Server::password`]).
//! [`Server::start`] then logs in as the demo administrator and the plain
//! HTTP helpers send that session's cookie to that server (registered per
//! address), so the tests of workflows act as someone allowed to do them;
//! [`Server::start_as`] chooses another account or none (a visitor), and
//! [`login`] / [`send_as`] give the tests of roles a session each.
//! Browser tests log in through the login page ([`login_browser`]).

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};

/// Boxed error for test bodies.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
/// Result of a test body.
pub type Result<T = ()> = std::result::Result<T, Error>;

/// Cargo's target directory (`CARGO_TARGET_DIR` or `<workspace>/target`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// Root of the workspace (parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// A child process killed on drop.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The web app server, started from its built binary.
pub struct Server {
    child: Option<Guard>,
    /// Base URL, e.g. `http://127.0.0.1:40123`.
    pub url: String,
    /// Its data directory (removed on drop).
    pub data_dir: PathBuf,
    port: u16,
    demo: bool,
    /// More arguments of the server (e.g. `--synthetic 703`).
    args: Vec<String>,
    /// Whether the data directory is this server's (removed on drop), or
    /// another server's it shares ([`Server::beside`]).
    owns_data: bool,
    /// Its PostgreSQL database, when the tests run on PostgreSQL (dropped
    /// after the server is stopped).
    database: Option<TestDatabase>,
}

/// The variable naming the PostgreSQL server the tests run on
/// (`postgres://user@host:port/postgres`, set by `.ci/with-postgres`):
/// when set, every test server gets a database of its own there
/// (`--database-url`), created empty and dropped after it; otherwise the
/// SQLite file of its data directory.
pub const POSTGRES_URL: &str = "CAPACITY_TEST_POSTGRES_URL";

/// A database of one test server on the tests' PostgreSQL, made and
/// dropped with `psql`.
struct TestDatabase {
    /// The server URL of [`POSTGRES_URL`].
    server: String,
    name: String,
    /// The URL the web server is given.
    url: String,
}

impl TestDatabase {
    /// The database of the server on `data_dir`, if the tests run on
    /// PostgreSQL: a new empty one when `fresh`, else the one a command
    /// or an earlier start on that directory made (empty if none did).
    fn open(data_dir: &Path, fresh: bool) -> Result<Option<TestDatabase>> {
        let Some(server) = std::env::var(POSTGRES_URL)
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            return Ok(None);
        };
        // One name per data directory (FNV-1a of its path).
        let hash = data_dir
            .to_string_lossy()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
        let name = format!("capacity_e2e_{hash:016x}");
        let exists = format!("SELECT 1 FROM pg_database WHERE datname = '{name}'");
        if fresh {
            psql(
                &server,
                &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
            )?;
        }
        if fresh || !psql_answers(&server, &exists)? {
            psql(&server, &format!("CREATE DATABASE \"{name}\""))?;
        }
        let base = server.split('?').next().unwrap_or(&server);
        let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
        let url = format!("{base}/{name}");
        Ok(Some(TestDatabase { server, name, url }))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(e) = psql(&self.server, &sql) {
            eprintln!("could not drop the test database {}: {e}", self.name);
        }
    }
}

/// Runs one statement with `psql` on the server `url`.
fn psql(url: &str, sql: &str) -> Result {
    psql_output(url, sql).map(|_| ())
}

/// True when one statement run with `psql` on the server `url` prints
/// anything (a query that found a row).
fn psql_answers(url: &str, sql: &str) -> Result<bool> {
    Ok(!psql_output(url, sql)?.trim().is_empty())
}

fn psql_output(url: &str, sql: &str) -> Result<String> {
    let out = Command::new("psql")
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            url,
            "-c",
            sql,
        ])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run psql (install postgresql-client): {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The session cookie the plain HTTP helpers send to each server address.
static SESSIONS: Mutex<Option<HashMap<String, String>>> = Mutex::new(None);

fn session_for(addr: &str) -> Option<String> {
    SESSIONS.lock().ok()?.as_ref()?.get(addr).cloned()
}

fn set_session(addr: &str, cookie: Option<String>) {
    if let Ok(mut map) = SESSIONS.lock() {
        let map = map.get_or_insert_with(HashMap::new);
        match cookie {
            Some(c) => map.insert(addr.to_owned(), c),
            None => map.remove(addr),
        };
    }
}

/// `request` with the `Cookie` header of `cookie` added after its request
/// line (unless it has one).
fn with_cookie(request: &[u8], cookie: Option<&str>) -> Vec<u8> {
    let Some(cookie) = cookie else {
        return request.to_vec();
    };
    let head_end = find(request, b"\r\n\r\n").unwrap_or(request.len());
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    if head.contains("\r\ncookie:") {
        return request.to_vec();
    }
    match find(request, b"\r\n") {
        Some(line_end) => {
            let mut out = request[..line_end + 2].to_vec();
            out.extend_from_slice(format!("Cookie: {cookie}\r\n").as_bytes());
            out.extend_from_slice(&request[line_end + 2..]);
            out
        }
        None => request.to_vec(),
    }
}

/// Logs in at `addr` over plain HTTP and answers the session cookie
/// (`capacity_session=…`).
pub fn login(addr: &str, name: &str, password: &str) -> Result<String> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    form.append_pair("name", name)
        .append_pair("password", password);
    let body = form.finish();
    let request = format!(
        "POST /api/log_in HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let response = send_as(addr, None, request.as_bytes())?;
    if response.status != 200 {
        return Err(format!(
            "login of {name} answered {}: {}",
            response.status, response.body
        )
        .into());
    }
    session_cookie(&response).ok_or_else(|| format!("login of {name} set no session cookie").into())
}

/// The `capacity_session=…` pair a response sets, if any.
pub fn session_cookie(response: &Response) -> Option<String> {
    response.head.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        if !key.trim().eq_ignore_ascii_case("set-cookie") {
            return None;
        }
        let pair = value.trim().split(';').next()?.trim();
        pair.starts_with("capacity_session=")
            .then(|| pair.to_owned())
    })
}

impl Server {
    /// Starts the server (sample data, demo accounts) on a free port with a
    /// new data directory, waits until `/health` answers and logs in as
    /// the demo administrator for the plain HTTP helpers.
    pub fn start() -> Result<Server> {
        Server::start_as(Some("admin"))
    }

    /// Starts the server like [`Server::start`], with more arguments (e.g.
    /// `["--synthetic", "703"]`: the national dataset, seeded before the
    /// server answers, so this waits up to [`START_WAIT`]).
    pub fn start_with(args: &[&str]) -> Result<Server> {
        let port = free_port()?;
        let data_dir =
            std::env::temp_dir().join(format!("capacity-e2e-{}-{port}", std::process::id()));
        let mut server = Server {
            child: None,
            url: format!("http://127.0.0.1:{port}"),
            port,
            demo: true,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            owns_data: true,
            database: TestDatabase::open(&data_dir, true)?,
            data_dir,
        };
        server.resume()?;
        let cookie = server.login("admin")?;
        set_session(&server.addr(), Some(cookie));
        Ok(server)
    }

    /// The password of a demonstration account of this server.
    pub fn password(&self, name: &str) -> Result<String> {
        let file = self.data_dir.join("demo-accounts.txt");
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        text.lines()
            .filter(|l| !l.starts_with('#'))
            .find_map(|l| {
                let mut parts = l.split('\t');
                (parts.next() == Some(name)).then(|| parts.next().map(str::to_owned))?
            })
            .ok_or_else(|| format!("no demo account {name} in {}", file.display()).into())
    }

    /// A new session of demonstration account `name` (its cookie).
    pub fn login(&self, name: &str) -> Result<String> {
        login(&self.addr(), name, &self.password(name)?)
    }

    /// Starts the server as [`Server::start`] does, the plain HTTP helpers
    /// acting as demo account `who` (`None`: as a visitor).
    pub fn start_as(who: Option<&str>) -> Result<Server> {
        Server::launch()?.acting_as(who)
    }

    /// The plain HTTP helpers act as demo account `who` on this server
    /// (`None`: as a visitor).
    fn acting_as(self, who: Option<&str>) -> Result<Server> {
        let cookie = match who {
            Some(name) => Some(self.login(name)?),
            None => None,
        };
        set_session(&self.addr(), cookie);
        Ok(self)
    }

    /// Starts the server as [`Server::start_as`] does, on the SQLite file
    /// of its data directory even when the tests run on PostgreSQL (the
    /// source of a move to PostgreSQL, `capacity-web migrate-db`).
    pub fn start_on_sqlite_as(who: Option<&str>) -> Result<Server> {
        let port = free_port()?;
        let data_dir =
            std::env::temp_dir().join(format!("capacity-e2e-{}-{port}", std::process::id()));
        Server::launch_with(data_dir, port, true, None)?.acting_as(who)
    }

    fn launch() -> Result<Server> {
        let port = free_port()?;
        let data_dir =
            std::env::temp_dir().join(format!("capacity-e2e-{}-{port}", std::process::id()));
        Server::launch_on(data_dir, port, true, true)
    }

    /// Starts the server on `data_dir` as a production start would: no
    /// `--demo`, so a new database holds the rubrics only and no account.
    /// The plain HTTP helpers act as a visitor.
    pub fn start_plain(data_dir: PathBuf) -> Result<Server> {
        let server = Server::launch_on(data_dir, free_port()?, false, false)?;
        set_session(&server.addr(), None);
        Ok(server)
    }

    /// `fresh`: a new database (on PostgreSQL; on SQLite a new data
    /// directory is one), else the one of `data_dir`.
    fn launch_on(data_dir: PathBuf, port: u16, demo: bool, fresh: bool) -> Result<Server> {
        let database = TestDatabase::open(&data_dir, fresh)?;
        Server::launch_with(data_dir, port, demo, database)
    }

    /// Starts the server on `data_dir` and `database` (`None`: the SQLite
    /// file of the directory).
    fn launch_with(
        data_dir: PathBuf,
        port: u16,
        demo: bool,
        database: Option<TestDatabase>,
    ) -> Result<Server> {
        let mut server = Server {
            child: None,
            url: format!("http://127.0.0.1:{port}"),
            port,
            demo,
            args: Vec::new(),
            owns_data: true,
            database,
            data_dir,
        };
        server.resume()?;
        Ok(server)
    }

    /// A second server process on this one's data directory (the same
    /// SQLite database), on its own port, as a deployment with several
    /// servers behind a load balancer runs them. The plain HTTP helpers
    /// act as a visitor there; the data directory stays with `self`.
    pub fn beside(&self) -> Result<Server> {
        let port = free_port()?;
        let mut server = Server {
            child: None,
            url: format!("http://127.0.0.1:{port}"),
            data_dir: self.data_dir.clone(),
            port,
            demo: self.demo,
            args: self.args.clone(),
            owns_data: false,
            // The same database: on PostgreSQL its URL, the database
            // staying with `self`.
            database: None,
        };
        if let Some(database) = &self.database {
            server.args.push("--database-url".to_owned());
            server.args.push(database.url.clone());
        }
        server.resume()?;
        set_session(&server.addr(), None);
        Ok(server)
    }

    /// Makes the plain HTTP helpers use, at this server, the session they
    /// use at `other` (servers on one database share their sessions).
    pub fn use_session_of(&self, other: &Server) {
        set_session(&self.addr(), session_for(&other.addr()));
    }

    /// A command of the server binary (`user add …`) on the database of
    /// `data_dir`, the one [`Server::start_plain`] then serves: the
    /// SQLite file there, or its database on the tests' PostgreSQL.
    pub fn command(data_dir: &Path) -> Result<Command> {
        let mut command = Command::new(Server::binary());
        command.arg("--data-dir").arg(data_dir);
        if let Some(database) = TestDatabase::open(data_dir, false)? {
            command.arg("--database-url").arg(&database.url);
            // The server started on this directory drops it.
            std::mem::forget(database);
        }
        Ok(command)
    }

    /// The server binary the tests run.
    pub fn binary() -> PathBuf {
        std::env::var_os("CAPACITY_WEB_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| target_dir().join("debug/capacity-web"))
    }

    /// Stops the server (as a dropped connection would look to a browser).
    pub fn stop(&mut self) {
        self.child = None;
    }

    /// Kills the server at once with SIGKILL (`kill -9`: no shutdown code
    /// runs, nothing is flushed by the server itself) and waits until the
    /// process is gone. [`Server::resume`] starts it again on the same data.
    pub fn kill(&mut self) {
        // `Child::kill` sends SIGKILL on Unix; the guard also waits.
        self.child = None;
    }

    /// Starts the server again on the same port and data directory.
    pub fn resume(&mut self) -> Result {
        let bin = Server::binary();
        if !bin.is_file() {
            return Err(format!(
                "server binary {} not found: build it with `cargo build -p capacity-app --bin capacity-web --features ssr` (or run `./x test`)",
                bin.display()
            )
            .into());
        }
        let site = target_dir().join("site");
        if !site.join("pkg/capacity_app_bg.wasm").is_file() {
            return Err(format!(
                "site bundle missing in {}: build it with `./x build`",
                site.display()
            )
            .into());
        }
        let mut command = Command::new(&bin);
        if self.demo {
            command.arg("--demo");
        }
        if let Some(database) = &self.database {
            command.arg("--database-url").arg(&database.url);
        }
        let child = command
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--site-root")
            .arg(&site)
            .args(&self.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        self.child = Some(Guard(child));
        wait_for_http(&self.addr(), "/health", START_WAIT)
    }

    /// `127.0.0.1:port`.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.owns_data {
            self.child = None;
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

/// Plain HTTP GET on loopback, returning the status and the whole response
/// (headers and body) as text.
pub fn http_get(addr: &str, path: &str) -> Result<(u16, String)> {
    http_request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends a raw HTTP/1.1 request and reads one response. Reading stops at the
/// end of the body given by `Content-Length` (some servers keep the
/// connection open), else at the end of the stream.
pub fn http_request(addr: &str, request: &str) -> Result<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.write_all(&with_cookie(
        request.as_bytes(),
        session_for(addr).as_deref(),
    ))?;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            if length.is_some_and(|len| buf.len() >= end + 4 + len) {
                break;
            }
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status line")?;
    Ok((status, text))
}

/// One HTTP response read by [`send`].
#[derive(Debug, Clone)]
pub struct Response {
    /// Status code.
    pub status: u16,
    /// Status line and headers, as received.
    pub head: String,
    /// Body as text (lossy UTF-8), de-chunked when it came in chunks.
    pub body: String,
    /// The same body as bytes (spreadsheets, archives).
    pub bytes: Vec<u8>,
}

impl Response {
    /// Value of the first header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<serde_json::Value> {
        serde_json::from_str(self.body.trim()).map_err(|e| {
            format!(
                "status {}: body is not JSON ({e}): {}",
                self.status,
                self.body.chars().take(300).collect::<String>()
            )
            .into()
        })
    }
}

/// Sends raw request bytes to `addr` (a loopback address) and reads one
/// response. The request is written from a second thread while this one
/// reads, so that a server answering before the whole body is sent (413)
/// is still heard; a write error after that is ignored. Reading stops at
/// the end of the body (`Content-Length`, or the last chunk) or of the
/// stream; a reset after a complete status line keeps what was read.
pub fn send(addr: &str, request: &[u8]) -> Result<Response> {
    send_as(addr, session_for(addr).as_deref(), request)
}

/// The largest request [`send_as`] writes without a thread of its own:
/// far below what a loopback socket takes before its peer reads.
const INLINE_REQUEST_BYTES: usize = 8 * 1024;

/// [`send`] with the session `cookie` (`None`: as a visitor), whatever
/// session the harness keeps for `addr`.
pub fn send_as(addr: &str, cookie: Option<&str>, request: &[u8]) -> Result<Response> {
    use std::io::{Read, Write};
    let request = with_cookie(request, cookie);
    let request = request.as_slice();
    if !addr.starts_with("127.0.0.1:") {
        return Err(format!("{addr}: the tests only talk to 127.0.0.1").into());
    }
    let stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.set_write_timeout(Some(Duration::from_secs(20)))?;
    // A request that fits in the socket's buffers is written at once; a
    // larger one from a thread of its own, so that a server answering
    // before it has read the whole body (413) is read, not deadlocked on.
    let sending = if request.len() <= INLINE_REQUEST_BYTES {
        // A failed write shows as the answer read below, as with a thread.
        let _ = (&stream).write_all(request);
        None
    } else {
        let mut writer = stream.try_clone()?;
        let request = request.to_vec();
        Some(std::thread::spawn(move || {
            let _ = writer.write_all(&request);
            let _ = writer.flush();
        }))
    };
    let join = |sending: Option<std::thread::JoinHandle<()>>| {
        if let Some(sending) = sending {
            let _ = sending.join();
        }
    };
    let mut reader = stream;
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 65536];
    loop {
        match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            // A reset after the status line: keep what came.
            Err(_) if find(&buf, b"\r\n").is_some() => break,
            Err(e) => {
                let _ = reader.shutdown(std::net::Shutdown::Both);
                join(sending);
                return Err(format!("{addr}: no answer: {e}").into());
            }
        }
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let chunked = head.contains("transfer-encoding: chunked");
            if length.is_some_and(|len| buf.len() >= end + 4 + len)
                || (chunked && buf[end + 4..].ends_with(b"0\r\n\r\n"))
            {
                break;
            }
        }
    }
    let _ = reader.shutdown(std::net::Shutdown::Both);
    join(sending);
    let end = find(&buf, b"\r\n\r\n").unwrap_or(buf.len());
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let raw = buf.get(end + 4..).unwrap_or_default();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{addr}: no HTTP status line in {head:?}"))?;
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(raw)
    } else {
        raw.to_vec()
    };
    Ok(Response {
        status,
        head,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    })
}

/// The payload of a chunked body (as much as is complete).
fn dechunk(mut raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(raw, b"\r\n") {
        let size = std::str::from_utf8(&raw[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.split(';').next().unwrap_or("").trim(), 16).ok());
        let Some(size) = size.filter(|&n| n > 0) else {
            break;
        };
        let start = line_end + 2;
        let Some(data) = raw.get(start..start + size) else {
            out.extend_from_slice(&raw[start.min(raw.len())..]);
            break;
        };
        out.extend_from_slice(data);
        raw = raw.get(start + size + 2..).unwrap_or_default();
    }
    out
}

/// `POST path` with a form-urlencoded body (given already encoded, or as
/// raw bytes), asking for JSON as the hydrated page does.
pub fn post_form(addr: &str, path: &str, body: &[u8]) -> Result<Response> {
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    send(addr, &request)
}

/// The id of the assessment of `commune` (its name) in `round`, from a
/// `list_results` answer (a JSON array of result lines).
pub fn assessment_in(list: &serde_json::Value, commune: &str, round: &str) -> Result<String> {
    list.as_array()
        .and_then(|a| {
            a.iter()
                .find(|l| l["commune"] == commune && l["round"] == round)
        })
        .and_then(|l| l["id"].as_i64())
        .map(|id| id.to_string())
        .ok_or_else(|| format!("no assessment of {commune} {round} in {list}").into())
}

/// The page at `path` of `addr` as the session `cookie` reads it (HTML
/// asked for); it must answer 200.
pub fn page_as(addr: &str, cookie: &str, path: &str) -> Result<String> {
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/html\r\nConnection: close\r\n\r\n"
    );
    let r = send_as(addr, Some(cookie), request.as_bytes())?;
    if r.status != 200 {
        return Err(format!("{path} at {addr}: {}", r.status).into());
    }
    Ok(r.body)
}

/// The server function `/api/{endpoint}` of `addr` called as the session
/// `cookie` with form-urlencoded `args`; it must answer 200, with JSON.
pub fn call_as(
    addr: &str,
    cookie: &str,
    endpoint: &str,
    args: &[(&str, &str)],
) -> Result<serde_json::Value> {
    let r = send_as(addr, Some(cookie), &server_fn_request(addr, endpoint, args))?;
    if r.status != 200 {
        return Err(format!("{endpoint} at {addr}: {} {}", r.status, r.body).into());
    }
    r.json()
}

/// Calls the server function `/api/{endpoint}` with form-urlencoded
/// arguments, as the hydrated page does.
pub fn server_fn(addr: &str, endpoint: &str, args: &[(&str, &str)]) -> Result<Response> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in args {
        form.append_pair(key, value);
    }
    post_form(addr, &format!("/api/{endpoint}"), form.finish().as_bytes())
}

/// The bytes of a call of the server function `/api/{endpoint}` with
/// form-urlencoded arguments, asking for JSON (to send with [`send_as`]
/// as whoever the test needs).
pub fn server_fn_request(addr: &str, endpoint: &str, args: &[(&str, &str)]) -> Vec<u8> {
    let mut form = url::form_urlencoded::Serializer::new(String::new());
    for (key, value) in args {
        form.append_pair(key, value);
    }
    let body = form.finish();
    format!(
        "POST /api/{endpoint} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-www-form-urlencoded\r\nAccept: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// How long a started server may take to answer `/health` (seeding the
/// national synthetic dataset into a new database takes a while in debug).
pub const START_WAIT: Duration = Duration::from_secs(180);

fn wait_for_http(addr: &str, path: &str, within: Duration) -> Result {
    let start = Instant::now();
    loop {
        if let Ok((200, _)) = http_get(addr, path) {
            return Ok(());
        }
        if start.elapsed() > within {
            return Err(
                format!("{addr}{path} did not answer within {} s", within.as_secs()).into(),
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A chromedriver process with one Chromium session.
pub struct Browser {
    /// The WebDriver client.
    pub client: Client,
    _driver: Guard,
    profile: PathBuf,
    name: String,
}

/// Whether the browser runs page scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Js {
    /// Scripts run: the page hydrates.
    On,
    /// Scripts disabled: only server-rendered HTML and forms.
    Off,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium session named after the test.
    pub async fn start(name: &str, js: Js) -> Result<Browser> {
        let driver_bin =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        if !Path::new(&driver_bin).is_file() {
            return Err(format!(
                "{driver_bin} not found: install Debian's chromium and chromium-driver (./x setup does it)"
            )
            .into());
        }
        let port = free_port()?;
        let driver = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {driver_bin}: {e}"))?;
        let driver = Guard(driver);
        wait_for_http(
            &format!("127.0.0.1:{port}"),
            "/status",
            Duration::from_secs(30),
        )?;
        let profile =
            std::env::temp_dir().join(format!("capacity-chromium-{}-{port}", std::process::id()));
        let mut args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--window-size=412,915".to_owned(),
            "--lang=fr-FR".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        if js == Js::Off {
            args.push("--blink-settings=scriptEnabled=false".to_owned());
        }
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".to_owned(),
            serde_json::json!({
                "args": args,
                "binary": std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into()),
                "prefs": { "intl.accept_languages": "fr-FR,fr" },
            }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .map_err(|e| format!("cannot open a Chromium session: {e}"))?;
        Ok(Browser {
            client,
            _driver: driver,
            profile,
            name: name.to_owned(),
        })
    }

    /// Runs a test body; on failure keeps a screenshot, then reports the error.
    pub async fn run<F, Fut>(self, body: F) -> Result
    where
        F: FnOnce(Client) -> Fut,
        Fut: std::future::Future<Output = Result>,
    {
        let outcome = body(self.client.clone()).await;
        if let Err(e) = &outcome {
            let dir = target_dir().join("browser-screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("{}.png", self.name));
            match self.client.screenshot().await {
                Ok(png) => {
                    let _ = std::fs::write(&file, png);
                    eprintln!(
                        "{}: failed ({e}); screenshot in {}",
                        self.name,
                        file.display()
                    );
                }
                Err(se) => eprintln!("{}: failed ({e}); no screenshot: {se}", self.name),
            }
        }
        let _ = self.client.clone().close().await;
        let _ = std::fs::remove_dir_all(&self.profile);
        outcome
    }
}

/// Waits until an element matching `css` exists, up to 10 s.
pub async fn wait_for(client: &Client, css: &str) -> Result<fantoccini::elements::Element> {
    client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("no element `{css}` within 10 s: {e}").into())
}

/// Waits until the islands are hydrated (`html[data-hydrated=true]`).
pub async fn wait_hydrated(client: &Client) -> Result {
    wait_for(client, "html[data-hydrated='true']")
        .await
        .map(|_| ())
}

/// Text of the first element matching `css`.
pub async fn text_of(client: &Client, css: &str) -> Result<String> {
    Ok(wait_for(client, css).await?.text().await?)
}

/// Fails with a message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+).into());
        }
    };
}

/// Logs the browser in at the server of `url` as demo account `name`
/// (its password from [`Server::password`]) through the login page (works
/// with JavaScript on or off) and waits for the page it leads to.
pub async fn login_browser(c: &Client, url: &str, name: &str, password: &str) -> Result {
    c.goto(&format!("{url}/connexion")).await?;
    wait_for(c, "[data-testid=login-form]").await?;
    c.find(Locator::Css("input[name=name]"))
        .await?
        .send_keys(name)
        .await?;
    c.find(Locator::Css("input[name=password]"))
        .await?
        .send_keys(password)
        .await?;
    c.find(Locator::Css("[data-testid=login-submit]"))
        .await?
        .click()
        .await?;
    wait_for(c, "[data-testid=account-name]").await?;
    Ok(())
}

/// The overview URL of Bandiagara's 2024 assessment (seeded, still open),
/// found through the pages.
pub async fn open_bandiagara_2024(c: &Client, url: &str) -> Result<String> {
    c.goto(&format!("{url}/communes?q=Bandiagara")).await?;
    c.find(Locator::XPath(
        "//ul[@data-testid='commune-list']//a[text()='Bandiagara']",
    ))
    .await?
    .click()
    .await?;
    wait_for(c, "[data-testid=commune-assessments]").await?;
    c.find(Locator::XPath(
        "//table[@data-testid='commune-assessments']//a[text()='2024']",
    ))
    .await?
    .click()
    .await?;
    wait_for(c, "[data-testid=progress-table]").await?;
    Ok(c.current_url().await?.path().to_owned())
}
