//! Why no resolution exists, in words: a pubgrub `ReportFormatter` that speaks of projects and
//! PEP 440 specifiers (`lib>=2`, `right==1.0.0`), names the input line a requirement came from,
//! and says which versions the index has when none matches.

use std::collections::Bound;

use pep440_rs::{LocalSegment, Version};
use pubgrub::{
    DefaultStringReporter, DerivationTree, Derived, External, Map, ReportFormatter, Reporter, Term,
};

use super::provider::{Node, Provider};
use super::ranges::{Range, LOCAL_MAX};
use super::unavailable::Unavailable;

type Ext = External<Node, Range, Unavailable>;
type Der = Derived<Node, Range, Unavailable>;
type Terms = Map<Node, Term<Range>>;

/// The explanation of a failed resolution: the derivation, then notes on what the index has.
pub(crate) fn explain(
    provider: &Provider,
    mut tree: DerivationTree<Node, Range, Unavailable>,
) -> String {
    let prose = Prose { provider };
    tree = fold_extra_requires(tree);
    let mut notes = Vec::new();
    unmatched(&prose, &tree, &mut notes);
    // "No version of x matches <1.0 or >1.0" steps are true but noise once their facts are
    // folded into the steps that use them; the requirements that match nothing are noted below.
    tree.collapse_no_versions();
    let report = shorten(&DefaultStringReporter::report_with_formatter(&tree, &prose));
    let mut out = String::new();
    for line in report.lines() {
        out.push_str("  ");
        out.push_str(line);
        out.push('\n');
    }
    for note in notes {
        out.push_str(&format!("  note: {note}\n"));
    }
    let skipped = provider.skipped();
    let mut names: Vec<_> = skipped
        .keys()
        .filter(|n| report.contains(n.as_ref()))
        .collect();
    names.sort();
    for n in names {
        out.push_str(&format!("  note: {}\n", skip_note(n, &skipped[n])));
    }
    out.trim_end().to_string()
}

/// An extra's requirements sit on a node of their own (see [`Node`]): "pkg[x] 1.0 requires
/// pkg[x]'s requirements 1.0, which require dep" reads as "pkg[x] 1.0 requires dep".
fn fold_extra_requires(
    tree: DerivationTree<Node, Range, Unavailable>,
) -> DerivationTree<Node, Range, Unavailable> {
    let DerivationTree::Derived(d) = tree else {
        return tree;
    };
    let fold = |t: &std::sync::Arc<DerivationTree<Node, Range, Unavailable>>| {
        std::sync::Arc::new(fold_extra_requires((**t).clone()))
    };
    let (c1, c2) = (fold(&d.cause1), fold(&d.cause2));
    for (a, b) in [(&c1, &c2), (&c2, &c1)] {
        if let (
            DerivationTree::External(External::FromDependencyOf(
                extra @ Node::Extra(n, e),
                extra_range,
                Node::ExtraRequires(n2, e2),
                _,
            )),
            DerivationTree::External(External::FromDependencyOf(
                Node::ExtraRequires(n3, e3),
                _,
                dep,
                dep_range,
            )),
        ) = (&**a, &**b)
        {
            if n == n2 && n == n3 && e == e2 && e == e3 {
                return DerivationTree::External(External::FromDependencyOf(
                    extra.clone(),
                    extra_range.clone(),
                    dep.clone(),
                    dep_range.clone(),
                ));
            }
        }
    }
    DerivationTree::Derived(Derived {
        cause1: c1,
        cause2: c2,
        ..d
    })
}

/// The longest derivation shown in full; longer ones keep their first and last steps.
const MAX_STEPS: usize = 12;

/// A derivation of more than [`MAX_STEPS`] lines with its middle left out: the same fact
/// repeated per version adds length, not understanding.
fn shorten(report: &str) -> String {
    let lines: Vec<&str> = report.lines().collect();
    if lines.len() <= MAX_STEPS {
        return report.to_string();
    }
    let (head, tail) = (4, 4);
    let mut out: Vec<String> = lines[..head].iter().map(|l| l.to_string()).collect();
    out.push(format!(
        "[... {} more steps of the derivation ...]",
        lines.len() - head - tail
    ));
    out.extend(lines[lines.len() - tail..].iter().map(|l| l.to_string()));
    out.join("\n")
}

