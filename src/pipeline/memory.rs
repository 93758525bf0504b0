//! How much memory a run's evidence may hold before it is partitioned to disk: by default 60%
//! of what this process may use (physical memory, or a container's cgroup limit when lower, as
//! the sysinfo crate reads them); the rest is for the replay's working set, the allocator and
//! the system.

/// 60% of the memory this process may use; 8 GiB where it cannot be read.
pub fn default_limit() -> usize {
    use sysinfo::{MemoryRefreshKind, RefreshKind, System};
    let Ok(sys) = System::new_with_specifics(
        RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram()),
    ) else {
        return 8 << 30;
    };
    let physical = Some(sys.total_memory()).filter(|m| *m > 0);
    // A container sees its host's memory; its cgroup says what it may use.
    let cgroup = sys
        .cgroup_limits()
        .map(|c| c.total_memory)
        .filter(|m| *m > 0);
    let total = match (physical, cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    };
    total
        .and_then(|t| usize::try_from(t).ok())
        .map_or(8 << 30, |t| t / 5 * 3)
}

#[cfg(test)]
mod tests {
    /// The default is 60% of MemTotal (this test machine has no tighter cgroup limit than its
    /// memory, or the default is lower still).
    #[test]
    fn the_default_is_at_most_sixty_percent_of_memtotal() {
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let Some(kb) = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().strip_suffix("kB"))
            .and_then(|v| v.trim().parse::<usize>().ok())
        else {
            return;
        };
        let limit = super::default_limit();
        assert!(limit <= kb * 1024 / 5 * 3, "{limit} > 60% of {kb} kB");
        assert!(limit > 0);
    }
}
