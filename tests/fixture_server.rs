//! Serves the fixture index until killed, for generating lock fixtures with other tools:
//! `cargo test --test fixture_server -- --ignored --nocapture` prints the index URL.

mod support;

#[test]
#[ignore]
fn serve_fixture_index() {
    let idx = support::FixtureIndex::start(support::IndexOptions::default());
    println!("FIXTURE_INDEX_URL={}", idx.url());
    let secs: u64 = std::env::var("SERVE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    std::thread::sleep(std::time::Duration::from_secs(secs));
}
