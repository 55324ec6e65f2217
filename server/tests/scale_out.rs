//! Scale-out: three `casm-feed serve` processes on one PostgreSQL, as behind a load
//! balancer. 1,000 votes (and 100 more cast and undone) and 1,000 views spread over the
//! three are each counted once, every instance shows the exact totals within its refresh
//! interval, a daily vote cap holds across instances, and after one instance is killed
//! with SIGKILL under load the other two go on serving with nothing acknowledged lost
//! and nothing doubled (the database's rows agree). With HAProxy installed (scripts/
//! setup.sh test installs it) a quarter of the traffic and one `/v1/stream` go through
//! docs/deploy/haproxy.cfg, run for real in front of the three.
//!
//! Only HTTP, the command line and SQL reads of row counts: no library calls, so the
//! test holds whatever the write path inside looks like.
//!
//! Several instances on one SQLite file is not a supported topology, so without
//! `CASM_TEST_POSTGRES` (`scripts/with-postgres.sh cargo test -p casm-feed --test
//! scale_out`) the test prints that it is skipped, except under `CI=true`, where it
//! fails: scripts/test.sh skips it by name in the SQLite run and runs it on PostgreSQL,
//! so it can never silently not run in CI.

mod common;

use common::{client, client_from, new_database, PARTNER_ORIGIN};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write as _;
use std::ops::RangeInclusive;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio::task::JoinSet;

