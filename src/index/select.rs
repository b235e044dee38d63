//! Box search: every entry whose plan position lies in a plan envelope.
//!
//! rstar's `locate_in_envelope` pushes every child of every node it enters onto one
//! stack, entries included, and pops them one at a time through a generic iterator: that
//! was over half of a bounding-box query (BENCHMARKS.md, stop 10). This walks the tree
//! depth-first instead; it tests a node's box once, takes a node that lies wholly inside
//! the envelope without testing its entries, and starts loading the children of every
//! node it is about to enter before entering the first, so that their misses overlap.

use super::Entry;
use super::earth::plan;
use rstar::{AABB, Envelope, ParentNode, RTreeNode};

/// Calls `found` with every entry under `node` whose plan position lies in `envelope`.
pub(super) fn within<'a>(
    node: &'a ParentNode<Entry>,
    envelope: &AABB<[f64; 2]>,
    found: &mut impl FnMut(&'a Entry),
) {
    let children = node.children();
    for c in children {
        if let RTreeNode::Parent(p) = c
            && p.envelope().intersects(envelope)
        {
            super::prefetch::slice(p.children());
        }
    }
    for c in children {
        match c {
            RTreeNode::Leaf(e) => {
                if envelope.contains_point(&plan(&e.xyz)) {
                    found(e);
                }
            }
            RTreeNode::Parent(p) => {
                let inner = p.envelope();
                if envelope.contains_envelope(&inner) {
                    all(p, found);
                } else if inner.intersects(envelope) {
                    within(p, envelope, found);
                }
            }
        }
    }
}

/// Calls `found` with every entry under `node`.
fn all<'a>(node: &'a ParentNode<Entry>, found: &mut impl FnMut(&'a Entry)) {
    for c in node.children() {
        if let RTreeNode::Parent(p) = c {
            super::prefetch::slice(p.children());
        }
    }
    for c in node.children() {
        match c {
            RTreeNode::Leaf(e) => found(e),
            RTreeNode::Parent(p) => all(p, found),
        }
    }
}
