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

/// Calls `found` with every entry under `node` whose plan position lies in `envelope`;
/// with no envelope (a node wholly inside it), with every entry under `node`.
pub(super) fn within<'a>(
    node: &'a ParentNode<Entry>,
    envelope: Option<&AABB<[f64; 2]>>,
    found: &mut impl FnMut(&'a Entry),
) {
    let children = node.children();
    for c in children {
        if let RTreeNode::Parent(p) = c
            && envelope.is_none_or(|env| p.envelope().intersects(env))
        {
            super::prefetch::slice(p.children());
        }
    }
    for c in children {
        match (c, envelope) {
            (RTreeNode::Leaf(e), None) => found(e),
            (RTreeNode::Leaf(e), Some(env)) => {
                if env.contains_point(&plan(&e.xyz)) {
                    found(e);
                }
            }
            (RTreeNode::Parent(p), None) => within(p, None, found),
            (RTreeNode::Parent(p), Some(env)) => {
                let inner = p.envelope();
                if env.contains_envelope(&inner) {
                    within(p, None, found);
                } else if inner.intersects(env) {
                    within(p, Some(env), found);
                }
            }
        }
    }
}
