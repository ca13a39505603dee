//! PEP 440 version specifiers as pubgrub ranges: what `==1.0`, `<=1.0` and `!=1.0` mean for
//! local versions, and which ranges name a pre-release (pip's rule for allowing them). Pure.

use pep440_rs::{LocalSegment, Operator, Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{Requirement, VersionOrUrl};
use pubgrub::Ranges;

/// A set of versions, as pubgrub takes them.
pub type Range = Ranges<Version>;

/// PEP 440 specifiers as a pubgrub range.
pub fn range_of(req: &Requirement) -> Range {
    match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(s)) => s.iter().fold(Range::full(), |r, spec| {
            r.intersection(&specifier_range(spec))
        }),
        _ => Range::full(),
    }
}

/// `v` and its local versions: what `==v` means (PEP 440).
pub fn exact_range(v: &Version) -> Range {
    let top = v.clone().with_local(vec![LocalSegment::Number(LOCAL_MAX)]);
    Range::from_range_bounds(v.clone()..=top)
}

/// The local label standing for "any local version" at the top of an `==` range.
pub const LOCAL_MAX: u64 = u64::MAX;

/// One specifier as a range. PEP 440 ignores a candidate's local label when the specifier has
/// none: `==1.0` and `<=1.0` match `1.0+cpu`, `!=1.0` excludes it; the rest is pep440_rs's
/// conversion.
fn specifier_range(spec: &VersionSpecifier) -> Range {
    let v = spec.version();
    let with_locals = || exact_range(v);
    match spec.operator() {
        Operator::Equal if v.local().is_empty() => with_locals(),
        Operator::NotEqual if v.local().is_empty() => with_locals().complement(),
        Operator::LessThanEqual if v.local().is_empty() => {
            Range::from(spec.clone()).union(&with_locals())
        }
        _ => Range::from(spec.clone()),
    }
}

fn specifiers(req: &Requirement) -> Option<&VersionSpecifiers> {
    match &req.version_or_url {
        Some(VersionOrUrl::VersionSpecifier(s)) => Some(s),
        _ => None,
    }
}

/// Whether a bound of the range is a pre-release a specifier named (`>=2.0b1`, `==2.0rc1`,
/// `<2.0a1`): pip then allows pre-releases. Bounds the conversion makes up do not count: the
/// `.dev0` ends of `~=` and `==X.*`, and the two sides of a `!=` hole (packaging 24.2: `!=`
/// never enables pre-releases).
pub fn range_names_prerelease(range: &Range) -> bool {
    let segments: Vec<_> = range.iter().collect();
    let made_up = |v: &Version| {
        v.dev() == Some(0) && v.pre().is_none() && v.post().is_none() && v.local().is_empty()
    };
    let bound_version = |b: &std::ops::Bound<Version>| match b {
        std::ops::Bound::Included(v) | std::ops::Bound::Excluded(v) => Some(v.clone()),
        std::ops::Bound::Unbounded => None,
    };
    for (i, (lo, hi)) in segments.iter().enumerate() {
        if let Some(v) = bound_version(lo) {
            let hole_end = matches!(lo, std::ops::Bound::Excluded(_)) && !v.local().is_empty();
            if v.any_prerelease() && !made_up(&v) && !hole_end {
                return true;
            }
        }
        if let Some(v) = bound_version(hi) {
            let next_lo = segments.get(i + 1).and_then(|(l, _)| bound_version(l));
            let hole_start = matches!(hi, std::ops::Bound::Excluded(_))
                && next_lo.is_some_and(|n| n.clone().without_local() == v);
            if v.any_prerelease() && !made_up(&v.clone().without_local()) && !hole_start {
                return true;
            }
        }
    }
    false
}

/// Whether any of the specifiers names a pre-release (pip then allows them for that package);
/// `!=` never does (packaging 24.2).
pub fn names_prerelease(req: &Requirement) -> bool {
    specifiers(req).is_some_and(|s| {
        s.iter().any(|s| {
            !matches!(s.operator(), Operator::NotEqual | Operator::NotEqualStar)
                && s.any_prerelease()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn range(spec: &str) -> Range {
        range_of(&Requirement::from_str(&format!("x{spec}")).unwrap())
    }

    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn exact_pins_match_local_versions() {
        let r = range("==1.0");
        assert!(
            r.contains(&v("1.0")) && r.contains(&v("1.0+cpu")) && r.contains(&v("1.0.0+cu121.1"))
        );
        assert!(!r.contains(&v("1.0.post1")) && !r.contains(&v("1.0.1")));
        let r = range("==1.0+cpu");
        assert!(r.contains(&v("1.0+cpu")) && !r.contains(&v("1.0+cu121")));
        let r = range("!=1.0");
        assert!(!r.contains(&v("1.0+cpu")) && r.contains(&v("1.0.1")));
    }

    #[test]
    fn ranges_name_pre_releases_as_their_specifiers_do() {
        for spec in [
            ">=2.0b1",
            "==2.0rc1",
            "<2.0a1",
            ">1.0,<=2.0rc1",
            ">2.0.dev3",
            ">=1.0,!=1.5,<2.0b1",
        ] {
            assert!(range_names_prerelease(&range(spec)), "{spec}");
        }
        for spec in [
            "",
            ">=1.0",
            "<2.0",
            "~=1.4",
            "==1.*",
            "!=2.0rc1",
            ">=1.0,!=2.0b1",
            "<=2.0",
        ] {
            assert!(!range_names_prerelease(&range(spec)), "{spec}");
        }
    }

    #[test]
    fn other_operators_follow_pep440() {
        let r = range(">=1.0,<2");
        assert!(r.contains(&v("1.5")) && !r.contains(&v("2.0")) && !r.contains(&v("2.0a1")));
        let r = range("~=1.4.2");
        assert!(r.contains(&v("1.4.9")) && !r.contains(&v("1.5")));
        let r = range("==1.*");
        assert!(r.contains(&v("1.9")) && !r.contains(&v("2.0")));
    }
}
