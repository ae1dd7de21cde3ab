//! `writ audit verify` over `WRIT_BENCH_EVENTS` events.

use super::*;

/// `writ audit verify` over `WRIT_BENCH_EVENTS` events.
pub(crate) fn audit(backend: &str, postgres: Option<&str>) -> Row {
    use writ::db::models::audit::AuditEvent;
    use writ::db::schema::audit_head;
    let events = env_num("WRIT_BENCH_EVENTS", 1_000_000) as i64;
    let site = Site::on(postgres);
    let (ok, out) = site.writ(&["migrate"]);
    assert!(ok, "{out}");
    let db = writ::db::Db::connect(&site.url, 1).unwrap();
    let mut conn = db.get().unwrap();
    let started = Instant::now();
    let (mut seq, mut prev) = writ::db::models::audit::head(&mut conn).unwrap();
    let at = writ::domain::clock::now();
    while seq < events {
        let batch: Vec<AuditEvent> = (0..1000.min(events - seq))
            .map(|_| {
                seq += 1;
                let mut event = AuditEvent {
                    seq,
                    at,
                    actor: "staff:0a1b2c3d-4e5f-6789-abcd-ef0123456789".into(),
                    case_id: Some(format!("case-{}", seq % 5000).into()),
                    action: "case.transition".into(),
                    details:
                        json!({ "from": "in_review", "to": "approved", "reason": "In scope." })
                            .to_string(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                event.hash = writ::audit::chain_hash(&event.prev_hash, &event);
                prev = event.hash.clone();
                event
            })
            .collect();
        // One multi-row INSERT a batch (Diesel's batch insert is not offered through the
        // two-backend connection); every value is ours and free of quotes.
        let values: Vec<String> = batch
            .iter()
            .map(|e| {
                format!(
                    "({}, '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
                    e.seq,
                    e.at.format("%Y-%m-%d %H:%M:%S%.6f"),
                    e.actor,
                    e.case_id.as_ref().map(|id| id.as_str()).unwrap_or_default(),
                    e.action,
                    e.details,
                    e.prev_hash,
                    e.hash
                )
            })
            .collect();
        writ::db::write_tx(&mut conn, |conn| {
            diesel::sql_query(format!(
                "INSERT INTO audit_events (seq, at, actor, case_id, action, details, prev_hash, hash) \
                 VALUES {}",
                values.join(", ")
            ))
            .execute(conn)?;
            diesel::update(audit_head::table.find(1))
                .set((audit_head::seq.eq(seq), audit_head::hash.eq(&prev)))
                .execute(conn)?;
            Ok::<_, writ::error::AppError>(())
        })
        .unwrap();
    }
    drop(conn);
    println!(
        "{backend}: wrote {events} audit events in {}",
        secs(started.elapsed())
    );
    let started = Instant::now();
    let (ok, out) = site.writ(&["audit", "verify"]);
    let took = started.elapsed();
    assert!(ok, "{out}");
    println!(
        "{backend}: writ audit verify {}: {}",
        secs(took),
        out.trim()
    );
    row(
        &format!("`writ audit verify` over {events} events ({backend})"),
        secs(took),
        "—".into(),
        "—".into(),
        "< 3 s",
        Some(took < Duration::from_secs(3)),
    )
}
