//! The `pinwheel` binary: everything happens in the library's `cli` module.

/// Warm runs read megabytes of cached index pages into many small strings; mimalloc serves
/// that pattern at a fraction of glibc malloc's cost (measured with `benches/compare.sh lock`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` and `mi_option_purge_delay` (their positions in
/// `mi_option_t`, the same in the v2 and v3 headers the crate bundles).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Commits arena memory as it is used and returns freed memory at once: mimalloc's defaults
/// (eager commit, a 10 ms purge delay) kept the airflow lock's peak RSS at 168 MB where it
/// needs about 100 MB, for no measurable speed. Arenas are set up by the first allocation,
/// before `main`, so this runs as an ELF constructor (elsewhere, at the start of `main`).
extern "C" fn allocator_options() {
    // SAFETY: plain option setters, called before any thread is started.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static ALLOCATOR_OPTIONS: extern "C" fn() = allocator_options;

fn main() -> std::process::ExitCode {
    #[cfg(not(target_os = "linux"))]
    allocator_options();
    pinwheel::trace::init();
    pinwheel::cli::run()
}
