//! THREAD=REFERENCES (RFC 5256 §3): threads built from Message-ID and
//! References (or In-Reply-To), steps 1 to 7 of the RFC in order, then
//! threads with the same base subject gathered. Iterative throughout, so a
//! long reply chain cannot exhaust the stack. Must not read the store.

use std::collections::HashMap;

use crate::imap::response::Thread;

use super::thread::Item;

/// A node of the thread tree: a message, or a dummy standing for a message
/// that is referenced but not in the set.
#[derive(Debug, Default)]
struct Container {
    item: Option<Item>,
    parent: Option<usize>,
    children: Vec<usize>,
}

#[derive(Debug, Default)]
struct Arena {
    nodes: Vec<Container>,
}

impl Arena {
    fn add(&mut self, item: Option<Item>) -> usize {
        self.nodes.push(Container {
            item,
            ..Container::default()
        });
        self.nodes.len() - 1
    }

    fn node(&self, n: usize) -> Option<&Container> {
        self.nodes.get(n)
    }

    fn parent(&self, n: usize) -> Option<usize> {
        self.node(n).and_then(|c| c.parent)
    }

    fn children(&self, n: usize) -> &[usize] {
        self.node(n).map_or(&[], |c| c.children.as_slice())
    }

    fn is_dummy(&self, n: usize) -> bool {
        self.node(n).is_some_and(|c| c.item.is_none())
    }

    /// Whether `a` is `b` or one of its ancestors.
    fn is_ancestor(&self, a: usize, b: usize) -> bool {
        // The common case, a container just made, needs no walk up a
        // possibly long reply chain.
        if self.children(a).is_empty() {
            return a == b;
        }
        let mut at = Some(b);
        while let Some(n) = at {
            if n == a {
                return true;
            }
            at = self.parent(n);
        }
        false
    }

    fn unlink(&mut self, child: usize) {
        if let Some(parent) = self.parent(child) {
            if let Some(p) = self.nodes.get_mut(parent) {
                p.children.retain(|&c| c != child);
            }
            if let Some(c) = self.nodes.get_mut(child) {
                c.parent = None;
            }
        }
    }

    fn link(&mut self, parent: usize, child: usize) {
        self.unlink(child);
        if let Some(c) = self.nodes.get_mut(child) {
            c.parent = Some(parent);
        }
        if let Some(p) = self.nodes.get_mut(parent) {
            p.children.push(child);
        }
    }

    fn take_children(&mut self, n: usize) -> Vec<usize> {
        self.nodes
            .get_mut(n)
            .map(|c| std::mem::take(&mut c.children))
            .unwrap_or_default()
    }

    /// The subject a root is grouped by (step 5): its message's, or for a
    /// dummy that of its first child.
    fn subject(&self, n: usize) -> Option<(&str, bool)> {
        let c = self.node(n)?;
        let item = match &c.item {
            Some(item) => item,
            None => self.node(*c.children.first()?)?.item.as_ref()?,
        };
        Some((item.subject.as_str(), item.is_reply)).filter(|(s, _)| !s.is_empty())
    }

    /// Every node under `roots`, parents before children.
    fn preorder(&self, roots: &[usize]) -> Vec<usize> {
        let mut order = Vec::new();
        let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            order.push(n);
            stack.extend(self.children(n).iter().rev());
        }
        order
    }
}

pub(super) fn thread(items: Vec<Item>) -> Vec<Thread> {
    let mut arena = Arena::default();
    link_references(&mut arena, items);
    // Step 2: the root set, in the order the containers were made.
    let roots: Vec<usize> = (0..arena.nodes.len())
        .filter(|&n| arena.parent(n).is_none())
        .collect();
    let roots = prune(&mut arena, roots);
    let mut roots = gather_subjects(&mut arena, roots);
    sort(&mut arena, &mut roots);
    output(&mut arena, &roots)
}