/// Why a project's versions were passed over, one clause per reason: `lib 1.0 is yanked`,
/// or `47 versions of lib (1.0 ... 3.2): each has no file that installs on ...`.
fn skip_note(name: &pep508_rs::PackageName, list: &[(Version, super::candidates::Skip)]) -> String {
    let mut groups: Vec<(String, Vec<&Version>)> = Vec::new();
    for (v, why) in list {
        let why = why.to_string();
        match groups.iter_mut().find(|(w, _)| *w == why) {
            Some((_, vs)) => vs.push(v),
            None => groups.push((why, vec![v])),
        }
    }
    let clauses: Vec<String> = groups
        .iter_mut()
        .map(|(why, vs)| {
            vs.sort();
            match vs.as_slice() {
                [v] => format!("{name} {v} {why}"),
                [first, .., last] => format!(
                    "{} versions of {name} ({first} ... {last}): each {why}",
                    vs.len()
                ),
                [] => String::new(),
            }
        })
        .collect();
    clauses.join("; ")
}

/// Requirements in the derivation that no version on the index matches at all.
fn unmatched(
    prose: &Prose,
    tree: &DerivationTree<Node, Range, Unavailable>,
    notes: &mut Vec<String>,
) {
    match tree {
        DerivationTree::External(External::FromDependencyOf(_, _, dep, range)) => {
            let Node::Package(name) = dep else { return };
            let Ok(map) = prose.provider.versions(name) else {
                return;
            };
            if !range.is_empty() && !map.versions.keys().any(|v| range.contains(v)) {
                let note = format!(
                    "no version of {name} matches {}{}",
                    specifiers(range),
                    prose.available(dep)
                );
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
        }
        DerivationTree::External(_) => {}
        DerivationTree::Derived(d) => {
            unmatched(prose, &d.cause1, notes);
            unmatched(prose, &d.cause2, notes);
        }
    }
}

/// Formats pubgrub's derivation for people.
pub(crate) struct Prose<'a> {
    pub provider: &'a Provider,
}

/// Whether `v` is the "every local version" top of an `==` range.
fn is_local_top(v: &Version) -> bool {
    matches!(v.local(), [LocalSegment::Number(n)] if *n == LOCAL_MAX)
}

/// A range as PEP 440 specifiers: `>=1.0,<2`, `==1.0.0`, `!=1.5`, `>=1.0,!=1.1.0`;
/// alternatives joined by "or".
pub fn specifiers(range: &Range) -> String {
    // Gaps that are one release and its local versions read as `!=v` inside one group.
    let mut groups: Vec<(Bound<Version>, Vec<Version>, Bound<Version>)> = Vec::new();
    for (lo, hi) in range.iter() {
        if let (Some((_, excluded, last_hi)), Bound::Excluded(b)) = (groups.last_mut(), lo) {
            if let Bound::Excluded(a) = &*last_hi {
                if is_local_top(b) && b.clone().without_local() == *a {
                    excluded.push(a.clone());
                    *last_hi = hi.clone();
                    continue;
                }
            }
        }
        groups.push((lo.clone(), Vec::new(), hi.clone()));
    }
    let parts: Vec<String> = groups
        .iter()
        .map(|(lo, excluded, hi)| match (lo, hi) {
            (Bound::Included(a), Bound::Included(b)) if a == b => format!("=={a}"),
            (Bound::Included(a), Bound::Included(b))
                if is_local_top(b) && b.clone().without_local() == *a =>
            {
                format!("=={a}")
            }
            _ => {
                let mut specs = Vec::new();
                match lo {
                    // Above every local version of a: above a.
                    Bound::Excluded(a) if is_local_top(a) => {
                        specs.push(format!(">{}", a.clone().without_local()))
                    }
                    Bound::Included(a) => specs.push(format!(">={a}")),
                    Bound::Excluded(a) => specs.push(format!(">{a}")),
                    Bound::Unbounded => {}
                }
                specs.extend(excluded.iter().map(|v| format!("!={v}")));
                match hi {
                    Bound::Included(b) if is_local_top(b) => {
                        specs.push(format!("<={}", b.clone().without_local()))
                    }
                    Bound::Included(b) => specs.push(format!("<={b}")),
                    Bound::Excluded(b) => specs.push(format!("<{b}")),
                    Bound::Unbounded => {}
                }
                specs.join(",")
            }
        })
        .collect();
    parts.join(" or ")
}

