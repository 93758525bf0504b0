//! Criterion benchmark of the access-log line parser on lines shaped like real ones.

use costlab::trace::access_log::parse_line;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const LINES: [&str; 3] = [
    "a9bcc96151e43960c53d5bee4b9e9dd746b8c617e63ea48e820e552e659cdf73 seekingalpha-data [08/Nov/2021:12:05:27 +0000] 172.31.121.12 arn:aws:sts::744522205193:assumed-role/vertica-eon1/i-0d80ce3560e55155e 1VADRPF1K9DV2RTE REST.GET.OBJECT page_events_vertica/date_%253D2021-03-14/8337f7f3-v_sadw_eon_node0005-139906568611584-0.parquet \"GET /seekingalpha-data/page_events_vertica/date_%3D2021-03-14/8337f7f3-v_sadw_eon_node0005-139906568611584-0.parquet HTTP/1.1\" 206 - 65536 72610716 38 37 \"-\" \"vertica-v9.3.0-2\" - QJ2yZrZQ1HQzxvGi0Zh2F3pC0n8C3zYv0+EvK5oVfVk3GhsW9x6sDhA0fMbK5M2bgX3fC8m4JjE= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader s3-us-west-2.amazonaws.com TLSv1.2 - -",
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - \"GET /amzn-s3-demo-bucket1?versioning HTTP/1.1\" 200 - 113 - 7 - \"-\" \"S3Console/0.4\" - s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes us-east-1",
    "2f88111968424e6306bf4d292c0188ccb94ff9374ea2836b50a1a79f7cd656e1 sample-bucket [06/Oct/2006:01:42:14 +0000] 207.171.172.6 65a011a29cdf8ec533ec3d1ccaae921c C980091AD89C936A REST.GET.OBJECT object.png \"GET /sample-bucket/object.png HTTP/1.1\" 200 - 1243 1243 988 987 \"-\" \"aranhabot\"",
];

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("access_log");
    g.throughput(Throughput::Elements(LINES.len() as u64));
    g.bench_function("parse_line x3", |b| {
        b.iter(|| {
            for l in LINES {
                std::hint::black_box(parse_line(std::hint::black_box(l)).ok());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
