//! `vigie stats`: the table, with docker's units.

use vigie_snapshot::stats::StatsSample;

use serde::Serialize;

use crate::findings::one_line;

/// `docker stats`' columns plus the network rate, each row a sample and
/// its (rx, tx) bytes per second.
pub fn table(rows: &[(&StatsSample, (f64, f64))]) -> String {
    let samples: Vec<&StatsSample> = rows.iter().map(|(s, _)| *s).collect();
    // Names are never cut: the column is as wide as the longest one.
    let w = samples
        .iter()
        .map(|s| one_line(&s.name).chars().count())
        .max()
        .unwrap_or(0)
        .max(4);
    let mut out = format!(
        "{:<12}  {:<w$} {:>7}  {:<21} {:>6}  {:<19} {:<19} {:<19} {:>5}\n",
        "CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "NET RATE", "BLOCK I/O", "PIDS"
    );
    for (s, (rx, tx)) in rows {
        let (rx, tx) = (*rx, *tx);
        let limit = if s.memory_limit > 0 {
            binary_size(s.memory_limit)
        } else {
            "-".to_string()
        };
        out.push_str(&format!(
            "{:<12}  {:<w$} {:>6.2}%  {:<21} {:>5.2}%  {:<19} {:<19} {:<19} {:>5}\n",
            s.id.get(..12).unwrap_or(&s.id),
            one_line(&s.name),
            s.cpu_percent,
            format!("{} / {}", binary_size(s.memory_usage), limit),
            s.memory_percent,
            format!(
                "{} / {}",
                decimal_size(s.network_rx as f64),
                decimal_size(s.network_tx as f64)
            ),
            format!("{}/s / {}/s", decimal_size(rx), decimal_size(tx)),
            format!(
                "{} / {}",
                decimal_size(s.block_read as f64),
                decimal_size(s.block_write as f64)
            ),
            s.pids
        ));
    }
    if samples.is_empty() {
        out.push_str("(no running containers)\n");
    }
    out
}

/// Memory, as docker prints it: binary units (KiB, MiB, GiB).
fn binary_size(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < units.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    format!("{}{}", significant(value, 4), units[unit])
}

/// Network and block I/O, as docker prints them: decimal units (kB, MB, GB).
fn decimal_size(bytes: f64) -> String {
    let units = ["B", "kB", "MB", "GB", "TB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1000.0 && unit < units.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{}{}", significant(value, 3), units[unit])
}

/// Go's `%.Ng` for the values printed here (below 10^N): N significant digits, no trailing zeros.
fn significant(value: f64, digits: i32) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let integer_digits = (value.abs().log10().floor() as i32 + 1).max(1);
    let decimals = (digits - integer_digits).max(0) as usize;
    let text = format!("{value:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// One JSON line of `vigie stats --format json`.
#[derive(Debug, Serialize)]
struct Line<'a> {
    time: &'a str,
    #[serde(flatten)]
    sample: &'a StatsSample,
    /// Bytes per second since the previous line of this container (0 on the first).
    network_rx_rate: f64,
    network_tx_rate: f64,
}

/// A sample and its (rx, tx) rates as one JSON line, newline included.
pub fn json_line(time: &str, sample: &StatsSample, (rx, tx): (f64, f64)) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string(&Line {
        time,
        sample,
        network_rx_rate: rx,
        network_tx_rate: tx,
    })?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_docker() {
        assert_eq!(binary_size(512), "512B");
        assert_eq!(binary_size(1536 * 1024), "1.5MiB");
        assert_eq!(binary_size(442_368), "432KiB");
        assert_eq!(binary_size(25_276_502_016), "23.54GiB");
        assert_eq!(decimal_size(999.0), "999B");
        assert_eq!(decimal_size(1500.0), "1.5kB");
        assert_eq!(decimal_size(1234.0), "1.23kB");
        assert_eq!(decimal_size(2_000_000.0), "2MB");
    }
}
