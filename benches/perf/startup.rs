//! Start-up on an empty SQLite database, migrations included.

use super::*;

/// From `writ serve` on an empty database (migrations, keys) to the first answer of `/health`.
pub(crate) fn startup() -> Row {
    let mut times = Vec::new();
    for _ in 0..5 {
        let site = Site::on(None);
        let started = Instant::now();
        let server = Server::start(&site, &[]);
        times.push(started.elapsed());
        drop(server);
    }
    times.sort();
    let median = times[times.len() / 2];
    println!(
        "start-up on an empty database: median {} of 5 ({:?})",
        ms(median),
        times
    );
    row(
        "start-up on an empty SQLite database, migrations included (to the first `/health` answer)",
        ms(median),
        "—".into(),
        "—".into(),
        "< 0.5 s",
        Some(median < Duration::from_millis(500)),
    )
}