/// Every instance's `--refresh-secs`.
const REFRESH: Duration = Duration::from_secs(1);
/// What "within the refresh interval" allows on top of it: the refresh's own read, the
/// polls, and a debug build on a busy machine.
const MARGIN: Duration = Duration::from_millis(1500);
/// The load of the first phase, on [`LOAD_RESOURCES`] resources of the demo catalogue.
const VOTES: usize = 1000;
const UNDONE: usize = 100;
const VIEWS: usize = 1000;
const LOAD_RESOURCES: usize = 6;
/// The second phase: this many writes (half votes, half views) by new visitors, with the
/// third instance killed once [`KILL_AFTER`] of them are acknowledged.
const KILL_WRITES: usize = 600;
const KILL_AFTER: usize = 150;
/// Requests in flight at once.
const IN_FLIGHT: usize = 32;
/// Every instance's `--vote-cap`; the load never reaches it (each request comes from its
/// own network, through X-Forwarded-For), the cap check does.
const VOTE_CAP: usize = 3;
/// The instance the second phase kills.
const VICTIM: usize = 2;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_one_postgres_count_exactly_and_survive_a_sigkill() {
    if !on_postgres() {
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let database = new_database(dir.path()).await;
    cli(&database, &["import"], Some(&common::demo_catalogue_path()));
    cli(
        &database,
        &[
            "partner",
            "add",
            "test-partner",
            "--name",
            "Test",
            "--origin",
            PARTNER_ORIGIN,
        ],
        None,
    );
    let mut instances = Vec::new();
    for n in 0..3 {
        instances.push(Instance::start(&database, &dir.path().join(format!("i{n}"))).await);
    }
    let balancer = Balancer::start(&instances, dir.path()).await;
    let cluster = Cluster {
        bases: instances.iter().map(|i| i.base.clone()).collect(),
        balancer: balancer.as_ref().map(|b| b.base.clone()),
    };
    let resources: Vec<String> = common::demo_catalogue()
        .resources
        .iter()
        .take(LOAD_RESOURCES + 1)
        .map(|r| r.id.clone())
        .collect();
    // The cap check's resource is one the load does not touch.
    let (load, capped) = (
        &resources[..LOAD_RESOURCES],
        resources[LOAD_RESOURCES].clone(),
    );
    let http = client();
    let base_counts = stats(&cluster.bases[0], &resources).await;
    let base_rows = vote_rows(&database).await;
    let mut stream = match &cluster.balancer {
        Some(b) => Some(Sse::open(b, &load[0]).await),
        None => None,
    };

    // Phase 1: the load, spread over the three instances and the balancer.
    let load_started = Instant::now();
    let mut tally: BTreeMap<String, (u64, u64)> =
        resources.iter().map(|r| (r.clone(), (0, 0))).collect();
    let limit = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for i in 0..VOTES + UNDONE + VIEWS {
        let (http, cluster, limit) = (http.clone(), cluster.clone(), limit.clone());
        let resource = load[i % LOAD_RESOURCES].clone();
        tasks.spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            let via = cluster.via(i, None);
            let forwarded = network(i);
            if i < VOTES {
                let w = Write::vote(format!("scale-out-vote-{i:08}"), &resource, via, forwarded);
                w.send(&http, &cluster).await.map(|_| (w, 1))
            } else if i < VOTES + UNDONE {
                // Cast on one instance, undone on another.
                let mut w =
                    Write::vote(format!("scale-out-undo-{i:08}"), &resource, via, forwarded);
                w.send(&http, &cluster).await?;
                w.kind = Kind::Undo;
                w.via = cluster.via(i + 1, None);
                w.send(&http, &cluster).await.map(|_| (w, 0))
            } else {
                let w = Write::view(format!("scale-out-view-{i:08}"), &resource, via, forwarded);
                if w.send(&http, &cluster).await? {
                    Ok((w, 1))
                } else {
                    Err(format!("{w:?}: a new visitor's view was not counted"))
                }
            }
        });
    }
    let mut failures = Vec::new();
    while let Some(done) = tasks.join_next().await {
        match done.unwrap() {
            Ok((w, n)) => w.add_to(&mut tally, n),
            Err(e) => failures.push(e),
        }
    }
    let loaded = Instant::now();
    assert_none(&failures, "writes of the first phase failed");
    let want = expect(&base_counts, &tally);
    let seen_after = settle(&cluster, &[0, 1, 2], &want, loaded).await;
    let load_secs = (loaded - load_started).as_secs_f64();

    // The stream through the balancer pushed the new counts as they were committed or
    // refreshed, so it reaches the final ones too.
    if let Some(stream) = &mut stream {
        let (votes, _) = &want[&load[0]];
        stream
            .until_votes(&load[0], *votes.end(), loaded + REFRESH + MARGIN)
            .await;
    }
    let rows = vote_rows(&database).await;
    for r in load {
        let (votes, _) = &want[r];
        let stored = rows.get(r).copied().unwrap_or(0) - base_rows.get(r).copied().unwrap_or(0);
        assert_eq!(
            base_counts[r].0 + stored,
            *votes.end(),
            "{r}: {stored} rows in votes, the instances count {:?}",
            votes
        );
    }

    // The daily vote cap is the network's across instances: of votes sent at once by one
    // network (127.0.2.x, round the instances), exactly the cap count. Through the
    // balancer the network is the client's address (X-Forwarded-For from the balancer,
    // believed because of --trusted-proxy), so another network (127.0.3.x) still votes;
    // without one, the networks are X-Forwarded-For sent by this (trusted) client.
    let mut tasks = JoinSet::new();
    for i in 0..VOTE_CAP + 5 {
        tasks.spawn(cap_vote(cluster.clone(), capped.clone(), 2, i));
    }
    let answers = tasks.join_all().await;
    let accepted = answers.iter().filter(|a| a.is_ok()).count();
    assert_eq!(accepted, VOTE_CAP, "votes within the cap: {answers:#?}");
    assert!(
        answers.iter().all(|a| a
            .as_ref()
            .map_or_else(|e| e.contains("vote_limit"), |_| true)),
        "refused votes say vote_limit: {answers:#?}"
    );
    cap_vote(cluster.clone(), capped.clone(), 3, 0)
        .await
        .expect("another network votes");
    tally.get_mut(&capped).unwrap().0 += VOTE_CAP as u64 + 1;

    // Phase 2: more writes by new visitors; the third instance is killed with SIGKILL
    // once KILL_AFTER are acknowledged, then the writes go to the other two (and the
    // balancer, which must fail over).
    let mut victim = instances.remove(VICTIM);
    let mut tasks = JoinSet::new();
    let (mut next, mut acked_before, mut acked_after) = (0usize, 0usize, 0usize);
    let mut killed = false;
    let mut acked: Vec<Write> = Vec::new();
    let mut doubt: Vec<Write> = Vec::new();
    let mut failures = Vec::new();
    loop {
        while next < KILL_WRITES && tasks.len() < IN_FLIGHT {
            let via = cluster.via(next, killed.then_some(VICTIM));
            let (visitor, resource) = (
                format!("scale-out-kill-{next:08}"),
                &load[next % LOAD_RESOURCES],
            );
            let forwarded = network(VOTES + UNDONE + VIEWS + next);
            let w = match next % 2 {
                0 => Write::vote(visitor, resource, via, forwarded),
                _ => Write::view(visitor, resource, via, forwarded),
            };
            let (http, cluster, after_kill) = (http.clone(), cluster.clone(), killed);
            tasks.spawn(async move {
                let answer = w.send(&http, &cluster).await;
                (w, after_kill, answer)
            });
            next += 1;
        }
        let Some(done) = tasks.join_next().await else {
            break;
        };
        let (w, after_kill, answer) = done.unwrap();
        match answer {
            Ok(true) => {
                acked.push(w);
                *(if after_kill {
                    &mut acked_after
                } else {
                    &mut acked_before
                }) += 1;
            }
            Ok(false) => failures.push(format!("{w:?}: a new visitor's view was not counted")),
            // Sent before the kill to the victim, directly or through the balancer: it
            // may or may not have been committed before the process died.
            Err(_) if !after_kill && w.may_reach(VICTIM) => doubt.push(w),
            Err(e) => failures.push(e),
        }
        if !killed && acked_before >= KILL_AFTER {
            victim.child.start_kill().unwrap(); // SIGKILL: no drain, no flush.
            victim.child.wait().await.unwrap();
            killed = true;
        }
    }
    let written = Instant::now();
    assert!(killed, "the victim was killed");
    assert_none(&failures, "writes to the survivors failed");
    assert!(
        acked_after >= KILL_WRITES - KILL_AFTER - 2 * IN_FLIGHT,
        "after the kill the survivors acknowledged only {acked_after} writes"
    );

    // Acknowledged means committed: the totals hold every acknowledged write, and at most
    // the ones in doubt besides. The survivors show what the database holds.
    let mut low = tally.clone();
    let mut high = tally.clone();
    for w in &acked {
        w.add_to(&mut low, 1);
        w.add_to(&mut high, 1);
    }
    for w in &doubt {
        w.add_to(&mut high, 1);
    }
    let rows = vote_rows(&database).await;
    let mut landed_votes = 0;
    let mut bounded = BTreeMap::new();
    for r in &resources {
        let stored = base_counts[r].0 + rows.get(r).copied().unwrap_or(0)
            - base_rows.get(r).copied().unwrap_or(0);
        let allowed = base_counts[r].0 + low[r].0..=base_counts[r].0 + high[r].0;
        assert!(
            allowed.contains(&stored),
            "{r}: {stored} votes stored, acknowledged and in doubt allow {allowed:?}"
        );
        landed_votes += stored - allowed.start();
        let views = base_counts[r].1 + low[r].1..=base_counts[r].1 + high[r].1;
        bounded.insert(r.clone(), (stored..=stored, views));
    }
    let seen_after_kill = settle(&cluster, &[0, 1], &bounded, written).await;

    // Resolve the doubt: resending is harmless for both (one vote per visitor and
    // resource, one counted view per visitor and resource inside the window), across
    // instances. An acknowledged write resent adds nothing; one in doubt adds itself
    // exactly when it had not landed, so afterwards every write counts exactly once.
    let resend = |writes: &[Write]| {
        let writes = writes.iter().cloned().enumerate().map(|(n, mut w)| {
            w.via = cluster.via(n, Some(VICTIM));
            w
        });
        send_all(&http, &cluster, writes.collect())
    };
    let mut failures = Vec::new();
    for (w, answer) in resend(&acked).await {
        match answer {
            Ok(true) if w.kind == Kind::View => failures.push(format!("{w:?}: counted again")),
            Ok(_) => {}
            Err(e) => failures.push(e),
        }
    }
    let mut landed_views = 0;
    for (w, answer) in resend(&doubt).await {
        match answer {
            Ok(counted) => landed_views += usize::from(w.kind == Kind::View && !counted),
            Err(e) => failures.push(e),
        }
    }
    for w in acked.iter().chain(&doubt) {
        w.add_to(&mut tally, 1);
    }
    let resent = Instant::now();
    assert_none(&failures, "resending acknowledged writes");
    let want = expect(&base_counts, &tally);
    let seen_final = settle(&cluster, &[0, 1], &want, resent).await;
    let rows = vote_rows(&database).await;
    for r in &resources {
        let stored = rows.get(r).copied().unwrap_or(0) - base_rows.get(r).copied().unwrap_or(0);
        assert_eq!(
            base_counts[r].0 + stored,
            *want[r].0.end(),
            "{r}: rows in votes after resending"
        );
    }
    for mut i in instances {
        i.child.start_kill().unwrap();
        let _ = i.child.wait().await;
    }
    drop(balancer);
    report(format_args!(
        "scale-out: 3 instances{}; {VOTES} votes + {UNDONE} undone + {VIEWS} views in \
         {load_secs:.1} s, on every instance {seen_after:.2} s later; SIGKILL after \
         {acked_before} more acknowledged: {} in doubt (of which {landed_votes} votes and \
         {landed_views} views had landed), {acked_after} acknowledged by the survivors, shown {seen_after_kill:.2} \
         s later; exact after resending ({seen_final:.2} s); {:.1} s in all",
        if cluster.balancer.is_some() { " + HAProxy" } else { "" },
        doubt.len(),
        started.elapsed().as_secs_f64(),
    ));
}

