//! The `pinwheel` binary: everything happens in the library's `cli` module.

/// Warm runs read megabytes of cached index pages into many small strings; mimalloc serves
/// that pattern at a fraction of glibc malloc's cost (measured with `benches/compare.sh lock`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    pinwheel::trace::init();
    pinwheel::cli::run()
}
