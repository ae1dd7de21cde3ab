//! Concurrent submissions with a 1 MiB PDF for `WRIT_BENCH_SECONDS`.

use super::*;

/// `clients` clients sending `send` in a loop for `seconds`; returns (latencies, errors).
async fn load<F, Fut>(clients: usize, seconds: u64, send: F) -> (Vec<Duration>, usize)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let send = Arc::new(send);
    let stop = Arc::new(AtomicBool::new(false));
    let results = Arc::new(Mutex::new((Vec::new(), 0usize)));
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (send, stop, results) = (send.clone(), stop.clone(), results.clone());
            rocket::tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let ok = send(c).await;
                    let took = started.elapsed();
                    let mut r = results.lock().unwrap();
                    if ok {
                        r.0.push(took);
                    } else {
                        r.1 += 1;
                    }
                }
            })
        })
        .collect();
    rocket::tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    for task in tasks {
        task.await.unwrap();
    }
    let (mut times, errors) = std::mem::take(&mut *results.lock().unwrap());
    times.sort();
    (times, errors)
}

/// 32 clients filing requests with a 1 MiB PDF for `WRIT_BENCH_SECONDS`, against `GET /health`.
pub(crate) async fn submissions(backend: &str, postgres: Option<&str>) -> Vec<Row> {
    let seconds = env_num("WRIT_BENCH_SECONDS", 60);
    let site = Site::on(postgres);
    let server = Server::start(&site, &[("WRIT_SUBMISSIONS_PER_HOUR", "1000000")]);
    // Sixteen officers (sign-in codes are limited per network), two clients each.
    let mut tokens = Vec::new();
    for i in 0..16 {
        tokens.push(officer(&site, &server, &format!("agent{i}@fbi.gov")).await);
    }
    let mut pdf = PDF.to_vec();
    pdf.resize(MIB as usize, b' ');
    let pdf: Arc<[u8]> = pdf.into();
    let request = subpoena_request();
    let filed = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (client, base) = (browser(), server.base());
    let tokens = Arc::new(tokens);
    let (times, errors) = {
        let (client, base, tokens) = (client.clone(), base.clone(), tokens.clone());
        load(32, seconds, move |c| {
            // Each request its own instrument reference, as real ones are.
            let mut request = request.clone();
            let n = filed.fetch_add(1, Ordering::Relaxed);
            request["instrument"]["reference"] = json!(format!("GJ-2026-{n:06}"));
            let request = request.to_string();
            let (client, base, token, pdf) = (
                client.clone(),
                base.clone(),
                tokens[c % 16].clone(),
                pdf.clone(),
            );
            async move {
                let form = reqwest::multipart::Form::new()
                    .text("request", request)
                    .part(
                        "documents",
                        reqwest::multipart::Part::bytes(pdf.to_vec())
                            .file_name("subpoena.pdf")
                            .mime_str("application/pdf")
                            .unwrap(),
                    );
                let answer = client
                    .post(format!("{base}/api/v1/requests"))
                    .bearer_auth(token)
                    .multipart(form)
                    .send()
                    .await;
                matches!(answer, Ok(r) if r.status() == StatusCode::CREATED)
            }
        })
        .await
    };
    let rate = times.len() as f64 / seconds as f64;
    let (health, health_errors) = {
        let (client, base) = (client.clone(), base.clone());
        load(32, seconds.min(20), move |_| {
            let (client, base) = (client.clone(), base.clone());
            async move { matches!(client.get(format!("{base}/health")).send().await, Ok(r) if r.status() == StatusCode::OK) }
        })
        .await
    };
    let health_rate = health.len() as f64 / seconds.min(20) as f64;
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));
    println!(
        "{backend}: {} submissions in {seconds} s = {rate:.0}/s, p50 {}, p99 {}, {errors} errors; /health {health_rate:.0}/s p99 {} ({health_errors} errors)",
        times.len(),
        ms(p50),
        ms(p99),
        ms(percentile(&health, 0.99))
    );
    vec![row(
        &format!("submissions with a 1 MiB PDF, 32 concurrent clients, {seconds} s ({backend})"),
        format!(
            "{rate:.0}/s, p50 {}, p99 {}, {errors} errors",
            ms(p50),
            ms(p99)
        ),
        format!(
            "`GET /health`, same server: {health_rate:.0}/s, p99 {}",
            ms(percentile(&health, 0.99))
        ),
        format!("{:.3}", rate / health_rate),
        "0 errors; ≥ 100/s; p99 < 500 ms",
        Some(errors == 0 && rate >= 100.0 && p99 < Duration::from_millis(500)),
    )]
}