/// Whether there is a PostgreSQL server to test on; outside CI, prints that the test is
/// skipped when there is none.
fn on_postgres() -> bool {
    match std::env::var("CASM_TEST_POSTGRES") {
        Ok(url) if !url.is_empty() => true,
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "CI=true without CASM_TEST_POSTGRES: in CI this test runs on PostgreSQL \
             (scripts/test.sh: scripts/with-postgres.sh cargo test -p casm-feed)"
        ),
        _ => {
            report(format_args!(
                "scale_out skipped: needs CASM_TEST_POSTGRES (three instances share one \
                 PostgreSQL; run scripts/with-postgres.sh cargo test -p casm-feed --test \
                 scale_out)"
            ));
            false
        }
    }
}

/// A line on the test's stderr that the test harness does not capture.
fn report(line: std::fmt::Arguments) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Runs the command line on `database`; it must succeed.
fn cli(database: &str, args: &[&str], file: Option<&Path>) {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_casm-feed"));
    c.args(args).env("CASM_DATABASE", database);
    if let Some(file) = file {
        c.arg(file);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "casm-feed {args:?}: {out:?}");
}

/// One `casm-feed serve` process.
struct Instance {
    child: Child,
    base: String,
}

impl Instance {
    async fn start(database: &str, dir: &Path) -> Instance {
        let (cap, refresh) = (VOTE_CAP.to_string(), REFRESH.as_secs().to_string());
        let args = [
            "--post-rate",
            "0",
            "--vote-cap",
            &cap,
            "--refresh-secs",
            &refresh,
            // The balancer and this test's client, which stands for one when it sends
            // X-Forwarded-For itself.
            "--trusted-proxy",
            "127.0.0.1",
        ];
        let log = "casm_feed=warn,sqlx=error";
        let (child, base) = common::spawn_serve(&args, database, dir, "scale-out-test", log).await;
        Instance { child, base }
    }
}

