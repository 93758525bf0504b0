//! Writes CUR 2.0 months (CSV or Parquet) from a known hourly demand, for tests and the
//! benchmark (`scripts/bench-billing.sh`): each hour's usage split between RI-covered
//! (`DiscountedUsage`), Savings-Plan-covered (`SavingsPlanCoveredUsage` with its
//! `SavingsPlanNegation`) and On-Demand lines over several instances, the RIs' `RIFee` and
//! the plans' `SavingsPlanRecurringFee` lines, and lines a reader must leave out (tax,
//! credit, fees, EBS volumes, Windows usage). The columns are a subset of CUR 2.0's, with its
//! `product` map, typed as Data Exports types them (timestamps, doubles, strings).

use std::fs::File;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use ::parquet::basic::Compression;
use ::parquet::column::writer::ColumnWriter;
use ::parquet::data_type::ByteArray;
use ::parquet::file::properties::WriterProperties;
use ::parquet::file::writer::SerializedFileWriter;
use ::parquet::schema::parser::parse_message_type;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::units::{SECONDS_PER_HOUR, Timestamp};

/// One CUR 2.0 line item (the columns this writer knows).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CurLine {
    pub id: String,
    pub line_type: &'static str,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub product_code: String,
    pub usage_type: String,
    pub operation: String,
    pub resource_id: Option<String>,
    pub amount: Decimal,
    pub unit: Option<String>,
    pub cost: Decimal,
    pub norm_factor: Option<Decimal>,
    pub zone: Option<String>,
    pub region: Option<String>,
    pub instance_type: Option<String>,
    pub description: String,
    pub lease: Option<String>,
    pub offering_class: Option<String>,
    pub purchase_option: Option<String>,
    pub ri_arn: Option<String>,
    pub ri_count: Option<Decimal>,
    pub ri_start: Option<Timestamp>,
    pub ri_end: Option<Timestamp>,
    pub sp_arn: Option<String>,
    pub sp_type: Option<String>,
    pub sp_term: Option<String>,
    pub sp_payment: Option<String>,
    pub sp_start: Option<Timestamp>,
    pub sp_end: Option<Timestamp>,
    pub sp_total: Option<Decimal>,
    pub sp_recurring: Option<Decimal>,
    pub sp_upfront: Option<Decimal>,
    pub sp_family: Option<String>,
    pub product: Vec<(String, String)>,
}

