//! k-nearest search: depth-first branch and bound over the R-tree.
//!
//! Children are visited nearest first and pruned against the k-th best distance found so
//! far, counting only services the filter accepts. For small k this enters nearly as few
//! nodes as a best-first search with a global priority queue (26.3 against 24.2 in the
//! measurement of BENCHMARKS.md, stop 9) and is faster without the queue, and one bound
//! can be shared by the search of several trees (one per requested category).
//!
//! Entries are compared by their true straight-line distance; nodes by the distance from
//! the query's plan position to their box in plan, which is never more than the true
//! distance to anything inside, so a node is only pruned when nothing in it can be nearer.

use super::earth::plan;
use super::{Entry, NODE_CHILDREN_MAX};
use rstar::{ParentNode, RTreeNode};

/// The best `k` accepted entries so far, nearest first.
pub(super) struct Best<'a> {
    k: usize,
    limit: f64,
    /// Whether an entry may be offered twice (more than one tree is searched).
    repeats: bool,
    items: Vec<(f64, &'a Entry)>,
}

impl<'a> Best<'a> {
    /// Keeps at most `k` entries no farther than `limit` (squared chord, metres²);
    /// `repeats` when the same entry may be offered again through another tree.
    pub(super) fn new(k: usize, limit: f64, repeats: bool) -> Self {
        Self {
            k,
            limit,
            repeats,
            items: Vec::with_capacity(k + 1),
        }
    }

    /// The entries found, nearest first, with their squared distances.
    pub(super) fn into_items(self) -> Vec<(f64, &'a Entry)> {
        self.items
    }

    fn bound(&self) -> f64 {
        if self.items.len() < self.k {
            self.limit
        } else {
            self.items[self.k - 1].0
        }
    }

    fn offer(&mut self, d2: f64, e: &'a Entry) {
        if self.repeats && self.items.iter().any(|(_, x)| x.id == e.id) {
            return; // Already found through another category's tree.
        }
        let at = self.items.partition_point(|(d, _)| *d <= d2);
        self.items.insert(at, (d2, e));
        self.items.truncate(self.k);
    }

    /// Searches the subtree under `node` for entries near `q` that `accept` takes.
    pub(super) fn search(
        &mut self,
        node: &'a ParentNode<Entry>,
        q: &[f64; 3],
        accept: &impl Fn(&Entry) -> bool,
    ) {
        // Every node's children fit (the heap path below is a safeguard).
        const INLINE: usize = NODE_CHILDREN_MAX;
        let children = node.children();
        let distance = |c: &RTreeNode<Entry>| match c {
            RTreeNode::Leaf(e) => e.chord2(q),
            RTreeNode::Parent(p) => box_distance_2(&p.envelope(), &plan(q)),
        };
        // A node of entries (rstar keeps all of them on the bottom level): each one within
        // the bound is offered on its own merits, so sorting them first would be wasted.
        // Order only saves work; a subtree here would still be searched correctly.
        if let Some(RTreeNode::Leaf(_)) = children.first() {
            for c in children {
                let d2 = distance(c);
                if d2 > self.bound() {
                    continue;
                }
                match c {
                    RTreeNode::Leaf(e) if accept(e) => self.offer(d2, e),
                    RTreeNode::Leaf(_) => {}
                    RTreeNode::Parent(p) => self.search(p, q, accept),
                }
            }
            return;
        }
        if children.len() > INLINE {
            let mut order: Vec<(f64, &RTreeNode<Entry>)> =
                children.iter().map(|c| (distance(c), c)).collect();
            order.sort_by(|a, b| a.0.total_cmp(&b.0));
            self.visit(order.into_iter(), q, accept);
            return;
        }
        // Few children: sort them on the stack.
        let mut order = [(0.0_f64, 0_usize); INLINE];
        for (i, c) in children.iter().enumerate() {
            let d = distance(c);
            let mut j = i;
            while j > 0 && order[j - 1].0 > d {
                order[j] = order[j - 1];
                j -= 1;
            }
            order[j] = (d, i);
        }
        // Each child node's own children sit in a separate allocation, usually out of
        // cache: starting the loads of the nearest few now lets their misses overlap,
        // instead of every descent waiting for its own (−25 % per query, BENCHMARKS.md).
        let bound = self.bound();
        for &(d, i) in order[..children.len()].iter().take(PREFETCH) {
            if d > bound {
                break;
            }
            if let RTreeNode::Parent(p) = &children[i] {
                super::prefetch::slice(p.children());
            }
        }
        self.visit(
            order[..children.len()]
                .iter()
                .map(|&(d, i)| (d, &children[i])),
            q,
            accept,
        );
    }

    fn visit(
        &mut self,
        ordered: impl Iterator<Item = (f64, &'a RTreeNode<Entry>)>,
        q: &[f64; 3],
        accept: &impl Fn(&Entry) -> bool,
    ) {
        for (d2, child) in ordered {
            if d2 > self.bound() {
                break; // The rest are farther still.
            }
            match child {
                RTreeNode::Leaf(e) => {
                    if accept(e) {
                        self.offer(d2, e);
                    }
                }
                RTreeNode::Parent(p) => self.search(p, q, accept),
            }
        }
    }
}

/// How many of a node's nearest children have their own children fetched ahead.
const PREFETCH: usize = 4;

/// Squared distance from the plan position `q` to the nearest point of the plan box `b`
/// (0 inside): rstar's own test for containment first and clamping after, per child of
/// every node visited, was a tenth of a query. This is the same number, branch-free.
fn box_distance_2(b: &rstar::AABB<[f64; 2]>, q: &[f64; 2]) -> f64 {
    let (lo, hi) = (b.lower(), b.upper());
    (0..2)
        .map(|i| {
            let d = (lo[i] - q[i]).max(q[i] - hi[i]).max(0.0);
            d * d
        })
        .sum()
}
