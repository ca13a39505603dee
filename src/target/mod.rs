//! Targets: one Python × OS × libc × architecture that a Docker image's pip would install into.