impl Prose<'_> {
    /// `lib>=2`, `right==1.0.0`, `app[fast]`, or `your requirements`.
    fn node(&self, node: &Node, range: &Range) -> String {
        match node {
            Node::Root => "your requirements".to_string(),
            _ if range.is_empty() => {
                format!("{node} (no versions: the specifiers and constraints exclude one another)")
            }
            _ => format!("{node}{}", self.specifiers_of(node, range)),
        }
    }

    /// A range as specifiers, in its simplest form over the versions the index has (the
    /// versions pubgrub excluded one by one read as one bound), when that is shorter.
    fn specifiers_of(&self, node: &Node, range: &Range) -> String {
        let written = specifiers(range);
        let (Node::Package(name) | Node::Extra(name, _) | Node::ExtraRequires(name, _)) = node
        else {
            return written;
        };
        let Ok(map) = self.provider.versions(name) else {
            return written;
        };
        let simple = range.simplify(map.versions.keys());
        if simple.is_empty() {
            return written;
        }
        let simple = specifiers(&simple);
        if simple.len() < written.len() {
            simple
        } else {
            written
        }
    }

    /// Where a root requirement on `node` came from: `(from -r requirements.in)`, quoting the
    /// line when it says more than the range shown.
    fn origin(&self, node: &Node, shown: &str) -> String {
        let (Node::Package(name) | Node::Extra(name, _) | Node::ExtraRequires(name, _)) = node
        else {
            return String::new();
        };
        let lines: Vec<String> = self
            .provider
            .inputs
            .roots
            .iter()
            .chain(&self.provider.inputs.constraint_origins)
            .filter(|o| &o.requirement.name == name)
            .map(|o| {
                let text = o.requirement.to_string();
                if text.replace(' ', "") == shown {
                    o.source.clone()
                } else {
                    format!("`{text}` in {}", o.source)
                }
            })
            .collect();
        if lines.is_empty() {
            String::new()
        } else {
            format!(" (from {})", lines.join(", "))
        }
    }

    /// A dependency's range includes the user's constraints on it (pip's `-c`): name them
    /// (`the constraint `x<2` in -c c.txt`), or the range reads as if the parent asked for it all.
    fn constraint_note(&self, dep: &Node) -> String {
        let (Node::Package(name) | Node::Extra(name, _) | Node::ExtraRequires(name, _)) = dep
        else {
            return String::new();
        };
        let applies = self
            .provider
            .inputs
            .constraints
            .get(name)
            .is_some_and(|(_, marker)| self.provider.inputs.any_target(marker, &[]));
        if !applies {
            return String::new();
        }
        let lines: Vec<String> = self
            .provider
            .inputs
            .constraint_origins
            .iter()
            .filter(|o| &o.requirement.name == name)
            .map(|o| format!("`{}` in {}", o.requirement, o.source))
            .collect();
        format!(
            "the constraint{} {}",
            if lines.len() == 1 { "" } else { "s" },
            lines.join(", ")
        )
    }

    /// Whether the index lists any version of the project in `range`.
    fn lists_any(&self, node: &Node, range: &Range) -> bool {
        let (Node::Package(name) | Node::Extra(name, _) | Node::ExtraRequires(name, _)) = node
        else {
            return true;
        };
        self.provider
            .versions(name)
            .map_or(true, |map| map.versions.keys().any(|v| range.contains(v)))
    }

    /// The versions the index lists for a project, newest last, for "no version matches".
    fn available(&self, node: &Node) -> String {
        let (Node::Package(name) | Node::Extra(name, _) | Node::ExtraRequires(name, _)) = node
        else {
            return String::new();
        };
        let Ok(map) = self.provider.versions(name) else {
            return String::new();
        };
        let all: Vec<String> = map.versions.keys().map(ToString::to_string).collect();
        match all.len() {
            0 => " (the index lists no usable files)".to_string(),
            n if n > 8 => format!(
                " (the index has {n} versions: {} ... {})",
                all[..3].join(", "),
                all[n - 3..].join(", ")
            ),
            _ => format!(" (the index has {})", all.join(", ")),
        }
    }

    fn terms_of(&self, terms: &Terms) -> String {
        ReportFormatter::<Node, Range, Unavailable>::format_terms(self, terms)
    }
}