enum Val<'a> {
    Str(Option<&'a str>),
    Num(Option<Decimal>),
    /// A timestamp column.
    Time(Option<Timestamp>),
    /// A time written as text (CUR 2.0's RI and Savings Plan start and end).
    TimeText(Option<Timestamp>),
    Map(&'a [(String, String)]),
}

type Getter = fn(&CurLine) -> Val<'_>;

/// The columns written, in order: name and getter.
const COLUMNS: &[(&str, Getter)] = &[
    ("bill_payer_account_name", |_| Val::Str(Some("payer"))),
    ("identity_line_item_id", |l| Val::Str(Some(&l.id))),
    ("line_item_line_item_type", |l| Val::Str(Some(l.line_type))),
    ("line_item_usage_start_date", |l| Val::Time(l.start)),
    ("line_item_usage_end_date", |l| Val::Time(l.end)),
    ("line_item_product_code", |l| {
        Val::Str(Some(&l.product_code))
    }),
    ("line_item_usage_type", |l| Val::Str(Some(&l.usage_type))),
    ("line_item_operation", |l| Val::Str(Some(&l.operation))),
    ("line_item_resource_id", |l| {
        Val::Str(l.resource_id.as_deref())
    }),
    ("line_item_usage_amount", |l| Val::Num(Some(l.amount))),
    ("line_item_normalization_factor", |l| {
        Val::Num(l.norm_factor)
    }),
    ("line_item_unblended_cost", |l| Val::Num(Some(l.cost))),
    ("line_item_availability_zone", |l| {
        Val::Str(l.zone.as_deref())
    }),
    ("line_item_line_item_description", |l| {
        Val::Str(Some(&l.description))
    }),
    ("product_region_code", |l| Val::Str(l.region.as_deref())),
    ("product_instance_type", |l| {
        Val::Str(l.instance_type.as_deref())
    }),
    ("pricing_unit", |l| Val::Str(l.unit.as_deref())),
    ("pricing_lease_contract_length", |l| {
        Val::Str(l.lease.as_deref())
    }),
    ("pricing_offering_class", |l| {
        Val::Str(l.offering_class.as_deref())
    }),
    ("pricing_purchase_option", |l| {
        Val::Str(l.purchase_option.as_deref())
    }),
    ("reservation_reservation_a_r_n", |l| {
        Val::Str(l.ri_arn.as_deref())
    }),
    ("reservation_number_of_reservations", |l| {
        Val::Num(l.ri_count)
    }),
    ("reservation_start_time", |l| Val::TimeText(l.ri_start)),
    ("reservation_end_time", |l| Val::TimeText(l.ri_end)),
    ("savings_plan_savings_plan_a_r_n", |l| {
        Val::Str(l.sp_arn.as_deref())
    }),
    ("savings_plan_offering_type", |l| {
        Val::Str(l.sp_type.as_deref())
    }),
    ("savings_plan_purchase_term", |l| {
        Val::Str(l.sp_term.as_deref())
    }),
    ("savings_plan_payment_option", |l| {
        Val::Str(l.sp_payment.as_deref())
    }),
    ("savings_plan_start_time", |l| Val::TimeText(l.sp_start)),
    ("savings_plan_end_time", |l| Val::TimeText(l.sp_end)),
    ("savings_plan_total_commitment_to_date", |l| {
        Val::Num(l.sp_total)
    }),
    (
        "savings_plan_recurring_commitment_for_billing_period",
        |l| Val::Num(l.sp_recurring),
    ),
    (
        "savings_plan_amortized_upfront_commitment_for_billing_period",
        |l| Val::Num(l.sp_upfront),
    ),
    ("savings_plan_instance_type_family", |l| {
        Val::Str(l.sp_family.as_deref())
    }),
    ("product", |l| Val::Map(&l.product)),
];

/// `2026-03-01T00:00:00.000Z`, as CUR writes times.
fn time_text(t: Timestamp) -> String {
    let s = t.to_string();
    format!("{}.000Z", &s[..s.len() - 1])
}

/// The Parquet schema of [`COLUMNS`].
const MESSAGE: &str = "message cur2 {
  optional binary bill_payer_account_name (UTF8);
  optional binary identity_line_item_id (UTF8);
  optional binary line_item_line_item_type (UTF8);
  optional int64 line_item_usage_start_date (TIMESTAMP(MILLIS,true));
  optional int64 line_item_usage_end_date (TIMESTAMP(MILLIS,true));
  optional binary line_item_product_code (UTF8);
  optional binary line_item_usage_type (UTF8);
  optional binary line_item_operation (UTF8);
  optional binary line_item_resource_id (UTF8);
  optional double line_item_usage_amount;
  optional double line_item_normalization_factor;
  optional double line_item_unblended_cost;
  optional binary line_item_availability_zone (UTF8);
  optional binary line_item_line_item_description (UTF8);
  optional binary product_region_code (UTF8);
  optional binary product_instance_type (UTF8);
  optional binary pricing_unit (UTF8);
  optional binary pricing_lease_contract_length (UTF8);
  optional binary pricing_offering_class (UTF8);
  optional binary pricing_purchase_option (UTF8);
  optional binary reservation_reservation_a_r_n (UTF8);
  optional double reservation_number_of_reservations;
  optional binary reservation_start_time (UTF8);
  optional binary reservation_end_time (UTF8);
  optional binary savings_plan_savings_plan_a_r_n (UTF8);
  optional binary savings_plan_offering_type (UTF8);
  optional binary savings_plan_purchase_term (UTF8);
  optional binary savings_plan_payment_option (UTF8);
  optional binary savings_plan_start_time (UTF8);
  optional binary savings_plan_end_time (UTF8);
  optional double savings_plan_total_commitment_to_date;
  optional double savings_plan_recurring_commitment_for_billing_period;
  optional double savings_plan_amortized_upfront_commitment_for_billing_period;
  optional binary savings_plan_instance_type_family (UTF8);
  optional group product (MAP) {
    repeated group key_value {
      required binary key (UTF8);
      optional binary value (UTF8);
    }
  }
}";