/// Step 1: a container per Message-ID (duplicates and messages without one
/// get their own), References linked oldest to newest where no link exists
/// and none would loop, and each message made the child of its last
/// reference.
fn link_references(arena: &mut Arena, items: Vec<Item>) {
    let mut ids: HashMap<String, usize> = HashMap::new();
    for item in items {
        let references = item.references.clone();
        let existing = item.message_id.as_ref().and_then(|id| ids.get(id)).copied();
        let node = match existing {
            Some(n) if arena.is_dummy(n) => {
                if let Some(c) = arena.nodes.get_mut(n) {
                    c.item = Some(item);
                }
                n
            }
            _ => {
                let id = item.message_id.clone();
                let n = arena.add(Some(item));
                if let Some(id) = id {
                    ids.entry(id).or_insert(n);
                }
                n
            }
        };
        let mut previous: Option<usize> = None;
        for reference in references {
            let c = match ids.get(&reference) {
                Some(&c) => c,
                None => {
                    let c = arena.add(None);
                    ids.insert(reference, c);
                    c
                }
            };
            if let Some(p) = previous
                && arena.parent(c).is_none()
                && !arena.is_ancestor(c, p)
            {
                arena.link(p, c);
            }
            previous = Some(c);
        }
        arena.unlink(node);
        if let Some(p) = previous
            && !arena.is_ancestor(node, p)
        {
            arena.link(p, node);
        }
    }
}

/// Step 4: dummies without children go; dummies with children give them to
/// their parent, except at the root where a dummy keeps two or more.
fn prune(arena: &mut Arena, roots: Vec<usize>) -> Vec<usize> {
    let order = arena.preorder(&roots);
    for &n in order.iter().rev() {
        let mut kept = Vec::new();
        for child in arena.take_children(n) {
            if arena.is_dummy(child) {
                for grandchild in arena.take_children(child) {
                    if let Some(g) = arena.nodes.get_mut(grandchild) {
                        g.parent = Some(n);
                    }
                    kept.push(grandchild);
                }
            } else {
                kept.push(child);
            }
        }
        if let Some(c) = arena.nodes.get_mut(n) {
            c.children = kept;
        }
    }
    let mut kept = Vec::new();
    for root in roots {
        if !arena.is_dummy(root) || arena.children(root).len() > 1 {
            kept.push(root);
        } else if let [only] = arena.take_children(root).as_slice() {
            if let Some(c) = arena.nodes.get_mut(*only) {
                c.parent = None;
            }
            kept.push(*only);
        }
    }
    kept
}

/// Step 5: roots with the same base subject become one thread.
fn gather_subjects(arena: &mut Arena, roots: Vec<usize>) -> Vec<usize> {
    let mut table: HashMap<String, usize> = HashMap::new();
    for &r in &roots {
        let Some((subject, reply)) = arena.subject(r) else {
            continue;
        };
        let replace = match table.get(subject) {
            None => true,
            Some(&t) => {
                (arena.is_dummy(r) && !arena.is_dummy(t))
                    || (!arena.is_dummy(r)
                        && !arena.is_dummy(t)
                        && !reply
                        && arena.subject(t).is_some_and(|(_, t_reply)| t_reply))
            }
        };
        if replace {
            table.insert(subject.to_owned(), r);
        }
    }
    let mut slots: Vec<Option<usize>> = roots.iter().map(|&r| Some(r)).collect();
    let slot_of: HashMap<usize, usize> = roots.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    for (k, &r) in roots.iter().enumerate() {
        if slots.get(k).copied().flatten() != Some(r) {
            continue;
        }
        let Some((subject, reply)) = arena.subject(r).map(|(s, re)| (s.to_owned(), re)) else {
            continue;
        };
        let Some(&t) = table.get(&subject) else {
            continue;
        };
        if t == r {
            continue;
        }
        let t_reply = arena.subject(t).is_some_and(|(_, re)| re);
        // Step 5A put a dummy in the table whenever one has this subject,
        // so the current root is a dummy only if the table's is too.
        let (r_dummy, t_dummy) = (arena.is_dummy(r), arena.is_dummy(t));
        if r_dummy && t_dummy {
            for child in arena.take_children(r) {
                arena.link(t, child);
            }
        } else if t_dummy || (!t_reply && reply) {
            arena.link(t, r);
        } else {
            // A new dummy takes the table's place, in the root set too.
            let d = arena.add(None);
            arena.link(d, t);
            arena.link(d, r);
            if let Some(slot) = slot_of.get(&t).and_then(|&s| slots.get_mut(s)) {
                *slot = Some(d);
            }
            table.insert(subject, d);
        }
        if let Some(slot) = slots.get_mut(k) {
            *slot = None;
        }
    }
    slots.into_iter().flatten().collect()
}