/// HAProxy running docs/deploy/haproxy.cfg in front of the instances.
struct Balancer {
    _child: Child,
    base: String,
}

impl Balancer {
    /// `None` when haproxy is not installed (outside CI only).
    async fn start(instances: &[Instance], dir: &Path) -> Option<Balancer> {
        if std::process::Command::new("haproxy")
            .arg("-v")
            .output()
            .is_err()
        {
            assert_ne!(
                std::env::var("CI").as_deref(),
                Ok("true"),
                "haproxy is missing: scripts/setup.sh test installs it"
            );
            report(format_args!(
                "scale_out: haproxy is not installed, so no balancer (scripts/setup.sh test)"
            ));
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/deploy/haproxy.cfg");
        let mut config = std::fs::read_to_string(&example).unwrap();
        // Only the addresses change: the file is tested as the README shows it.
        let mut swap = |from: &str, to: &str| {
            assert!(
                config.contains(from),
                "{} has no `{from}`",
                example.display()
            );
            config = config.replace(from, to);
        };
        swap("bind :80", &format!("bind 127.0.0.1:{port}"));
        for (n, instance) in instances.iter().enumerate() {
            let addr = instance.base.trim_start_matches("http://");
            swap(&format!("10.0.0.1{}:8080", n + 1), addr);
        }
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let mut child = Command::new("haproxy")
            .arg("-db") // in the foreground, as this test's child
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = reqwest::get(format!("{base}/readyz")).await;
            if ready.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("haproxy exited ({status}) with {}", path.display());
            }
            assert!(Instant::now() < deadline, "haproxy did not start on {base}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(Balancer {
            _child: child,
            base,
        })
    }
}