/// Writes CUR lines as CSV (CUR 2.0 column names; the `product` map as a JSON object).
pub struct CsvWriter<W: Write> {
    out: ::csv::Writer<W>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W) -> std::io::Result<CsvWriter<W>> {
        let mut out = ::csv::Writer::from_writer(out);
        out.write_record(COLUMNS.iter().map(|c| c.0))
            .map_err(std::io::Error::other)?;
        Ok(CsvWriter { out })
    }

    pub fn push(&mut self, l: &CurLine) -> std::io::Result<()> {
        let fields: Vec<String> = COLUMNS
            .iter()
            .map(|(_, get)| match get(l) {
                Val::Str(s) => s.unwrap_or("").to_string(),
                Val::Num(n) => n.map(|n| n.to_string()).unwrap_or_default(),
                Val::Time(t) | Val::TimeText(t) => t.map(time_text).unwrap_or_default(),
                Val::Map(m) => {
                    let obj: serde_json::Map<String, serde_json::Value> = m
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect();
                    serde_json::Value::Object(obj).to_string()
                }
            })
            .collect();
        self.out
            .write_record(&fields)
            .map_err(std::io::Error::other)
    }

    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        self.out
            .into_inner()
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

/// Writes CUR lines as a CUR 2.0 Parquet file (snappy), `group_rows` rows per row group.
pub struct ParquetWriter {
    writer: SerializedFileWriter<File>,
    buffer: Vec<CurLine>,
    group_rows: usize,
}

fn perr(e: ::parquet::errors::ParquetError) -> std::io::Error {
    std::io::Error::other(e.to_string())
}

impl ParquetWriter {
    pub fn create(path: &Path, group_rows: usize) -> std::io::Result<ParquetWriter> {
        let schema = Arc::new(parse_message_type(MESSAGE).map_err(perr)?);
        let props = Arc::new(
            WriterProperties::builder()
                .set_compression(Compression::SNAPPY)
                .build(),
        );
        let file = File::create(path)?;
        Ok(ParquetWriter {
            writer: SerializedFileWriter::new(file, schema, props).map_err(perr)?,
            buffer: Vec::with_capacity(group_rows.max(1)),
            group_rows: group_rows.max(1),
        })
    }

    pub fn push(&mut self, l: CurLine) -> std::io::Result<()> {
        self.buffer.push(l);
        if self.buffer.len() >= self.group_rows {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let rows = std::mem::take(&mut self.buffer);
        let mut rg = self.writer.next_row_group().map_err(perr)?;
        let mut column = 0usize;
        let mut map_part = 0usize;
        while let Some(mut col) = rg.next_column().map_err(perr)? {
            let (_, get) = COLUMNS[column];
            let w = col.untyped();
            let mut defs: Vec<i16> = Vec::with_capacity(rows.len());
            match w {
                ColumnWriter::ByteArrayColumnWriter(t) => {
                    let mut vals: Vec<ByteArray> = Vec::new();
                    let mut reps: Vec<i16> = Vec::new();
                    for l in &rows {
                        match get(l) {
                            Val::Str(s) => push_opt(&mut vals, &mut defs, s.map(ByteArray::from)),
                            Val::TimeText(tt) => push_opt(
                                &mut vals,
                                &mut defs,
                                tt.map(|t| ByteArray::from(time_text(t).as_str())),
                            ),
                            Val::Map(m) => {
                                if m.is_empty() {
                                    defs.push(1);
                                    reps.push(0);
                                }
                                for (k, (key, value)) in m.iter().enumerate() {
                                    reps.push(if k == 0 { 0 } else { 1 });
                                    let text = if map_part == 0 { key } else { value };
                                    defs.push(if map_part == 0 { 2 } else { 3 });
                                    vals.push(ByteArray::from(text.as_str()));
                                }
                            }
                            _ => push_opt(&mut vals, &mut defs, None),
                        }
                    }
                    if reps.is_empty() {
                        t.write_batch(&vals, Some(&defs), None).map_err(perr)?;
                    } else {
                        t.write_batch(&vals, Some(&defs), Some(&reps))
                            .map_err(perr)?;
                    }
                }
                ColumnWriter::DoubleColumnWriter(t) => {
                    let mut vals: Vec<f64> = Vec::new();
                    for l in &rows {
                        let v = match get(l) {
                            Val::Num(n) => n.and_then(|n| n.to_f64()),
                            _ => None,
                        };
                        push_opt(&mut vals, &mut defs, v);
                    }
                    t.write_batch(&vals, Some(&defs), None).map_err(perr)?;
                }
                ColumnWriter::Int64ColumnWriter(t) => {
                    let mut vals: Vec<i64> = Vec::new();
                    for l in &rows {
                        let v = match get(l) {
                            Val::Time(t) => t.map(|t| t.0 * 1_000),
                            _ => None,
                        };
                        push_opt(&mut vals, &mut defs, v);
                    }
                    t.write_batch(&vals, Some(&defs), None).map_err(perr)?;
                }
                _ => return Err(std::io::Error::other("unexpected column type")),
            }
            col.close().map_err(perr)?;
            if matches!(get(&CurLine::default()), Val::Map(_)) && map_part == 0 {
                map_part = 1;
            } else {
                column += 1;
            }
        }
        rg.close().map_err(perr)?;
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.flush()?;
        self.writer.close().map_err(perr)?;
        Ok(())
    }
}

fn push_opt<T>(vals: &mut Vec<T>, defs: &mut Vec<i16>, v: Option<T>) {
    match v {
        Some(v) => {
            vals.push(v);
            defs.push(1);
        }
        None => defs.push(0),
    }
}

/// A Reserved Instance to write `RIFee` and `DiscountedUsage` lines for.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthRi {
    pub arn: String,
    pub instance_type: String,
    pub count: u32,
    pub start: Timestamp,
    pub end: Timestamp,
    pub lease: String,
    pub offering_class: String,
    pub purchase_option: String,
    pub hourly_fee: Decimal,
}

