//! Wire contract between clients, gateways and workers (in progress: see issue 3).
