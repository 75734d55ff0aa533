//! `vigie stats`: the table, with docker's units.

use vigie_snapshot::stats::StatsSample;

use serde::Serialize;

use crate::findings::one_line;

/// One column of the table: header, cells, right-aligned or not.
struct Column {
    header: &'static str,
    cells: Vec<String>,
    right: bool,
}

impl Column {
    fn width(&self) -> usize {
        self.cells
            .iter()
            .map(|c| c.chars().count())
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }
}

/// The order in which columns give way when the table is wider than the
/// terminal (indices into the column list); NAME, CPU % and MEM USAGE stay.
const DROP_ORDER: [usize; 6] = [6, 7, 0, 5, 8, 4];

/// `docker stats`' columns plus the network rate, each row a sample and
/// its (rx, tx) bytes per second. With `width` (the terminal's), columns
/// give way in `DROP_ORDER` until a line fits; names are never cut.
pub fn table(rows: &[(&StatsSample, (f64, f64))], width: Option<usize>) -> String {
    let mut columns = vec![
        Column {
            header: "CONTAINER ID",
            cells: Vec::new(),
            right: false,
        },
        Column {
            header: "NAME",
            cells: Vec::new(),
            right: false,
        },
        Column {
            header: "CPU %",
            cells: Vec::new(),
            right: true,
        },
        Column {
            header: "MEM USAGE / LIMIT",
            cells: Vec::new(),
            right: false,
        },
        Column {
            header: "MEM %",
            cells: Vec::new(),
            right: true,
        },
        Column {
            header: "NET I/O",
            cells: Vec::new(),
            right: false,
        },
        Column {
            header: "NET RATE",
            cells: Vec::new(),
            right: false,
        },
        Column {
            header: "BLOCK I/O",
            cells: Vec::new(),
            right: false,
        },
        Column {
            header: "PIDS",
            cells: Vec::new(),
            right: true,
        },
    ];
    for (s, (rx, tx)) in rows {
        let limit = if s.memory_limit > 0 {
            binary_size(s.memory_limit)
        } else {
            "-".to_string()
        };
        let cells = [
            s.id.get(..12).unwrap_or(&s.id).to_string(),
            one_line(&s.name),
            format!("{:.2}%", s.cpu_percent),
            format!("{} / {}", binary_size(s.memory_usage), limit),
            format!("{:.2}%", s.memory_percent),
            format!(
                "{} / {}",
                decimal_size(s.network_rx as f64),
                decimal_size(s.network_tx as f64)
            ),
            format!("{}/s / {}/s", decimal_size(*rx), decimal_size(*tx)),
            format!(
                "{} / {}",
                decimal_size(s.block_read as f64),
                decimal_size(s.block_write as f64)
            ),
            s.pids.to_string(),
        ];
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.cells.push(cell);
        }
    }
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    let line_width = |shown: &[usize]| -> usize {
        shown.iter().map(|&i| columns[i].width()).sum::<usize>() + 2 * shown.len().saturating_sub(1)
    };
    if let Some(limit) = width {
        for drop in DROP_ORDER {
            if line_width(&shown) <= limit {
                break;
            }
            shown.retain(|&i| i != drop);
        }
    }
    let widths: Vec<usize> = columns.iter().map(Column::width).collect();
    let line = |cell: &dyn Fn(&Column) -> &str| -> String {
        let parts: Vec<String> = shown
            .iter()
            .map(|&i| {
                let w = widths[i];
                let text = cell(&columns[i]);
                if columns[i].right {
                    format!("{text:>w$}")
                } else {
                    format!("{text:<w$}")
                }
            })
            .collect();
        let mut text = parts.join("  ");
        text.truncate(text.trim_end().len());
        text.push('\n');
        text
    };
    let mut out = line(&|c: &Column| c.header);
    for row in 0..rows.len() {
        out.push_str(&line(&|c: &Column| c.cells[row].as_str()));
    }
    if rows.is_empty() {
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

/// A JSON line for a container whose stream has sent nothing for `silent`
/// seconds: its last numbers, marked stale.
pub fn stale_line(time: &str, sample: &StatsSample, silent: u64) -> Result<String, serde_json::Error> {
    let mut text = serde_json::to_string(&serde_json::json!({
        "time": time,
        "id": sample.id,
        "name": sample.name,
        "stale": true,
        "silent_seconds": silent,
        "last_read": sample.read,
    }))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> StatsSample {
        StatsSample {
            id: "0123456789abcdef".into(),
            name: name.into(),
            cpu_percent: 12.5,
            memory_usage: 1536 * 1024,
            memory_limit: 1 << 30,
            memory_percent: 0.15,
            network_rx: 1234,
            network_tx: 999,
            block_read: 2_000_000,
            pids: 3,
            ..Default::default()
        }
    }

    #[test]
    fn table_fits_the_terminal_and_never_cuts_names() {
        let a = sample("web");
        let b = sample("a-rather-long-container-name");
        let rows = [(&a, (0.0, 0.0)), (&b, (1500.0, 0.0))];
        let full = table(&rows, None);
        assert!(full.starts_with("CONTAINER ID  NAME"), "{full}");
        assert!(full.contains("1.5kB/s / 0B/s"), "{full}");
        for width in [80, 100, 60] {
            let fitted = table(&rows, Some(width));
            for line in fitted.lines() {
                assert!(line.chars().count() <= width, "{width}: {line:?}");
            }
            assert!(fitted.contains("a-rather-long-container-name"), "{fitted}");
            assert!(fitted.contains("12.50%"), "{fitted}");
        }
        // 80 columns keep the usage columns and drop the rate and block I/O first.
        let eighty = table(&rows, Some(80));
        assert!(
            !eighty.contains("NET RATE") && !eighty.contains("BLOCK I/O"),
            "{eighty}"
        );
        assert!(eighty.contains("MEM USAGE / LIMIT"), "{eighty}");
        // Every row lines up with the header.
        let header_at = eighty.lines().next().unwrap().find("MEM USAGE").unwrap();
        assert!(
            eighty.lines().nth(1).unwrap()[header_at..].starts_with("1.5MiB"),
            "{eighty}"
        );
    }

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
