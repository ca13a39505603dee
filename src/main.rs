//! The `pinwheel` binary: everything happens in the library's `cli` module.

fn main() -> std::process::ExitCode {
    pinwheel::cli::run()
}