impl ReportFormatter<Node, Range, Unavailable> for Prose<'_> {
    type Output = String;

    fn format_external(&self, external: &Ext) -> String {
        match external {
            External::NotRoot(node, _) => format!("{node} must be resolved first"),
            External::NoVersions(node, range) => {
                if range == &Range::full() {
                    format!("no usable version of {node} exists{}", self.available(node))
                } else if !self.lists_any(node, range) {
                    // The complement of the versions tried: only those exist.
                    format!("{node} has no other versions{}", self.available(node))
                } else {
                    format!(
                        "no usable version of {node} matches {}{}",
                        self.specifiers_of(node, range),
                        self.available(node)
                    )
                }
            }
            External::FromDependencyOf(Node::Root, _, dep, dep_range) => {
                let shown = self.node(dep, dep_range);
                let origin = self.origin(dep, &shown);
                format!("you require {shown}{origin}")
            }
            External::FromDependencyOf(node, range, dep, dep_range) => {
                let who = if range == &Range::full() {
                    format!("every version of {node}")
                } else {
                    self.node(node, range)
                };
                let note = self.constraint_note(dep);
                if dep_range.is_empty() && !note.is_empty() {
                    format!("{who} requires a version of {dep} that {note} excludes")
                } else if note.is_empty() {
                    format!("{who} requires {}", self.node(dep, dep_range))
                } else {
                    format!("{who} requires {} (with {note})", self.node(dep, dep_range))
                }
            }
            External::Custom(node, range, why) => {
                format!("{} cannot be used: {why}", self.node(node, range))
            }
        }
    }

    fn format_terms(&self, terms: &Terms) -> String {
        let list: Vec<_> = terms.iter().collect();
        match list.as_slice() {
            [] => "no resolution exists".into(),
            [(Node::Root, Term::Positive(_))] => "your requirements cannot be satisfied".into(),
            [(node, Term::Positive(range))] => {
                format!("{} cannot be used", self.node(node, range))
            }
            [(node, Term::Negative(range))] => {
                format!("{} is required", self.node(node, range))
            }
            // Derived from several facts: not a line of the input, so no "(from ...)".
            [(Node::Root, Term::Positive(_)), (d, Term::Negative(dr))]
            | [(d, Term::Negative(dr)), (Node::Root, Term::Positive(_))] => {
                format!("your requirements need {}", self.node(d, dr))
            }
            [(p, Term::Positive(r)), (d, Term::Negative(dr))]
            | [(d, Term::Negative(dr)), (p, Term::Positive(r))] => self.format_external(
                &External::FromDependencyOf((*p).clone(), r.clone(), (*d).clone(), dr.clone()),
            ),
            many => {
                let with_root = many
                    .iter()
                    .any(|(n, t)| **n == Node::Root && matches!(t, Term::Positive(_)));
                let names: Vec<String> = many
                    .iter()
                    .filter(|(n, _)| **n != Node::Root)
                    .map(|(n, t)| match t {
                        Term::Positive(r) => self.node(n, r),
                        Term::Negative(r) => format!("not {}", self.node(n, r)),
                    })
                    .collect();
                let listed = match names.as_slice() {
                    [one] => one.clone(),
                    [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
                    [] => String::new(),
                };
                if with_root {
                    format!("{listed} cannot be used with your requirements")
                } else {
                    format!("{listed} cannot be used together")
                }
            }
        }
    }

    fn explain_both_external(&self, e1: &Ext, e2: &Ext, terms: &Terms) -> String {
        format!(
            "Because {} and {}, {}.",
            self.format_external(e1),
            self.format_external(e2),
            self.terms_of(terms)
        )
    }

    fn explain_both_ref(
        &self,
        id1: usize,
        d1: &Der,
        id2: usize,
        d2: &Der,
        terms: &Terms,
    ) -> String {
        format!(
            "Because {} ({id1}) and {} ({id2}), {}.",
            self.terms_of(&d1.terms),
            self.terms_of(&d2.terms),
            self.terms_of(terms)
        )
    }

    fn explain_ref_and_external(&self, id: usize, d: &Der, e: &Ext, terms: &Terms) -> String {
        format!(
            "Because {} ({id}) and {}, {}.",
            self.terms_of(&d.terms),
            self.format_external(e),
            self.terms_of(terms)
        )
    }

    fn and_explain_external(&self, e: &Ext, terms: &Terms) -> String {
        format!(
            "And because {}, {}.",
            self.format_external(e),
            self.terms_of(terms)
        )
    }

    fn and_explain_ref(&self, id: usize, d: &Der, terms: &Terms) -> String {
        format!(
            "And because {} ({id}), {}.",
            self.terms_of(&d.terms),
            self.terms_of(terms)
        )
    }

    fn and_explain_prior_and_external(&self, prior: &Ext, e: &Ext, terms: &Terms) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior),
            self.format_external(e),
            self.terms_of(terms)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn range(spec: &str) -> Range {
        super::super::ranges::range_of(
            &pep508_rs::Requirement::from_str(&format!("x{spec}")).unwrap(),
        )
    }

    #[test]
    fn skipped_versions_are_grouped_by_reason() {
        use super::super::candidates::Skip;
        let name = pep508_rs::PackageName::from_str("bin").unwrap();
        let arm = || Skip::NoFileFor {
            target: "cp312-manylinux_2_41_armv7l".into(),
        };
        let v = |s: &str| Version::from_str(s).unwrap();
        let list = vec![
            (v("3.2"), arm()),
            (v("3.0"), arm()),
            (v("3.1"), arm()),
            (v("2.0"), Skip::Yanked(String::new())),
        ];
        assert_eq!(
            skip_note(&name, &list),
            "3 versions of bin (3.0 ... 3.2): each has no file that installs on \
             cp312-manylinux_2_41_armv7l; bin 2.0 yanked"
        );
    }

    #[test]
    fn long_derivations_keep_their_first_and_last_steps() {
        let short = "a\nb\nc";
        assert_eq!(shorten(short), short);
        let long: Vec<String> = (0..30).map(|i| format!("step {i}")).collect();
        let out = shorten(&long.join("\n"));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 9);
        assert_eq!(lines[0], "step 0");
        assert_eq!(lines[4], "[... 22 more steps of the derivation ...]");
        assert_eq!(lines[8], "step 29");
    }

    #[test]
    fn ranges_read_as_specifiers() {
        assert_eq!(specifiers(&range("==1.0")), "==1.0");
        assert_eq!(specifiers(&range("!=1.5")), "!=1.5");
        assert_eq!(specifiers(&range(">=1.0,<2")), ">=1.0,<2");
        assert_eq!(specifiers(&range("<=1.0")), "<=1.0");
        assert_eq!(specifiers(&range(">3")), ">3");
        assert_eq!(specifiers(&Range::full()), "");
        assert_eq!(specifiers(&range(">=1.0,!=1.1.0")), ">=1.0,!=1.1.0");
        assert_eq!(
            specifiers(&range(">=1.0,!=1.1.0,!=1.2,<3")),
            ">=1.0,!=1.1.0,!=1.2,<3"
        );
        // What is left of `!=1.1.0` once `<1.1.0` is taken away.
        assert_eq!(
            specifiers(&range("!=1.1.0").intersection(&range(">=1.1.0"))),
            ">1.1.0"
        );
        assert_eq!(
            specifiers(&range("<1").union(&range(">=2,<3"))),
            "<1 or >=2,<3"
        );
    }
}
