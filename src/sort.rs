//! One sort for every list the connector orders.
//!
//! `slice::sort_by` compiles a fresh copy of the standard sort (3–5 KB of wasm) for each element
//! type and comparator. [`sort_by`] sorts the items' positions instead, with one comparator type
//! for all callers, so the component holds the standard sort once; the items are then moved into
//! that order. Stable, like `slice::sort_by`.

use std::cmp::Ordering;

/// Sorts `items` by `cmp`, keeping equal items in their order.
pub fn sort_by<T>(items: &mut Vec<T>, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let order = positions_in_order(items.len(), &mut |a, b| cmp(&items[a], &items[b]));
    let mut slots: Vec<Option<T>> = items.drain(..).map(Some).collect();
    // `order` is a permutation of the positions, so each slot is taken exactly once.
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}

/// Sorts `items` by the key `key` gives, keeping equal keys in their order.
pub fn sort_by_key<T, K: Ord>(items: &mut Vec<T>, mut key: impl FnMut(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// `0..len` ordered by `cmp`: the only instance of the standard sort in the component.
#[inline(never)]
fn positions_in_order(len: usize, cmp: &mut dyn FnMut(usize, usize) -> Ordering) -> Vec<usize> {
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by(|&a, &b| cmp(a, b));
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_stably_like_the_standard_sort() {
        let items: Vec<(u8, usize)> = [3u8, 1, 3, 0, 1, 2, 3, 0]
            .iter()
            .enumerate()
            .map(|(i, k)| (*k, i))
            .collect();
        let mut ours = items.clone();
        sort_by_key(&mut ours, |i| i.0);
        let mut theirs = items;
        theirs.sort_by_key(|i| i.0);
        assert_eq!(ours, theirs);
        let mut descending = ours.clone();
        sort_by(&mut descending, |a, b| b.0.cmp(&a.0));
        assert_eq!(descending.first(), Some(&(3, 0)));
        let mut empty: Vec<u8> = Vec::new();
        sort_by_key(&mut empty, |x| *x);
        assert!(empty.is_empty());
    }
}