/// Step 6: siblings, and the threads themselves, by sent date then
/// sequence number; a dummy sorts by its first child after its own
/// children are sorted.
fn sort(arena: &mut Arena, roots: &mut [usize]) {
    let order = arena.preorder(roots);
    let mut keys: Vec<(i64, u32)> = vec![(i64::MAX, u32::MAX); arena.nodes.len()];
    let key = |keys: &[(i64, u32)], n: usize| keys.get(n).copied().unwrap_or((i64::MAX, u32::MAX));
    for &n in order.iter().rev() {
        let mut children = arena.take_children(n);
        children.sort_by_key(|&c| key(&keys, c));
        let own = match arena.node(n).and_then(|c| c.item.as_ref()) {
            Some(item) => (item.date, item.seq),
            None => children
                .first()
                .map_or((i64::MAX, u32::MAX), |&c| key(&keys, c)),
        };
        if let Some(slot) = keys.get_mut(n) {
            *slot = own;
        }
        if let Some(c) = arena.nodes.get_mut(n) {
            c.children = children;
        }
    }
    roots.sort_by_key(|&r| key(&keys, r));
}

/// Step 7: the response's trees, an only child continuing its parent's chain.
fn output(arena: &mut Arena, roots: &[usize]) -> Vec<Thread> {
    let order = arena.preorder(roots);
    let mut built: Vec<Option<Thread>> = (0..arena.nodes.len()).map(|_| None).collect();
    for &n in order.iter().rev() {
        let mut branches: Vec<Thread> = arena
            .children(n)
            .iter()
            .filter_map(|&c| built.get_mut(c).and_then(Option::take))
            .collect();
        let uid = arena.node(n).and_then(|c| c.item.as_ref()).map(|i| i.uid.0);
        let thread = match uid {
            None => Thread {
                messages: Vec::new(),
                branches,
            },
            Some(uid) => match branches.as_mut_slice() {
                [only] if !only.messages.is_empty() => {
                    let only = std::mem::take(only);
                    let mut messages = vec![uid];
                    messages.extend(only.messages);
                    Thread {
                        messages,
                        branches: only.branches,
                    }
                }
                _ => Thread {
                    messages: vec![uid],
                    branches,
                },
            },
        };
        if let Some(slot) = built.get_mut(n) {
            *slot = Some(thread);
        }
    }
    roots
        .iter()
        .filter_map(|&r| built.get_mut(r).and_then(Option::take))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Uid;

    fn item(n: u32, references: Vec<String>) -> Item {
        Item {
            uid: Uid(n),
            seq: n,
            date: i64::from(n),
            subject: String::new(),
            is_reply: false,
            message_id: Some(format!("<{n}>")),
            references,
        }
    }

    #[test]
    fn a_long_reply_chain_is_one_flat_thread() {
        let items = (1..=50_000)
            .map(|n| {
                let parent = (n > 1).then(|| format!("<{}>", n - 1));
                item(n, parent.into_iter().collect())
            })
            .collect();
        let threads = thread(items);
        assert_eq!(threads.len(), 1);
        assert_eq!(threads[0].messages, (1..=50_000).collect::<Vec<_>>());
        assert!(threads[0].branches.is_empty());
    }

    #[test]
    fn a_reply_arriving_first_is_linked_when_its_parent_arrives() {
        let items = vec![item(1, vec!["<2>".into()]), item(2, vec![])];
        let threads = thread(items);
        assert_eq!(threads.len(), 1);
        assert_eq!(threads[0].messages, [2, 1]);
    }
}
