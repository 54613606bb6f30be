//! An incremental scanner of a batch's SSE stream: it reads the lines as they arrive, keeps
//! the last event id (to resume), and checks every beam index arrives exactly once — without
//! parsing the ~1 KB of JSON of each result (only its `index`), so the client stays cheap
//! beside the server on two cores.

/// What the stream delivered so far.
#[derive(Debug)]
pub(crate) struct Tally {
    /// Beams in the batch.
    pub(crate) total: u64,
    seen: Vec<u64>,
    /// `design_result` events.
    pub(crate) results: u64,
    /// `error` events.
    pub(crate) errors: u64,
    /// Indices delivered more than once.
    pub(crate) duplicates: u64,
    /// `progress` events.
    pub(crate) progress: u64,
    /// Events of every kind.
    pub(crate) events: u64,
    /// Body bytes read.
    pub(crate) bytes: u64,
    /// The last `id:` seen (the resume position).
    pub(crate) last_id: Option<String>,
    /// The batch id from the `start` event.
    pub(crate) job_id: Option<String>,
    /// `complete` or `cancelled` once it arrived.
    pub(crate) terminal: Option<String>,
    /// When the `start` event arrived (the batch was accepted and queued).
    pub(crate) started_at: Option<std::time::Instant>,
    /// When the first `design_result` (or `error`) event arrived.
    pub(crate) first_result_at: Option<std::time::Instant>,
    partial: Vec<u8>,
    event: Vec<u8>,
}

impl Tally {
    /// A tally for a batch of `total` beams.
    pub(crate) fn new(total: u64) -> Self {
        Self {
            total,
            seen: vec![0; total.div_ceil(64) as usize],
            results: 0,
            errors: 0,
            duplicates: 0,
            progress: 0,
            events: 0,
            bytes: 0,
            last_id: None,
            job_id: None,
            terminal: None,
            started_at: None,
            first_result_at: None,
            partial: Vec::new(),
            event: Vec::new(),
        }
    }

    /// Distinct beam indices delivered (results and errors).
    pub(crate) fn distinct(&self) -> u64 {
        self.seen.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    /// Feeds body bytes.
    pub(crate) fn feed(&mut self, bytes: &[u8]) {
        self.bytes += bytes.len() as u64;
        let mut rest = bytes;
        while let Some(nl) = rest.iter().position(|&b| b == b'\n') {
            if self.partial.is_empty() {
                self.line(&rest[..nl]);
            } else {
                let mut line = std::mem::take(&mut self.partial);
                line.extend_from_slice(&rest[..nl]);
                self.line(&line);
            }
            rest = &rest[nl + 1..];
        }
        self.partial.extend_from_slice(rest);
    }

    fn line(&mut self, line: &[u8]) {
        if line.is_empty() {
            // The end of an event (a blank line); comments and retry hints have no event name.
            if !self.event.is_empty() {
                self.events += 1;
                self.event.clear();
            }
        } else if let Some(id) = line.strip_prefix(b"id: ") {
            self.last_id = Some(String::from_utf8_lossy(id).into_owned());
        } else if let Some(name) = line.strip_prefix(b"event: ") {
            self.event = name.to_vec();
        } else if let Some(data) = line.strip_prefix(b"data: ") {
            self.data(data);
        }
    }

    fn data(&mut self, data: &[u8]) {
        match self.event.as_slice() {
            b"design_result" => {
                self.first_result_at
                    .get_or_insert_with(std::time::Instant::now);
                self.results += 1;
                self.mark(number_after(data, b"\"index\":"));
            }
            b"error" => {
                self.errors += 1;
                self.mark(number_after(data, b"\"beam_index\":"));
            }
            b"progress" => self.progress += 1,
            b"start" => {
                self.started_at.get_or_insert_with(std::time::Instant::now);
                self.job_id = string_after(data, b"\"job_id\":\"");
            }
            b"complete" | b"cancelled" => {
                self.terminal = Some(String::from_utf8_lossy(&self.event).into_owned());
            }
            _ => {}
        }
    }

    fn mark(&mut self, index: Option<u64>) {
        let Some(i) = index.filter(|&i| i < self.total) else {
            return;
        };
        let (word, bit) = ((i / 64) as usize, 1u64 << (i % 64));
        if self.seen[word] & bit != 0 {
            self.duplicates += 1;
        }
        self.seen[word] |= bit;
    }
}

/// The unsigned integer right after the first `key` in `data`.
fn number_after(data: &[u8], key: &[u8]) -> Option<u64> {
    let at = data.windows(key.len()).position(|w| w == key)? + key.len();
    let digits = data[at..].iter().take_while(|b| b.is_ascii_digit());
    digits.fold(None, |n, &d| {
        Some(n.unwrap_or(0) * 10 + u64::from(d - b'0'))
    })
}

/// The string value right after the first `key` (which ends with the opening quote).
fn string_after(data: &[u8], key: &[u8]) -> Option<String> {
    let at = data.windows(key.len()).position(|w| w == key)? + key.len();
    let end = data[at..].iter().position(|&b| b == b'"')?;
    Some(String::from_utf8_lossy(&data[at..at + end]).into_owned())
}
