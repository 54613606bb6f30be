//! Raising this process's open-file limit (`RLIMIT_NOFILE`) so it can hold many sockets.

/// Raises the soft open-file limit towards `wanted` (capped by the hard limit) and returns
/// the limit now in force.
pub fn raise(wanted: u64) -> std::io::Result<u64> {
    rlimit::increase_nofile_limit(wanted)
}

/// File descriptors needed for `connections` sockets plus the process's own (stdio, epoll,
/// runtime pipes, /proc reads).
pub fn needed_for(connections: usize) -> u64 {
    connections as u64 + 256
}
