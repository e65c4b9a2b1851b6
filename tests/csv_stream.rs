//! The streaming CSV writers give byte for byte the text the in-memory
//! builders gave before they were rewritten over them, and pass write
//! errors up instead of panicking.

use std::io::{self, Write};
use std::path::Path;

use aibubble::{Results, Scenario, Simulation};

/// A split run (start > 0) of the frozen scenario, whose events give `inf`
/// firing times and whose open lab gives NaN metrics.
fn results() -> Results {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/frozen.toml");
    let s = Scenario::from_file(path).expect("frozen.toml");
    Simulation::new(&s)
        .expect("valid")
        .paths(600)
        .seed(5)
        .range(100, 400)
        .run()
        .expect("runs")
}

/// `per_path_csv` as it was written before the streaming writer.
fn reference_per_path_csv(r: &Results) -> String {
    let cols = r.per_path_columns();
    let mut s = String::from("path");
    for (name, _) in &cols {
        s.push(',');
        s.push_str(name);
    }
    s.push('\n');
    for p in 0..r.len() {
        s.push_str(&(r.start + p as u64).to_string());
        for (_, v) in &cols {
            s.push(',');
            s.push_str(&v[p].to_string());
        }
        s.push('\n');
    }
    s
}

/// `series_csv` as it was written before the streaming writer.
fn reference_series_csv(r: &Results) -> String {
    let mut s = String::from("variable,lab,segment,time,p5,p25,p50,p75,p95\n");
    for row in r.series_rows() {
        s.push_str(&format!(
            "{},{},{},{}",
            row.id.variable,
            row.id.lab.as_deref().unwrap_or(""),
            row.id.segment.as_deref().unwrap_or(""),
            row.time
        ));
        for q in row.quantiles {
            s.push_str(&format!(",{q}"));
        }
        s.push('\n');
    }
    s
}

#[test]
fn streamed_csv_is_byte_identical_to_the_old_text() {
    let r = results();
    let want = reference_per_path_csv(&r);
    assert!(
        want.contains("inf") || want.contains("NaN"),
        "no non-finite value exercised"
    );
    assert!(
        want.lines().nth(1).is_some_and(|l| l.starts_with("100,")),
        "range start not exercised"
    );
    let mut streamed = Vec::new();
    r.write_per_path_csv(&mut streamed).unwrap();
    assert!(
        streamed == want.as_bytes(),
        "write_per_path_csv differs from the old text"
    );
    assert_eq!(r.per_path_csv(), want);

    let want = reference_series_csv(&r);
    let mut streamed = Vec::new();
    r.write_series_csv(&mut streamed).unwrap();
    assert!(
        streamed == want.as_bytes(),
        "write_series_csv differs from the old text"
    );
    assert_eq!(r.series_csv(), want);
}

/// Accepts `room` bytes, then fails like a full disk.
struct Full {
    room: usize,
}

impl Write for Full {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.room == 0 {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        let n = buf.len().min(self.room);
        self.room -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn write_errors_are_returned() {
    let r = results();
    for room in [0, 3, 5000] {
        let e = r.write_per_path_csv(&mut Full { room }).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull, "per_path, room {room}");
        let e = r.write_series_csv(&mut Full { room }).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::StorageFull, "series, room {room}");
    }
}
