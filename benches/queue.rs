//! How fast the legal queue answers with many cases. Seeds `WRIT_BENCH_CASES` cases (100 000 by
//! default) into a fresh database — SQLite in a temporary directory, or the PostgreSQL server named
//! by `WRIT_BENCH_DATABASE_URL` (a build with `--features postgres`) — then times each query of the
//! queue page and prints the figures. Run: `cargo bench --bench queue`.

use std::time::{Duration, Instant};

use chrono::TimeDelta;
use diesel::prelude::*;
use writ::config::Config;
use writ::db::models::case::{NewCase, TargetRow};
use writ::db::models::new_id;
use writ::db::schema::requesters;
use writ::db::write_tx;
use writ::domain::clock;
use writ::domain::vocab::{CaseState, InstrumentKind, RequestType, Track};
use writ::services::staff_cases::{queue, QueueFilter};

const STATES: &[CaseState] = &[
    CaseState::LegalQueue,
    CaseState::InReview,
    CaseState::NeedsInfo,
    CaseState::Approved,
    CaseState::Closed,
    CaseState::Rejected,
    CaseState::Fulfilled,
];

fn seed(db: &writ::db::Db, cases: usize) -> Result<(), writ::error::AppError> {
    let mut conn = db.get()?;
    let now = clock::now();
    let requester = new_id();
    diesel::insert_into(requesters::table)
        .values((
            requesters::id.eq(&requester),
            requesters::track.eq("agency"),
            requesters::email.eq("bench@fbi.gov"),
            requesters::country.eq("US"),
            requesters::created_at.eq(now),
        ))
        .execute(&mut *conn)?;
    for chunk in 0..cases.div_ceil(5_000) {
        write_tx(&mut conn, |conn| {
            for i in chunk * 5_000..((chunk + 1) * 5_000).min(cases) {
                let id = new_id();
                let kind = if i % 50 == 0 {
                    RequestType::EmergencyDisclosure
                } else {
                    RequestType::Disclosure
                };
                NewCase {
                    id: id.clone(),
                    reference: format!("LE-2026-{:06}", i + 1),
                    track: Track::Agency,
                    request_type: kind,
                    state: STATES[i % STATES.len()],
                    requester_id: requester.clone(),
                    instrument_kind: InstrumentKind::Subpoena,
                    instrument_reference: format!("GJ-{i}"),
                    issuing_authority: "Grand jury".into(),
                    issued_on: None,
                    expires_on: None,
                    data_categories: "[\"subscriber_info\"]".into(),
                    records_from: None,
                    records_to: None,
                    ndo_present: i % 7 == 0,
                    ndo_until: None,
                    requested_deadline: None,
                    summary: "Benchmark case".into(),
                    emergency_details: None,
                    freeze_details: None,
                    court_details: None,
                    agency_domain: Some("fbi.gov".into()),
                    authority_established: true,
                    authority_checks: "[]".into(),
                    due_at: now + TimeDelta::minutes((i as i64 % 86_400) - 20_000),
                    created_at: now - TimeDelta::minutes(i as i64),
                    updated_at: now,
                }
                .insert(conn)?;
                TargetRow::insert_all(
                    conn,
                    &[TargetRow {
                        id: new_id(),
                        case_id: id,
                        position: 0,
                        kind: "email".into(),
                        value: format!("user{i}@example.com"),
                        chain: None,
                        role: "suspect".into(),
                    }],
                )?;
            }
            Ok::<_, writ::error::AppError>(())
        })?;
    }
    Ok(())
}

fn main() -> Result<(), writ::error::AppError> {
    let cases: usize = std::env::var("WRIT_BENCH_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let config = Config {
        data_dir: dir.path().join("var"),
        database_url: std::env::var("WRIT_BENCH_DATABASE_URL").unwrap_or_default(),
        ..Config::default()
    };
    let opened = writ::state::open(&config)?;
    let db = opened.db;
    let started = Instant::now();
    seed(&db, cases)?;
    println!(
        "seeded {cases} cases with one target each in {:.1} s ({:?} backend)",
        started.elapsed().as_secs_f64(),
        db.backend()
    );

    let runtime = rocket::tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let probes: Vec<(&str, QueueFilter)> = vec![
        ("open cases, first page", QueueFilter::default()),
        (
            "open cases, page 200",
            QueueFilter {
                page: 200,
                ..Default::default()
            },
        ),
        (
            "state = in_review",
            QueueFilter {
                state: Some(CaseState::InReview),
                ..Default::default()
            },
        ),
        (
            "overdue",
            QueueFilter {
                overdue: true,
                ..Default::default()
            },
        ),
        // Case numbers that are multiples of 7 stay open (in the legal queue).
        (
            "search by target",
            QueueFilter {
                q: Some(format!("user{}@example.com", cases / 2 / 7 * 7)),
                ..Default::default()
            },
        ),
        (
            "search by reference",
            QueueFilter {
                q: Some(format!("LE-2026-{:06}", cases / 3 / 7 * 7 + 1)),
                ..Default::default()
            },
        ),
        (
            "country = US",
            QueueFilter {
                country: Some("US".into()),
                ..Default::default()
            },
        ),
    ];
    for (name, filter) in probes {
        let mut times: Vec<Duration> = Vec::new();
        let mut rows = 0;
        for _ in 0..15 {
            let at = Instant::now();
            let page = runtime.block_on(queue(&db, filter.clone()))?;
            times.push(at.elapsed());
            rows = page.cases.len();
        }
        times.sort();
        println!(
            "{name:<24} median {:>7.2} ms   max {:>7.2} ms   ({rows} rows)",
            times[times.len() / 2].as_secs_f64() * 1e3,
            times[times.len() - 1].as_secs_f64() * 1e3
        );
    }
    Ok(())
}