/// Where the writes go.
#[derive(Clone)]
struct Cluster {
    bases: Vec<String>,
    balancer: Option<String>,
}

/// An instance, or the balancer.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Via {
    Instance(usize),
    Balancer,
}

impl Cluster {
    /// The `n`th request's target: the instances and the balancer in turn, leaving out
    /// `dead`.
    fn via(&self, n: usize, dead: Option<usize>) -> Via {
        let live: Vec<Via> = (0..self.bases.len())
            .filter(|i| Some(*i) != dead)
            .map(Via::Instance)
            .chain(self.balancer.as_ref().map(|_| Via::Balancer))
            .collect();
        live[n % live.len()]
    }

    fn base(&self, via: Via) -> &str {
        match via {
            Via::Instance(i) => &self.bases[i],
            Via::Balancer => self.balancer.as_deref().unwrap(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    Vote,
    Undo,
    View,
}

/// One vote, undo or view by one visitor, and where it goes.
#[derive(Clone, Debug)]
struct Write {
    kind: Kind,
    visitor: String,
    resource: String,
    via: Via,
    /// The X-Forwarded-For this client sends (it stands for a balancer).
    forwarded: Option<String>,
}

impl Write {
    fn vote(visitor: String, resource: &str, via: Via, forwarded: String) -> Write {
        Write {
            kind: Kind::Vote,
            visitor,
            resource: resource.to_owned(),
            via,
            forwarded: Some(forwarded),
        }
    }

    fn view(visitor: String, resource: &str, via: Via, forwarded: String) -> Write {
        Write {
            kind: Kind::View,
            ..Write::vote(visitor, resource, via, forwarded)
        }
    }

    /// `Ok(counted)` when acknowledged (a vote or undo is always "counted"; a view says
    /// whether it was), else what went wrong.
    async fn send(&self, http: &reqwest::Client, cluster: &Cluster) -> Result<bool, String> {
        let base = cluster.base(self.via);
        let (url, body) = match self.kind {
            Kind::Vote | Kind::Undo => (
                format!("{base}/v1/resources/{}/vote", self.resource),
                json!({"visitor": self.visitor, "helpful": self.kind == Kind::Vote}),
            ),
            Kind::View => (
                format!("{base}/v1/events"),
                json!({"type": "view", "resource": self.resource, "visitor": self.visitor}),
            ),
        };
        let mut req = http.post(url).json(&body);
        if let Some(forwarded) = &self.forwarded {
            req = req.header("x-forwarded-for", forwarded);
        }
        let fail = |e: String| format!("{self:?}: {e}");
        let response = req.send().await.map_err(|e| fail(e.to_string()))?;
        let status = response.status();
        let body: Value = response.json().await.map_err(|e| fail(e.to_string()))?;
        match self.kind {
            Kind::Vote | Kind::Undo if status == 200 => {
                match body["voted"] == json!(self.kind == Kind::Vote) {
                    true => Ok(true),
                    false => Err(fail(format!("answered {body}"))),
                }
            }
            Kind::View if status == 202 => Ok(body["counted"] == json!(true)),
            _ => Err(fail(format!("{status} {body}"))),
        }
    }

    /// Whether it went to instance `i`, or may have (through the balancer).
    fn may_reach(&self, i: usize) -> bool {
        self.via == Via::Instance(i) || self.via == Via::Balancer
    }

    /// Adds `n` of it to `tally` (votes, views per resource).
    fn add_to(&self, tally: &mut BTreeMap<String, (u64, u64)>, n: u64) {
        let (votes, views) = tally.get_mut(&self.resource).unwrap();
        match self.kind {
            Kind::Vote | Kind::Undo => *votes += n,
            Kind::View => *views += n,
        }
    }
}

/// The X-Forwarded-For of the `n`th load request: a network (/24) of its own each, so
/// the vote cap never refuses the load.
fn network(n: usize) -> String {
    assert!(n < 1 << 16);
    format!("10.{}.{}.1", n >> 8, n & 255)
}

/// Helpful votes and page views per resource, as one instance's `/v1/stats` says.
async fn stats(base: &str, ids: &[String]) -> BTreeMap<String, (u64, u64)> {
    let url = format!("{base}/v1/stats?ids={}", ids.join(","));
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    ids.iter()
        .map(|id| {
            let r = &body["resources"][id];
            let n = |name: &str| r[name].as_u64().unwrap_or_else(|| panic!("{id}: {body}"));
            (id.clone(), (n("helpful_votes"), n("page_views")))
        })
        .collect()
}

type Want = BTreeMap<String, (RangeInclusive<u64>, RangeInclusive<u64>)>;

/// The exact counts: what was there before, plus the tally.
fn expect(base: &BTreeMap<String, (u64, u64)>, tally: &BTreeMap<String, (u64, u64)>) -> Want {
    tally
        .iter()
        .map(|(r, (votes, views))| {
            let (v, p) = (base[r].0 + votes, base[r].1 + views);
            (r.clone(), (v..=v, p..=p))
        })
        .collect()
}

/// Polls the `alive` instances until each shows counts within `want`, and all the same
/// ones; fails, with what each showed, if that takes longer than the refresh interval
/// (and the margin) from `since`. The seconds it took.
async fn settle(cluster: &Cluster, alive: &[usize], want: &Want, since: Instant) -> f64 {
    let ids: Vec<String> = want.keys().cloned().collect();
    let deadline = since + REFRESH + MARGIN;
    loop {
        let mut seen = Vec::new();
        for &i in alive {
            seen.push((i, stats(&cluster.bases[i], &ids).await));
        }
        let within = seen.iter().all(|(_, counts)| {
            counts
                .iter()
                .all(|(r, (v, p))| want[r].0.contains(v) && want[r].1.contains(p))
        });
        if within && seen.windows(2).all(|w| w[0].1 == w[1].1) {
            return since.elapsed().as_secs_f64();
        }
        if Instant::now() > deadline {
            let mut table = String::new();
            for (r, (votes, views)) in want {
                table += &format!("\n  {r}: want votes {votes:?} views {views:?}; seen");
                for (i, counts) in &seen {
                    table += &format!(" | instance {i}: {:?}", counts[r]);
                }
            }
            panic!(
                "not every instance shows the totals {:?} after the last write:{table}",
                REFRESH + MARGIN
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Rows in `votes` per resource, read from the database itself.
async fn vote_rows(database: &str) -> BTreeMap<String, u64> {
    use sqlx::{Connection, Row};
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(database).await.unwrap();
    let rows = sqlx::query("SELECT resource_id, COUNT(*) AS n FROM votes GROUP BY resource_id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    let _ = conn.close().await;
    rows.iter()
        .map(|row| {
            let n: i64 = row.get("n");
            (row.get("resource_id"), n as u64)
        })
        .collect()
}

/// Sends the writes, [`IN_FLIGHT`] at a time; each with its answer.
async fn send_all(
    http: &reqwest::Client,
    cluster: &Cluster,
    writes: Vec<Write>,
) -> Vec<(Write, Result<bool, String>)> {
    let limit = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut tasks = JoinSet::new();
    for w in writes {
        let (http, cluster, limit) = (http.clone(), cluster.clone(), limit.clone());
        tasks.spawn(async move {
            let _permit = limit.acquire().await.unwrap();
            let answer = w.send(&http, &cluster).await;
            (w, answer)
        });
    }
    tasks.join_all().await
}

/// The `i`th vote from network 127.0.`n`.x on `resource`: through the balancer from
/// that address when there is one, else round the instances with that X-Forwarded-For.
async fn cap_vote(cluster: Cluster, resource: String, n: usize, i: usize) -> Result<bool, String> {
    let (http, via, forwarded) = match &cluster.balancer {
        Some(_) => (
            client_from(Some(&format!("127.0.{n}.1"))),
            Via::Balancer,
            None,
        ),
        None => (client(), Via::Instance(i % 3), Some(format!("127.0.{n}.1"))),
    };
    let w = Write {
        kind: Kind::Vote,
        visitor: format!("scale-out-cap-{n}-{i:04}"),
        resource,
        via,
        forwarded,
    };
    w.send(&http, &cluster).await
}

fn assert_none(failures: &[String], what: &str) {
    assert!(
        failures.is_empty(),
        "{what}: {} of them, first: {:#?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

/// A `/v1/stream`, read chunk by chunk.
struct Sse {
    response: reqwest::Response,
    buffer: String,
}

impl Sse {
    async fn open(base: &str, id: &str) -> Sse {
        let response = reqwest::get(format!("{base}/v1/stream?ids={id}"))
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Sse {
            response,
            buffer: String::new(),
        }
    }

    /// Reads `counts` events until one shows `votes` helpful votes on `id`; fails at
    /// `deadline`.
    async fn until_votes(&mut self, id: &str, votes: u64, deadline: Instant) {
        let mut last = None;
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let message: String = self.buffer.drain(..end + 2).collect();
                let Some(data) = message.lines().find_map(|l| l.strip_prefix("data: ")) else {
                    continue; // a heartbeat
                };
                let data: Value = serde_json::from_str(data).unwrap();
                if let Some(n) = data["resources"][id]["helpful_votes"].as_u64() {
                    if n == votes {
                        return;
                    }
                    last = Some(n);
                }
            }
            let wait = tokio::time::Instant::from_std(deadline);
            let chunk = tokio::time::timeout_at(wait, self.response.chunk()).await;
            let Ok(Ok(Some(chunk))) = chunk else {
                panic!(
                    "the stream through the balancer never showed {votes} votes on {id} \
                     (last: {last:?}, ended or timed out: {chunk:?})"
                );
            };
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}
