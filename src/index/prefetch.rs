//! Cache prefetch hints: the index is far larger than the processor's caches, so a query
//! misses on nearly every node and listing it reads. Asking for several lines before
//! they are needed lets those misses overlap instead of following one another.

/// Starts loading the cache lines of `len` bytes from `start`.
pub(crate) fn bytes(start: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let first = start as usize & !63;
        let end = start as usize + len;
        for line in (first..end).step_by(64) {
            // SAFETY: prefetching is a hint; it never faults, whatever the address.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line as *const i8) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (start, len);
}

/// Starts loading the cache lines that hold `items`.
pub(crate) fn slice<T>(items: &[T]) {
    bytes(items.as_ptr().cast(), std::mem::size_of_val(items));
}
