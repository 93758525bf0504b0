//! Writes a deterministic synthetic S3 server access log for benchmarks: the field-count mix,
//! quoting and operations of real logs (27-field modern records, 26, 24 and 18-field older ones;
//! quoted user agents with spaces; CopyObject GET sides with bare `-`; lifecycle records).
//!
//!     cargo run --release --example gen_access_log -- LINES OUT_FILE

use std::io::Write;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let lines: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let out = args.get(2).cloned().unwrap_or_else(|| "access.log".into());
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&out)?);
    // A small xorshift so the file is byte-identical for a given line count.
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let owner = "a9bcc96151e43960c53d5bee4b9e9dd746b8c617e63ea48e820e552e659cdf73";
    let uas = [
        "\"aws-sdk-java/1.12.1 Linux/5.10.0 OpenJDK_64-Bit_Server_VM/25.312-b07 java/1.8.0_312 vendor/Red_Hat,_Inc. cfg/retry-mode/legacy\"",
        "\"ElasticMapReduce/1.0.0 emrfs/s3n {}, aws-sdk-java/1.12.31 Linux/4.14.252-195.483.amzn2.x86_64\"",
        "\"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36\"",
        "\"aws-cli/2.15.0 Python/3.11.6 Linux/6.1.0 exe/x86_64.amzn.2 prompt/off command/s3.cp\"",
    ];
    let ops = [
        "REST.GET.OBJECT",
        "REST.GET.OBJECT",
        "REST.GET.OBJECT",
        "REST.GET.OBJECT",
        "REST.PUT.OBJECT",
        "REST.HEAD.OBJECT",
        "REST.GET.BUCKET",
        "REST.DELETE.OBJECT",
    ];
    let start: i64 = 1_772_323_200; // 2026-03-01T00:00:00Z
    for i in 0..lines {
        let r = next();
        let t = start + (i as i64 * 2_592_000 / lines.max(1) as i64);
        let (d, sec) = (t.div_euclid(86_400), t.rem_euclid(86_400));
        let day = d - 20_513 + 1; // days into March 2026
        let op = ops[(r % ops.len() as u64) as usize];
        let prefix = ["bronze", "silver", "gold"][(r >> 8) as usize % 3];
        let key = format!(
            "{prefix}/date%3D2026-03-{:02}/part-{:05}-{:08x}.parquet",
            (r >> 16) % 28 + 1,
            (r >> 24) % 4096,
            r >> 32
        );
        let size = 1024 + (r >> 20) % 200_000_000;
        let ua = uas[(r >> 40) as usize % uas.len()];
        let (method, status, sent) = match op {
            "REST.PUT.OBJECT" => ("PUT", 200, "-".to_string()),
            "REST.HEAD.OBJECT" => ("HEAD", 200, "-".to_string()),
            "REST.DELETE.OBJECT" => ("DELETE", 204, "-".to_string()),
            "REST.GET.BUCKET" => ("GET", 200, "4211".to_string()),
            _ if r % 50 == 0 => ("GET", 404, "243".to_string()),
            _ => (
                "GET",
                if r % 3 == 0 { 206 } else { 200 },
                (size.min(8_388_608)).to_string(),
            ),
        };
        let err = if status == 404 { "NoSuchKey" } else { "-" };
        let tail = match r % 10 {
            0 => " -".to_string(), // 18 fields
            1 => " - Xq3ZpD7yJm2Fh9+kWv0LrTn8Qe5UcBs4Ga1Oy6Ix/VuZt3Sm7Ld2Rk9Pj8Hf5Nb0Wc4Ea1Ty6Uq3Gz7Ko9= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader lake.s3.us-east-1.amazonaws.com TLSv1.2".to_string(),
            2 | 3 => " - Xq3ZpD7yJm2Fh9+kWv0LrTn8Qe5UcBs4Ga1Oy6Ix/VuZt3Sm7Ld2Rk9Pj8Hf5Nb0Wc4Ea1Ty6Uq3Gz7Ko9= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader lake.s3.us-east-1.amazonaws.com TLSv1.2 - -".to_string(),
            _ => " - Xq3ZpD7yJm2Fh9+kWv0LrTn8Qe5UcBs4Ga1Oy6Ix/VuZt3Sm7Ld2Rk9Pj8Hf5Nb0Wc4Ea1Ty6Uq3Gz7Ko9= SigV4 TLS_AES_128_GCM_SHA256 AuthHeader lake.s3.us-east-1.amazonaws.com TLSv1.3 - - us-east-1".to_string(),
        };
        writeln!(
            w,
            "{owner} lake [{day:02}/Mar/2026:{:02}:{:02}:{:02} +0000] 10.{}.{}.{} arn:aws:sts::123456789012:assumed-role/emr-ec2/i-0{:016x} {:016X} {op} {key} \"{method} /lake/{key} HTTP/1.1\" {status} {err} {sent} {size} {} {} \"-\" {ua}{tail}",
            sec / 3600,
            sec % 3600 / 60,
            sec % 60,
            (r >> 4) % 256,
            (r >> 12) % 256,
            (r >> 28) % 256,
            r >> 1,
            r.rotate_left(17),
            10 + r % 900,
            1 + r % 40,
        )?;
    }
    w.flush()
}
