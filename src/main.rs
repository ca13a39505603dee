//! The `pinwheel` binary: everything happens in the library's `cli` module.

/// Warm runs read megabytes of cached index pages into many small strings; mimalloc serves
/// that pattern at a fraction of glibc malloc's cost (measured with `benches/compare.sh lock`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_arena_eager_commit` (its position in `mi_option_t`, the same in the
/// v2 and v3 headers the crate bundles).
const MI_OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

/// Commits arena memory as it is used: mimalloc's default (eager commit of its arenas) kept a
/// warm web-api lock at ~104 MB peak RSS where it needs ~63 MB, for no measurable speed.
/// (An immediate purge, `mi_option_purge_delay` 0, saves ~10 MB more but slows warm runs by a
/// third.) Arenas are set up by the first allocation, before `main`, so this runs as an ELF
/// constructor (elsewhere, at the start of `main`).
extern "C" fn allocator_options() {
    // SAFETY: a plain option setter, called before any thread is started.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
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
    pinwheel::run()
}