/// A Savings Plan to write `SavingsPlanRecurringFee` and covered lines for.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthSp {
    pub arn: String,
    pub offering_type: String,
    pub commitment_per_hour: Decimal,
    pub start: Timestamp,
    pub end: Timestamp,
    pub term: String,
    pub payment: String,
    /// Share of the usage RIs leave that the plan covers, 0..=1.
    pub covers: Decimal,
}

/// One hour of Linux/UNIX, shared-tenancy demand of one type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SynthHour {
    pub hour: Timestamp,
    pub instance_type: String,
    pub seconds: u64,
}

/// What [`month`] writes besides the demand.
#[derive(Clone, Debug, PartialEq)]
pub struct SynthMonth {
    pub region: String,
    pub start: Timestamp,
    pub end: Timestamp,
    pub ris: Vec<SynthRi>,
    pub sps: Vec<SynthSp>,
    /// Lines each hour's usage of a type is split into (instances), at least 1.
    pub instances: u32,
    /// Write lines a reader must leave out (tax, credit, fee, EBS, Windows usage, negations).
    pub extras: bool,
}

/// Hours as CUR writes them: seconds ÷ 3600, 12 decimal places.
fn hours(seconds: u64) -> Decimal {
    (Decimal::from(seconds) / Decimal::from(SECONDS_PER_HOUR)).round_dp(12)
}

