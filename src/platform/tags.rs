//! PEP 425 compatibility tags a target accepts, ranked as pip ranks them
//! (`packaging.tags.sys_tags`): platform lists per PEP 600 (manylinux, with the legacy
//! manylinux1/2010/2014 aliases at their twin's rank), PEP 656 (musllinux), macOS and Windows;
//! then the CPython order `cp3Y-cp3Y`, `cp3Y-abi3`, `cp3Y-none`, older `abi3`, `py*-none`, `any`.
//!
//! `linux_ARCH` is never produced: it is not portable, so no target accepts it.
//!
//! Order note: `shared/targets.md` lists the older `cp3(Y-1)-abi3` tags before `cp3Y-none-p`;
//! pip (packaging's `cpython_tags`) yields `cp3Y-none-p` between `cp3Y-abi3` and the older
//! abi3 tags. We follow pip, checked against pip's own output in `testdata/`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Arch, Libc, Platform, Target};
use crate::distribution::filename::WheelFilename;

/// The tags one target accepts, with their rank (0 = best).
#[derive(Debug, Clone)]
pub struct Tags {
    inner: Arc<TagsInner>,
}

#[derive(Debug)]
struct TagsInner {
    /// python → abi → platform → rank
    ranks: HashMap<String, HashMap<String, HashMap<String, u32>>>,
    /// Every accepted tag in pip's order (aliases right after their twin, same rank): what the
    /// tests compare with pip's own list.
    #[cfg(test)]
    ordered: Vec<(String, String, String, u32)>,
}

impl Tags {
    /// Build the ranked tag set of `target` (uncached; see [`Target::tags`]).
    pub fn for_target(target: &Target) -> Tags {
        let platforms = platform_groups(&target.platform);
        let (major, minor) = target.python_version();
        let interpreter = format!("cp{major}{minor}");
        let abi = if target.python.free_threaded {
            format!("{interpreter}t")
        } else {
            interpreter.clone()
        };
        let abi3 = !target.python.free_threaded && (major, minor) >= (3, 2);

        let mut builder = Builder::default();
        builder.each_platform(&interpreter, &abi, &platforms);
        if abi3 {
            builder.each_platform(&interpreter, "abi3", &platforms);
        }
        builder.each_platform(&interpreter, "none", &platforms);
        if abi3 {
            for older in (2..minor).rev() {
                builder.each_platform(&format!("cp{major}{older}"), "abi3", &platforms);
            }
        }
        let py_range = py_interpreter_range(major, minor);
        for py in &py_range {
            builder.each_platform(py, "none", &platforms);
        }
        builder.push_group(&interpreter, "none", &["any".to_string()]);
        for py in &py_range {
            builder.push_group(py, "none", &["any".to_string()]);
        }
        Tags {
            inner: Arc::new(TagsInner {
                ranks: builder.ranks,
                #[cfg(test)]
                ordered: builder.ordered,
            }),
        }
    }

    /// The process-wide cached tag set of `target`.
    pub(super) fn cached(target: &Target) -> Tags {
        static CACHE: OnceLock<Mutex<HashMap<Target, Tags>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(tags) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(target) {
            return tags.clone();
        }
        let tags = Tags::for_target(target);
        cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(target.clone())
            .or_insert(tags)
            .clone()
    }

    /// The rank of one tag, or `None` if the target does not accept it.
    pub fn rank(&self, python: &str, abi: &str, platform: &str) -> Option<u32> {
        self.inner
            .ranks
            .get(python)?
            .get(abi)?
            .get(platform)
            .copied()
    }

    /// The rank of the wheel's best tag (over its expanded compressed tag sets), or `None`
    /// when no tag is accepted.
    pub fn priority(&self, wheel: &WheelFilename) -> Option<u32> {
        let mut best: Option<u32> = None;
        for python in &wheel.python_tags {
            let Some(abis) = self.inner.ranks.get(python) else {
                continue;
            };
            for abi in &wheel.abi_tags {
                let Some(platforms) = abis.get(abi) else {
                    continue;
                };
                for platform in &wheel.platform_tags {
                    if let Some(&rank) = platforms.get(platform) {
                        best = Some(best.map_or(rank, |b| b.min(rank)));
                    }
                }
            }
        }
        best
    }

