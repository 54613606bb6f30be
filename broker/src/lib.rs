//! Redis and in-memory queue and channels (in progress: see issue 4).
