//! Micro-benchmarks of what a lock spends its CPU on with big listings (pydantic-core's page
//! holds ~10,000 files): parsing a PEP 691 page (cold), reading it back from the cache (warm),
//! grouping it by version, and ranking a version's wheels for a target.
//! `cargo bench --bench listings`; figures go in the issue notes, never in tests.

use std::hint::black_box;
use std::str::FromStr;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion};
use pep440_rs::Version;
use pep508_rs::PackageName;
use pinwheel::index::cache::{Cache, CachedPage};
use pinwheel::index::simple::parse_json;
use pinwheel::platform::Target;
use pinwheel::resolve::VersionMap;
use url::Url;

/// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const PLATFORMS: [&str; 10] = [
    "manylinux_2_17_x86_64.manylinux2014_x86_64",
    "manylinux_2_17_aarch64.manylinux2014_aarch64",
    "musllinux_1_1_x86_64",
    "musllinux_1_1_aarch64",
    "macosx_10_12_x86_64",
    "macosx_11_0_arm64",
    "win_amd64",
    "win32",
    "manylinux_2_17_i686.manylinux2014_i686",
    "manylinux_2_17_ppc64le.manylinux2014_ppc64le",
];

/// A PEP 691 page shaped like pydantic-core's: `versions` releases × 10 platforms × 5 Pythons,
/// plus an sdist each.
fn listing(versions: usize) -> Vec<u8> {
    let mut files = Vec::new();
    for v in 0..versions {
        let version = format!("2.{}.{}", v / 10, v % 10);
        let mut push = |filename: String| {
            let n = files.len();
            files.push(serde_json::json!({
                "filename": filename,
                "url": format!("https://files.pythonhosted.org/packages/{:02x}/{:02x}/{:060x}/{filename}", n % 256, (n / 256) % 256, n),
                "hashes": { "sha256": format!("{:064x}", n * 7919) },
                "requires-python": ">=3.8",
                "upload-time": "2024-05-01T12:00:00.000000Z",
                "size": 1_900_000 + n,
                "yanked": false,
            }));
        };
        for py in ["cp39", "cp310", "cp311", "cp312", "cp313"] {
            for plat in PLATFORMS {
                push(format!("pydantic_core-{version}-{py}-{py}-{plat}.whl"));
            }
        }
        push(format!("pydantic_core-{version}.tar.gz"));
    }
    serde_json::to_vec(&serde_json::json!({ "meta": { "api-version": "1.1" }, "name": "pydantic-core", "files": files })).unwrap()
}

fn benches(c: &mut Criterion) {
    let body = listing(200);
    let base = Url::parse("https://pypi.org/simple/pydantic-core/").unwrap();
    let page = parse_json(&body, &base).unwrap();
    let files = page.files.len();

    c.bench_function(&format!("parse_json ({files} files)"), |b| {
        b.iter(|| parse_json(black_box(&body), &base).unwrap())
    });

    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().to_path_buf());
    let entry = CachedPage {
        etag: Some("\"abc\"".into()),
        last_modified: None,
        stored_at: 0,
        max_age: Some(600),
        found: true,
        page: page.clone(),
    };
    cache
        .write_page(base.as_str(), "pydantic-core", &entry)
        .unwrap();
    c.bench_function(&format!("cache read_page ({files} files)"), |b| {
        b.iter(|| {
            cache
                .read_page(base.as_str(), black_box("pydantic-core"))
                .unwrap()
        })
    });

    let name = PackageName::from_str("pydantic-core").unwrap();
    let shared: Arc<[_]> = page.files.clone().into();
    c.bench_function(&format!("VersionMap::from_files ({files} files)"), |b| {
        b.iter(|| VersionMap::from_files(&name, black_box(shared.clone()), None))
    });

    let target = Target::parse("cp312-manylinux_2_28_x86_64").unwrap();
    let newest = Version::from_str("2.19.9").unwrap();
    let map = VersionMap::from_files(&name, shared.clone(), None);
    let cands = map.get(&newest).unwrap();
    c.bench_function(
        &format!("rank one version's {} files for a target", cands.len()),
        |b| {
            b.iter(|| {
                black_box(cands)
                    .iter()
                    .filter_map(|c| c.wheel_for(&target))
                    .min()
            })
        },
    );
}

criterion_group!(listing_benches, benches);
criterion_main!(listing_benches);