    /// Whether pip on this target would install the wheel at all.
    #[cfg(test)]
    pub fn is_compatible(&self, wheel: &WheelFilename) -> bool {
        self.priority(wheel).is_some()
    }

    /// Every accepted `(python, abi, platform, rank)`, best first.
    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, &str, u32)> + '_ {
        self.inner
            .ordered
            .iter()
            .map(|(p, a, s, r)| (p.as_str(), a.as_str(), s.as_str(), *r))
    }

    /// Number of accepted tags.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.inner.ordered.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.inner.ordered.is_empty()
    }
}

#[derive(Default)]
struct Builder {
    ranks: HashMap<String, HashMap<String, HashMap<String, u32>>>,
    #[cfg(test)]
    ordered: Vec<(String, String, String, u32)>,
    next: u32,
}

impl Builder {
    fn each_platform(&mut self, python: &str, abi: &str, groups: &[Vec<String>]) {
        for group in groups {
            self.push_group(python, abi, group);
        }
    }

    /// One rank shared by every platform in `group` (a tag and its legacy alias).
    fn push_group(&mut self, python: &str, abi: &str, group: &[String]) {
        let rank = self.next;
        let mut used = false;
        for platform in group {
            let slot = self
                .ranks
                .entry(python.to_string())
                .or_default()
                .entry(abi.to_string())
                .or_default();
            if slot.contains_key(platform) {
                continue;
            }
            slot.insert(platform.clone(), rank);
            #[cfg(test)]
            self.ordered
                .push((python.to_string(), abi.to_string(), platform.clone(), rank));
            used = true;
        }
        if used {
            self.next += 1;
        }
    }
}

/// `py3Y`, `py3`, `py3(Y-1)`, ..., `py30`.
fn py_interpreter_range(major: u32, minor: u32) -> Vec<String> {
    let mut out = vec![format!("py{major}{minor}"), format!("py{major}")];
    out.extend((0..minor).rev().map(|m| format!("py{major}{m}")));
    out
}

/// The platform tags of a platform, most specific first, grouped by rank.
fn platform_groups(platform: &Platform) -> Vec<Vec<String>> {
    match *platform {
        Platform::Linux {
            libc: Libc::Glibc { major, minor },
            arch,
        } => manylinux(major, minor, arch),
        Platform::Linux {
            libc: Libc::Musl { major, minor },
            arch,
        } => (0..=minor)
            .rev()
            .map(|m| vec![format!("musllinux_{major}_{m}_{}", arch.linux_name())])
            .collect(),
        Platform::MacOs { major, minor, arch } => mac_platforms(major, minor, arch.macos_name())
            .into_iter()
            .map(|p| vec![p])
            .collect(),
        Platform::Windows { .. } => vec![vec![platform.tag()]],
    }
}

/// PEP 600: `manylinux_2_N` down to 2_5 (x86_64, i686) or 2_17 (other architectures), each
/// with its PEP 513/571/599 legacy alias.
fn manylinux(major: u32, minor: u32, arch: Arch) -> Vec<Vec<String>> {
    let arch_name = arch.linux_name();
    if major != 2 {
        return vec![vec![format!("manylinux_{major}_{minor}_{arch_name}")]];
    }
    let oldest = match arch {
        Arch::X86_64 | Arch::I686 => 5,
        _ => 17,
    };
    if minor < oldest {
        return Vec::new();
    }
    (oldest..=minor)
        .rev()
        .map(|m| {
            let mut group = vec![format!("manylinux_2_{m}_{arch_name}")];
            let legacy = match m {
                17 => Some("manylinux2014"),
                12 => Some("manylinux2010"),
                5 => Some("manylinux1"),
                _ => None,
            };
            if let Some(legacy) = legacy {
                group.push(format!("{legacy}_{arch_name}"));
            }
            group
        })
        .collect()
}

