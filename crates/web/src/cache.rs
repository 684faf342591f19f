//! Rendered sheet pages, kept in memory: a sheet is read far more often than it changes, and
//! rendering it (JSON decode, Markdown, template) costs more than serving the bytes. Entries are
//! dropped on any catalogue change and when the day changes (the upcoming sessions shown on a
//! sheet depend on the date). The map is bounded so that a large catalogue cannot grow it
//! without limit.

use std::collections::HashMap;
use std::sync::RwLock;

use axum::body::Bytes;

use chrono::NaiveDate;

const MAX_ENTRIES: usize = 512;

#[derive(Default)]
pub struct PageCache {
    inner: RwLock<(Option<NaiveDate>, HashMap<String, Bytes>)>,
}

impl PageCache {
    pub fn get(&self, day: NaiveDate, key: &str) -> Option<Bytes> {
        let guard = self.inner.read().unwrap_or_else(|e| e.into_inner());
        if guard.0 != Some(day) {
            return None;
        }
        guard.1.get(key).cloned()
    }

    pub fn put(&self, day: NaiveDate, key: &str, page: Bytes) {
        let mut guard = self.inner.write().unwrap_or_else(|e| e.into_inner());
        if guard.0 != Some(day) || guard.1.len() >= MAX_ENTRIES {
            guard.1.clear();
            guard.0 = Some(day);
        }
        guard.1.insert(key.to_owned(), page);
    }

    pub fn clear(&self) {
        self.inner.write().unwrap_or_else(|e| e.into_inner()).1.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_day_empties_the_cache() {
        let cache = PageCache::default();
        let d1 = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let d2 = d1.succ_opt().unwrap();
        cache.put(d1, "a", Bytes::from_static(b"page"));
        assert!(cache.get(d1, "a").is_some());
        assert!(cache.get(d2, "a").is_none());
        cache.clear();
        assert!(cache.get(d1, "a").is_none());
    }

    #[test]
    fn stays_bounded() {
        let cache = PageCache::default();
        let d = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        for i in 0..MAX_ENTRIES * 3 {
            cache.put(d, &i.to_string(), Bytes::from_static(b"x"));
        }
        assert!(cache.inner.read().unwrap().1.len() <= MAX_ENTRIES);
    }
}
