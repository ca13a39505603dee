//! Why a chosen version cannot serve the targets that need it: pubgrub's custom
//! incompatibility (`Dependencies::Unavailable`), shown in the unsatisfiable report as
//! "X cannot be used: ...", and the reason a pin is short of files after the resolution.

use pep440_rs::Version;
use pep508_rs::PackageName;

use super::candidates::Skip;

/// Why a version cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unavailable {
    /// Its core metadata cannot be read (the version is skipped, see `Skip::InvalidMetadata`).
    #[error("its metadata is invalid")]
    InvalidMetadata,
    /// Its metadata's `Requires-Python` excludes a target that needs it.
    #[error("its metadata requires Python {requires_python}, which excludes {target}")]
    RequiresPython {
        requires_python: String,
        /// The target's canonical name.
        target: String,
    },
    /// Its files do not serve every target that needs it.
    #[error("{0}")]
    Files(Skip),
    /// Its dependencies were read for only some of the targets that need it (`read` of them).
    #[error("its dependencies were read for {read} of the targets that need it")]
    DependenciesReadShort { read: u32 },
}

/// Why the resolution's answer does not serve every target.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unserved {
    /// A chosen version turned out unusable for targets that need it, and another round of
    /// resolution found no other targets to tell it about.
    #[error("{name} {version} was chosen but {why}")]
    Pin {
        name: PackageName,
        version: Version,
        why: Unavailable,
    },
    /// The targets each pin must serve still grew after the last round.
    #[error("the targets each pin must serve still grew after {rounds} rounds of resolution")]
    StillGrowing { rounds: usize },
}