/// packaging's binary formats a macOS `version` on `arch` can load.
fn mac_binary_formats(version: (u32, u32), arch: &str) -> Vec<&'static str> {
    let mut formats = Vec::new();
    match arch {
        "x86_64" => {
            if version < (10, 4) {
                return formats;
            }
            formats.extend([
                "x86_64",
                "intel",
                "fat64",
                "fat32",
                "universal2",
                "universal",
            ]);
        }
        "arm64" => formats.extend(["arm64", "universal2"]),
        _ => {}
    }
    formats
}

/// packaging's `mac_platforms`: for 10.x, every 10.m down to 10.0; from 11 on, every `M_0`
/// down to 11.0, then 10.16 … 10.4 (x86_64 formats, or only `universal2` on arm64).
fn mac_platforms(major: u32, minor: u32, arch: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |maj: u32, min: u32, formats: Vec<&'static str>| {
        for format in formats {
            out.push(format!("macosx_{maj}_{min}_{format}"));
        }
    };
    if major == 10 {
        for m in (0..=minor).rev() {
            push(10, m, mac_binary_formats((10, m), arch));
        }
    }
    if major >= 11 {
        for maj in (11..=major).rev() {
            push(maj, 0, mac_binary_formats((maj, 0), arch));
        }
        for m in (4..=16).rev() {
            if arch == "x86_64" {
                push(10, m, mac_binary_formats((10, m), arch));
            } else {
                push(10, m, vec!["universal2"]);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn target(s: &str) -> Target {
        Target::parse(s).unwrap()
    }

    fn wheel_tag(tags: &Tags, tag: &str) -> Option<u32> {
        let wheel = WheelFilename::from_str(&format!("x-1.0-{tag}.whl")).unwrap();
        tags.priority(&wheel)
    }

    #[test]
    fn glibc_priority_order() {
        let t = target("cp312-manylinux_2_28_x86_64");
        let tags = t.tags();
        let r = |tag: &str| wheel_tag(&tags, tag);

        let best = r("cp312-cp312-manylinux_2_28_x86_64").unwrap();
        assert_eq!(best, 0);
        let m217 = r("cp312-cp312-manylinux_2_17_x86_64").unwrap();
        assert!(best < m217);
        assert_eq!(r("cp312-cp312-manylinux2014_x86_64"), Some(m217));
        assert_eq!(
            r("cp312-cp312-manylinux2010_x86_64"),
            r("cp312-cp312-manylinux_2_12_x86_64")
        );
        assert_eq!(
            r("cp312-cp312-manylinux1_x86_64"),
            r("cp312-cp312-manylinux_2_5_x86_64")
        );
        let oldest_cp = r("cp312-cp312-manylinux_2_5_x86_64").unwrap();
        let abi3 = r("cp312-abi3-manylinux_2_28_x86_64").unwrap();
        assert!(oldest_cp < abi3);
        let none = r("cp312-none-manylinux_2_28_x86_64").unwrap();
        assert!(abi3 < none);
        let older_abi3 = r("cp311-abi3-manylinux_2_28_x86_64").unwrap();
        assert!(none < older_abi3, "pip ranks cp3Y-none before older abi3");
        let cp32 = r("cp32-abi3-manylinux_2_28_x86_64").unwrap();
        assert!(older_abi3 < cp32);
        assert_eq!(r("cp31-abi3-manylinux_2_28_x86_64"), None);
        let py312 = r("py312-none-manylinux_2_28_x86_64").unwrap();
        let py3 = r("py3-none-manylinux_2_28_x86_64").unwrap();
        let py311 = r("py311-none-manylinux_2_28_x86_64").unwrap();
        let py30 = r("py30-none-manylinux_2_5_x86_64").unwrap();
        assert!(cp32 < py312 && py312 < py3 && py3 < py311 && py311 < py30);
        let cp_any = r("cp312-none-any").unwrap();
        let py312_any = r("py312-none-any").unwrap();
        let py3_any = r("py3-none-any").unwrap();
        let py311_any = r("py311-none-any").unwrap();
        let py30_any = r("py30-none-any").unwrap();
        assert!(py30 < cp_any);
        assert!(cp_any < py312_any && py312_any < py3_any);
        assert!(py3_any < py311_any && py311_any < py30_any);
        assert_eq!(tags.iter().last().unwrap().3, py30_any);

        // Not installable here.
        assert_eq!(r("cp312-cp312-manylinux_2_31_x86_64"), None);
        assert_eq!(r("cp312-cp312-musllinux_1_2_x86_64"), None);
        assert_eq!(r("cp312-cp312-linux_x86_64"), None);
        assert_eq!(r("cp312-cp312-manylinux_2_17_aarch64"), None);
        assert_eq!(r("cp311-cp311-manylinux_2_17_x86_64"), None);
        assert_eq!(r("cp313-cp313-manylinux_2_17_x86_64"), None);
        assert_eq!(r("cp313-abi3-manylinux_2_17_x86_64"), None);
        assert_eq!(r("py313-none-any"), None);
        assert_eq!(r("py2-none-any"), None);
        assert_eq!(r("cp312-cp312-win_amd64"), None);
    }

    #[test]
    fn tag_order_is_exactly_pips_at_the_seams() {
        let t = target("cp312-manylinux_2_17_aarch64");
        let tags: Vec<String> = t
            .tags()
            .iter()
            .map(|(p, a, s, _)| format!("{p}-{a}-{s}"))
            .collect();
        assert_eq!(
            tags[..3],
            [
                "cp312-cp312-manylinux_2_17_aarch64",
                "cp312-cp312-manylinux2014_aarch64",
                "cp312-abi3-manylinux_2_17_aarch64",
            ]
        );
        let tail: Vec<&str> = tags[tags.len() - 15..].iter().map(String::as_str).collect();
        assert_eq!(tail[0], "cp312-none-any");
        assert_eq!(tail[1], "py312-none-any");
        assert_eq!(tail[2], "py3-none-any");
        assert_eq!(tail[3], "py311-none-any");
        assert_eq!(tail[14], "py30-none-any");
        // 2 platform tags × (cp312 + abi3 + none + 10 older abi3 + 14 py) + 15 any tags.
        assert_eq!(tags.len(), 2 * (3 + 10 + 14) + 15);
    }

    #[test]
    fn compressed_tag_sets_take_the_best_member() {
        let tags = target("cp312-manylinux_2_28_x86_64").tags();
        let both = WheelFilename::from_str(
            "x-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        )
        .unwrap();
        assert_eq!(
            tags.priority(&both),
            wheel_tag(&tags, "cp312-cp312-manylinux_2_17_x86_64")
        );
        let mixed = WheelFilename::from_str(
            "x-1.0-cp312-cp312-musllinux_1_2_x86_64.manylinux_2_28_x86_64.whl",
        )
        .unwrap();
        assert_eq!(tags.priority(&mixed), Some(0));
        let py = WheelFilename::from_str("x-1.0-py2.py3-none-any.whl").unwrap();
        assert_eq!(tags.priority(&py), wheel_tag(&tags, "py3-none-any"));
        let none = WheelFilename::from_str("x-1.0-cp312-cp312-linux_x86_64.win32.whl").unwrap();
        assert!(!tags.is_compatible(&none));
    }

    #[test]
    fn manylinux_floors_per_arch() {
        let x86 = target("cp312-manylinux_2_28_x86_64").tags();
        assert!(wheel_tag(&x86, "cp312-cp312-manylinux_2_5_x86_64").is_some());
        assert_eq!(wheel_tag(&x86, "cp312-cp312-manylinux_2_4_x86_64"), None);
        let i686 = target("cp312-manylinux_2_28_i686").tags();
        assert!(wheel_tag(&i686, "cp312-cp312-manylinux1_i686").is_some());
        let arm = target("cp312-manylinux_2_28_aarch64").tags();
        assert!(wheel_tag(&arm, "cp312-cp312-manylinux_2_17_aarch64").is_some());
        assert!(wheel_tag(&arm, "cp312-cp312-manylinux2014_aarch64").is_some());
        assert_eq!(wheel_tag(&arm, "cp312-cp312-manylinux_2_16_aarch64"), None);
        assert_eq!(wheel_tag(&arm, "cp312-cp312-manylinux2010_aarch64"), None);
        let armv7 = target("cp312-manylinux_2_31_armv7l").tags();
        assert!(wheel_tag(&armv7, "cp312-cp312-manylinux_2_31_armv7l").is_some());
        assert_eq!(
            wheel_tag(&armv7, "cp312-cp312-manylinux_2_31_aarch64"),
            None
        );
    }

    #[test]
    fn musl_accepts_no_manylinux() {
        let musl = target("python:3.12-alpine").tags();
        assert_eq!(
            wheel_tag(&musl, "cp312-cp312-musllinux_1_2_x86_64"),
            Some(0)
        );
        assert!(
            wheel_tag(&musl, "cp312-cp312-musllinux_1_1_x86_64")
                < wheel_tag(&musl, "cp312-cp312-musllinux_1_0_x86_64")
        );
        assert!(wheel_tag(&musl, "cp312-abi3-musllinux_1_1_x86_64").is_some());
        assert_eq!(wheel_tag(&musl, "cp312-cp312-manylinux_2_17_x86_64"), None);
        assert_eq!(wheel_tag(&musl, "cp312-cp312-manylinux2014_x86_64"), None);
        assert_eq!(wheel_tag(&musl, "cp312-cp312-linux_x86_64"), None);
        assert!(wheel_tag(&musl, "py3-none-any").is_some());

        let old = target("python:3.8-alpine3.12").tags();
        assert_eq!(wheel_tag(&old, "cp38-cp38-musllinux_1_2_x86_64"), None);
        assert!(wheel_tag(&old, "cp38-cp38-musllinux_1_1_x86_64").is_some());
    }

    #[test]
    fn older_abi3_accepted_free_threaded_rejects_abi3() {
        let cp312 = target("cp312-manylinux_2_36_x86_64");
        let wheel =
            WheelFilename::from_str("cryptography-43.0.0-cp311-abi3-manylinux_2_28_x86_64.whl")
                .unwrap();
        assert!(cp312.wheel_priority(&wheel).is_some());
        let wheel39 =
            WheelFilename::from_str("cryptography-43.0.0-cp39-abi3-manylinux_2_28_x86_64.whl")
                .unwrap();
        assert!(cp312.wheel_priority(&wheel) < cp312.wheel_priority(&wheel39));

        let ft = target("cp313t-manylinux_2_36_x86_64");
        assert_eq!(ft.wheel_priority(&wheel), None);
        let tags = ft.tags();
        assert_eq!(wheel_tag(&tags, "cp313-abi3-manylinux_2_36_x86_64"), None);
        assert_eq!(
            wheel_tag(&tags, "cp313-cp313t-manylinux_2_36_x86_64"),
            Some(0)
        );
        assert_eq!(wheel_tag(&tags, "cp313-cp313-manylinux_2_36_x86_64"), None);
        assert!(wheel_tag(&tags, "cp313-none-manylinux_2_36_x86_64").is_some());
        assert!(wheel_tag(&tags, "py3-none-any").is_some());
        assert!(tags.iter().all(|(_, abi, _, _)| abi != "abi3"));
    }

    #[test]
    fn windows_tags() {
        let tags = target("cp311-win_amd64").tags();
        assert_eq!(wheel_tag(&tags, "cp311-cp311-win_amd64"), Some(0));
        assert_eq!(wheel_tag(&tags, "cp311-abi3-win_amd64"), Some(1));
        assert_eq!(wheel_tag(&tags, "cp311-cp311-win32"), None);
        assert_eq!(wheel_tag(&tags, "cp311-cp311-win_arm64"), None);
        let win32 = target("cp311-win32").tags();
        assert_eq!(wheel_tag(&win32, "cp311-cp311-win32"), Some(0));
        assert_eq!(wheel_tag(&win32, "cp311-cp311-win_amd64"), None);
        let arm = target("cp311-win_arm64").tags();
        assert_eq!(wheel_tag(&arm, "cp311-cp311-win_arm64"), Some(0));
    }

    #[test]
    fn macos_arm64_platforms() {
        let plats = mac_platforms(14, 2, "arm64");
        assert_eq!(
            plats[..8],
            [
                "macosx_14_0_arm64",
                "macosx_14_0_universal2",
                "macosx_13_0_arm64",
                "macosx_13_0_universal2",
                "macosx_12_0_arm64",
                "macosx_12_0_universal2",
                "macosx_11_0_arm64",
                "macosx_11_0_universal2",
            ]
        );
        assert_eq!(plats[8], "macosx_10_16_universal2");
        assert_eq!(plats.last().unwrap(), "macosx_10_4_universal2");
        assert_eq!(plats.len(), 8 + 13);
        assert!(!plats.iter().any(|p| p == "macosx_10_9_arm64"));

        let tags = target("cp312-macosx_14_0_arm64").tags();
        assert!(wheel_tag(&tags, "cp312-cp312-macosx_11_0_arm64").is_some());
        assert!(wheel_tag(&tags, "cp312-cp312-macosx_10_9_universal2").is_some());
        assert_eq!(wheel_tag(&tags, "cp312-cp312-macosx_10_9_x86_64"), None);
        assert_eq!(wheel_tag(&tags, "cp312-cp312-macosx_15_0_arm64"), None);
    }

    #[test]
    fn macos_x86_64_platforms() {
        let plats = mac_platforms(10, 9, "x86_64");
        assert_eq!(
            plats[..6],
            [
                "macosx_10_9_x86_64",
                "macosx_10_9_intel",
                "macosx_10_9_fat64",
                "macosx_10_9_fat32",
                "macosx_10_9_universal2",
                "macosx_10_9_universal",
            ]
        );
        // 10.9 … 10.4 have six formats each; 10.3 … 10.0 none.
        assert_eq!(plats.len(), 6 * 6);

        let big_sur = mac_platforms(11, 3, "x86_64");
        assert_eq!(big_sur[0], "macosx_11_0_x86_64");
        assert_eq!(big_sur[6], "macosx_10_16_x86_64");
        assert_eq!(big_sur.len(), 6 + 13 * 6);

        let tags = target("cp311-macosx_12_0_x86_64").tags();
        assert!(
            wheel_tag(&tags, "cp311-cp311-macosx_12_0_x86_64")
                < wheel_tag(&tags, "cp311-cp311-macosx_10_9_x86_64")
        );
        assert!(wheel_tag(&tags, "cp311-cp311-macosx_10_9_universal2").is_some());
        assert_eq!(wheel_tag(&tags, "cp311-cp311-macosx_11_0_arm64"), None);
    }

    /// Our order equals pip's, tag for tag (legacy aliases share their twin's rank here and
    /// follow it directly in pip's list).
    fn assert_matches_pip(target: &str, pip_output: &str) {
        let ours: Vec<String> = Target::parse(target)
            .unwrap()
            .tags()
            .iter()
            .map(|(p, a, s, _)| format!("{p}-{a}-{s}"))
            .collect();
        let pip: Vec<&str> = pip_output.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(ours.len(), pip.len(), "{target}");
        for (i, (o, p)) in ours.iter().zip(&pip).enumerate() {
            assert_eq!(o, p, "{target}: tag #{i}");
        }
    }

    #[test]
    fn order_matches_pip_linux() {
        assert_matches_pip(
            "cp311-manylinux_2_36_x86_64",
            include_str!("testdata/pip_cp311_manylinux_2_36_x86_64.txt"),
        );
    }

    #[test]
    fn order_matches_pip_macos() {
        assert_matches_pip(
            "cp312-macosx_14_0_arm64",
            include_str!("testdata/pip_cp312_macosx_14_0_arm64.txt"),
        );
        assert_matches_pip(
            "cp39-macosx_10_9_x86_64",
            include_str!("testdata/pip_cp39_macosx_10_9_x86_64.txt"),
        );
    }

    #[test]
    fn cached_tags_match_fresh() {
        let t = target("cp310-manylinux_2_31_aarch64");
        let a = t.tags();
        let b = Tags::for_target(&t);
        assert_eq!(a.len(), b.len());
        assert!(a.iter().eq(b.iter()));
        assert!(!a.is_empty());
    }
}
