//! The compiled form of a calendar: every working interval of the covered years as UTC
//! microseconds, with running totals, so each operation is one or two binary searches
//! (whole days, weekends and holidays are skipped in O(log n), never walked).

/// Sorted, disjoint working intervals `[starts[i], ends[i])` in µs since the Unix epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Timeline {
    starts: Vec<i64>,
    ends: Vec<i64>,
    /// Working µs from the first interval's start to the end of interval `i`.
    after: Vec<i64>,
}

impl Timeline {
    /// Builds from intervals in ascending start order, merging touching or overlapping ones.
    pub(crate) fn from_sorted(intervals: impl IntoIterator<Item = (i64, i64)>) -> Timeline {
        let (mut starts, mut ends): (Vec<i64>, Vec<i64>) = (Vec::new(), Vec::new());
        for (s, e) in intervals.into_iter().filter(|(s, e)| s < e) {
            match ends.last_mut() {
                Some(last) if s <= *last => *last = (*last).max(e),
                _ => {
                    starts.push(s);
                    ends.push(e);
                }
            }
        }
        let after = starts
            .iter()
            .zip(&ends)
            .scan(0, |acc, (s, e)| {
                *acc += e - s;
                Some(*acc)
            })
            .collect();
        Timeline { starts, ends, after }
    }

    /// Whether there is no working time at all.
    pub(crate) fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// First and last covered instants.
    pub(crate) fn bounds(&self) -> (i64, i64) {
        (self.starts.first().copied().unwrap_or(0), self.ends.last().copied().unwrap_or(0))
    }

    /// The intervals, in order.
    pub(crate) fn intervals(&self) -> impl Iterator<Item = (i64, i64)> + '_ {
        self.starts.iter().copied().zip(self.ends.iter().copied())
    }

    /// Working µs before `t` (from the start of the covered span).
    #[inline]
    pub(crate) fn cum(&self, t: i64) -> i64 {
        let i = self.starts.partition_point(|&s| s <= t);
        if i == 0 {
            return 0;
        }
        let j = i - 1;
        self.after[j] - (self.ends[j] - t).max(0)
    }

    /// The instant with `target` working µs before it: the earliest one when `earliest`,
    /// else the latest. Saturates at the ends of the covered span.
    #[inline]
    fn locate(&self, target: i64, earliest: bool) -> i64 {
        let total = self.after.last().copied().unwrap_or(0);
        if target <= 0 && !earliest {
            return self.bounds().0;
        }
        if target >= total && earliest {
            return self.bounds().1;
        }
        let j = if earliest {
            self.after.partition_point(|&a| a < target)
        } else {
            self.after.partition_point(|&a| a <= target)
        };
        match j < self.ends.len() {
            true => self.ends[j] - (self.after[j] - target),
            false => self.bounds().1,
        }
    }

    /// `t` moved by `d` µs of working time: forward to the earliest, backward to the
    /// latest instant at that working distance.
    #[inline]
    pub(crate) fn add(&self, t: i64, d: i64) -> i64 {
        if d == 0 {
            return t;
        }
        let target = self.cum(t).saturating_add(d);
        // Past the covered span the saturated answer could lie behind `t`.
        match d > 0 {
            true => self.locate(target, true).max(t),
            false => self.locate(target, false).min(t),
        }
    }

    /// Whether `t` lies inside a working interval.
    #[inline]
    pub(crate) fn is_working(&self, t: i64) -> bool {
        let i = self.starts.partition_point(|&s| s <= t);
        i > 0 && t < self.ends[i - 1]
    }

    /// `t` if working, else the start of the next interval (saturating at the span's end).
    pub(crate) fn next_working(&self, t: i64) -> i64 {
        let i = self.starts.partition_point(|&s| s <= t);
        if i > 0 && t < self.ends[i - 1] {
            return t;
        }
        self.starts.get(i).copied().unwrap_or(self.bounds().1.max(t))
    }

    /// `old` before `at`, `new` from `at` on.
    pub(crate) fn splice(old: &Timeline, new: &Timeline, at: i64) -> Timeline {
        let before = old.intervals().filter(|&(s, _)| s < at).map(|(s, e)| (s, e.min(at)));
        let after = new.intervals().filter(|&(_, e)| e > at).map(|(s, e)| (s.max(at), e));
        Timeline::from_sorted(before.chain(after))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tl() -> Timeline {
        // Two "days": [10,20) [30,40) and a touching pair that merges into [50,70).
        Timeline::from_sorted([(10, 20), (30, 40), (50, 60), (60, 70)])
    }

    #[test]
    fn merges_and_counts() {
        let t = tl();
        assert_eq!(t.intervals().collect::<Vec<_>>(), [(10, 20), (30, 40), (50, 70)]);
        assert_eq!([t.cum(0), t.cum(15), t.cum(25), t.cum(35), t.cum(99)], [0, 5, 10, 15, 40]);
    }

    #[test]
    fn add_forward_lands_on_earliest_backward_on_latest() {
        let t = tl();
        assert_eq!(t.add(15, 5), 20, "end of an interval, not the next start");
        assert_eq!(t.add(15, 6), 31);
        assert_eq!(t.add(25, 1), 31);
        assert_eq!(t.add(31, -1), 30);
        assert_eq!(t.add(31, -2), 19);
        assert_eq!(t.add(15, 1000), 70, "saturates at the end");
        assert_eq!(t.add(15, -1000), 10, "saturates at the start");
        assert_eq!(t.add(25, 0), 25);
        assert_eq!((t.add(90, 5), t.add(5, -5)), (90, 5), "never moves the wrong way");
    }

    #[test]
    fn working_and_next() {
        let t = tl();
        assert!(t.is_working(10) && !t.is_working(20) && t.is_working(60));
        assert_eq!([t.next_working(5), t.next_working(20), t.next_working(55)], [10, 30, 55]);
        assert_eq!(t.next_working(80), 80);
    }

    #[test]
    fn splice_keeps_old_before_and_new_after() {
        let old = tl();
        let new = Timeline::from_sorted([(0, 100)]);
        let s = Timeline::splice(&old, &new, 35);
        assert_eq!(s.intervals().collect::<Vec<_>>(), [(10, 20), (30, 100)]);
    }
}