/// Emits the lines of a CUR month holding `demand`.
pub fn month(spec: &SynthMonth, demand: &[SynthHour], mut emit: impl FnMut(CurLine)) {
    let mut n = 0u64;
    let mut id = || {
        n += 1;
        format!("line{n:012}")
    };
    let h = SECONDS_PER_HOUR as i64;
    let base = |line_type: &'static str, hour: Timestamp| CurLine {
        line_type,
        start: Some(hour),
        end: Some(Timestamp(hour.0 + h)),
        product_code: "AmazonEC2".into(),
        region: Some(spec.region.clone()),
        ..CurLine::default()
    };
    for d in demand {
        let mut rest = d.seconds;
        let ri = spec
            .ris
            .iter()
            .find(|r| r.instance_type == d.instance_type && r.start <= d.hour && d.hour < r.end);
        let ri_secs = ri.map_or(0, |r| rest.min(u64::from(r.count) * SECONDS_PER_HOUR));
        rest -= ri_secs;
        let sp = spec
            .sps
            .iter()
            .find(|p| p.start <= d.hour && d.hour < p.end);
        let sp_secs = sp.map_or(0, |p| {
            (Decimal::from(rest) * p.covers)
                .floor()
                .to_u64()
                .unwrap_or(0)
                .min(rest)
        });
        rest -= sp_secs;
        let parts = [
            ("DiscountedUsage", ri_secs),
            ("SavingsPlanCoveredUsage", sp_secs),
            ("Usage", rest),
        ];
        let k = u64::from(spec.instances.max(1));
        for (line_type, secs) in parts {
            if secs == 0 {
                continue;
            }
            for i in 0..k {
                let share = secs / k + u64::from(i < secs % k);
                if share == 0 {
                    continue;
                }
                let mut l = base(line_type, d.hour);
                l.id = id();
                l.usage_type = format!("BoxUsage:{}", d.instance_type);
                l.operation = "RunInstances".into();
                l.resource_id = Some(format!("i-{:016x}", i + 1));
                l.amount = hours(share);
                l.unit = Some("Hrs".into());
                l.cost = (l.amount * Decimal::new(1, 1)).round_dp(10);
                l.instance_type = Some(d.instance_type.clone());
                l.zone = Some(format!("{}a", spec.region));
                l.description = format!("{line_type} of {}", d.instance_type);
                l.product = vec![
                    ("operating_system".into(), "Linux".into()),
                    ("tenancy".into(), "Shared".into()),
                ];
                if line_type == "DiscountedUsage"
                    && let Some(r) = ri
                {
                    l.ri_arn = Some(r.arn.clone());
                }
                if line_type == "SavingsPlanCoveredUsage"
                    && let Some(p) = sp
                {
                    l.sp_arn = Some(p.arn.clone());
                    if spec.extras {
                        let mut neg = l.clone();
                        neg.id = id();
                        neg.line_type = "SavingsPlanNegation";
                        neg.cost = -l.cost;
                        emit(neg);
                    }
                }
                emit(l);
            }
        }
    }
    for r in &spec.ris {
        let hrs = (spec.end.0 - spec.start.0) / h;
        let mut l = base("RIFee", spec.start);
        l.end = Some(spec.end);
        l.id = id();
        l.usage_type = format!("HeavyUsage:{}", r.instance_type);
        l.operation = "RunInstances".into();
        l.amount = Decimal::from(hrs * i64::from(r.count));
        l.unit = Some("Hrs".into());
        l.cost = l.amount * r.hourly_fee;
        l.instance_type = Some(r.instance_type.clone());
        l.lease = Some(r.lease.clone());
        l.offering_class = Some(r.offering_class.clone());
        l.purchase_option = Some(r.purchase_option.clone());
        l.ri_arn = Some(r.arn.clone());
        l.ri_count = Some(Decimal::from(r.count));
        l.ri_start = Some(r.start);
        l.ri_end = Some(r.end);
        l.description = "RI fee".into();
        emit(l);
    }
    for p in &spec.sps {
        let mut t = spec.start.max(p.start);
        while t < spec.end.min(p.end) {
            let mut l = base("SavingsPlanRecurringFee", t);
            l.id = id();
            l.product_code = "ComputeSavingsPlans".into();
            l.usage_type = "ComputeSP:1yrNoUpfront".into();
            l.amount = Decimal::ONE;
            l.cost = p.commitment_per_hour;
            l.sp_arn = Some(p.arn.clone());
            l.sp_type = Some(p.offering_type.clone());
            l.sp_term = Some(p.term.clone());
            l.sp_payment = Some(p.payment.clone());
            l.sp_start = Some(p.start);
            l.sp_end = Some(p.end);
            l.sp_total = Some(p.commitment_per_hour);
            l.sp_recurring = Some(p.commitment_per_hour);
            l.sp_upfront = Some(Decimal::ZERO);
            l.description = "Savings Plan fee".into();
            emit(l);
            t = Timestamp(t.0 + h);
        }
    }
    if spec.extras {
        let at = spec.start;
        let other = |line_type: &'static str, ut: &str, op: &str, amount: Decimal| {
            let mut l = base(line_type, at);
            l.usage_type = ut.into();
            l.operation = op.into();
            l.amount = amount;
            l.cost = amount;
            l
        };
        for mut l in [
            other("Tax", "", "", Decimal::ONE),
            other("Credit", "", "", Decimal::ONE),
            other("Fee", "", "", Decimal::ONE),
            other(
                "Usage",
                "EBS:VolumeUsage.gp3",
                "CreateVolume-Gp3",
                Decimal::TEN,
            ),
            other(
                "Usage",
                "BoxUsage:m5.large",
                "RunInstances:0002",
                Decimal::ONE,
            ),
        ] {
            l.id = id();
            emit(l);
        }
    }
}
