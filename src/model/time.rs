//! Places in an episode (`said_at`, `aired_at`) and calendar dates.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why a time or date is not one; shown to the user as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    #[error("`{0}` is not a time: write MM:SS or H:MM:SS, or a range like 18:08~19:08")]
    Syntax(String),
    #[error("`{0}` has {1} seconds; seconds run from 00 to 59")]
    Seconds(String, u32),
    #[error("`{0}` has {1} minutes after the hour; write H:MM:SS with minutes from 00 to 59")]
    Minutes(String, u32),
    #[error("the range `{0}` ends before it starts")]
    Backwards(String),
    #[error("`{0}` is not a date: write YYYY-MM-DD")]
    DateSyntax(String),
    #[error("{0} is not a real date")]
    NoSuchDate(String),
}

/// Seconds from the start of an episode.
pub type Seconds = u32;

/// Parse one point in an episode: `MM:SS` (minutes may run past 59, as transcripts
/// of long episodes write them) or `H:MM:SS`.
pub fn parse_point(s: &str) -> Result<Seconds, TimeError> {
    let syntax = || TimeError::Syntax(s.to_owned());
    let parts: Vec<&str> = s.split(':').collect();
    let num = |p: &str, max_digits: usize| -> Result<u32, TimeError> {
        if p.is_empty() || p.len() > max_digits || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        p.parse().map_err(|_| syntax())
    };
    let seconds = |p: &str| -> Result<u32, TimeError> {
        if p.len() != 2 {
            return Err(syntax());
        }
        let v = num(p, 2)?;
        if v > 59 {
            return Err(TimeError::Seconds(s.to_owned(), v));
        }
        Ok(v)
    };
    match parts.as_slice() {
        [m, sec] => Ok(num(m, 3)? * 60 + seconds(sec)?),
        [h, m, sec] => {
            let hours = num(h, 10)?;
            if m.len() != 2 {
                return Err(syntax());
            }
            let minutes = num(m, 2)?;
            if minutes > 59 {
                return Err(TimeError::Minutes(s.to_owned(), minutes));
            }
            hours
                .checked_mul(3600)
                .and_then(|h| h.checked_add(minutes * 60 + seconds(sec).ok()?))
                .ok_or_else(|| match seconds(sec) {
                    Err(e) => e,
                    Ok(_) => syntax(),
                })
        }
        _ => Err(syntax()),
    }
}

/// Format seconds the way people write them: `MM:SS`, or `H:MM:SS` from one hour on.
pub fn format_point(t: Seconds) -> String {
    // By hand: `format!` here was 8% of a warm `list` of 100,000 claims.
    fn two(out: &mut String, n: Seconds) {
        out.push(char::from(b'0' + (n / 10) as u8));
        out.push(char::from(b'0' + (n % 10) as u8));
    }
    let mut out = if t >= 3600 {
        let mut hours = (t / 3600).to_string();
        hours.push(':');
        hours
    } else {
        String::with_capacity(5)
    };
    two(&mut out, (t / 60) % 60);
    out.push(':');
    two(&mut out, t % 60);
    out
}

/// Where something was said or aired: a moment or a range `start~end`, start ≤ end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    start: Seconds,
    end: Seconds,
}

impl Timestamp {
    pub fn point(t: Seconds) -> Self {
        Self { start: t, end: t }
    }

    pub fn range(start: Seconds, end: Seconds) -> Option<Self> {
        (start <= end).then_some(Self { start, end })
    }

    pub fn start(&self) -> Seconds {
        self.start
    }

    pub fn end(&self) -> Seconds {
        self.end
    }

    /// Whether this lies wholly within `other`.
    pub fn within(&self, other: &Timestamp) -> bool {
        other.start <= self.start && self.end <= other.end
    }

    /// Whether the two share at least one moment.
    pub fn overlaps(&self, other: &Timestamp) -> bool {
        self.start <= other.end && other.start <= self.end
    }
}

impl FromStr for Timestamp {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, TimeError> {
        let s = s.trim();
        match s.split_once('~') {
            None => Ok(Self::point(parse_point(s)?)),
            Some((a, b)) => {
                let (start, end) = (parse_point(a.trim())?, parse_point(b.trim())?);
                Self::range(start, end).ok_or_else(|| TimeError::Backwards(s.to_owned()))
            }
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.start == self.end {
            f.write_str(&format_point(self.start))
        } else {
            write!(f, "{}~{}", format_point(self.start), format_point(self.end))
        }
    }
}

/// As people write it in a record or read it in JSON; in a binary format
/// (the record cache) as its two numbers, so a warm run over 100,000 claims
/// neither writes nor parses the text of each.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            (self.start, self.end).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            s.parse().map_err(serde::de::Error::custom)
        } else {
            let (start, end) = <(Seconds, Seconds)>::deserialize(d)?;
            Self::range(start, end).ok_or_else(|| {
                serde::de::Error::custom(TimeError::Backwards(format!(
                    "{}~{}",
                    format_point(start),
                    format_point(end)
                )))
            })
        }
    }
}

/// A calendar date that exists. TOML's own date type is refused by the parser
/// when the day does not exist, but a date may also be written as a string
/// (`"2023-02-29"`), or typed on the command line; this type holds either only
/// when the calendar has the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// The date, if it exists in the (proleptic Gregorian) calendar and lies within
    /// the years `YYYY-MM-DD` can write, 0000 to 9999.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Self, TimeError> {
        let exists = match (i16::try_from(year), i8::try_from(month), i8::try_from(day)) {
            (Ok(y), Ok(m), Ok(d)) => jiff::civil::Date::new(y, m, d).is_ok(),
            _ => false,
        };
        if !exists {
            return Err(TimeError::NoSuchDate(format!(
                "{year:04}-{month:02}-{day:02}"
            )));
        }
        Ok(Self { year, month, day })
    }
}

impl Date {
    /// Today's date where it is latest on Earth (UTC+14), from the system clock:
    /// a date typed by a desk anywhere is never after it, so "not after today"
    /// refuses only what no desk can have lived yet. None when the clock is
    /// outside the years a date can hold.
    pub fn latest_today() -> Option<Date> {
        Date::of_unix(jiff::Timestamp::now().as_second() + 14 * 3600)
    }

    /// The calendar date (UTC) of a Unix time; `None` outside the years a
    /// date can be written in (0000 to 9999).
    pub fn of_unix(secs: i64) -> Option<Date> {
        // Unix time counts every UTC day as 86,400 seconds, so the day is civil
        // arithmetic from the epoch. (`jiff::Timestamp` would do too, but its
        // range ends at 9999-12-30T22:00:00Z, to leave room for any offset, and
        // the last day is lost.)
        let epoch = jiff::civil::DateTime::constant(1970, 1, 1, 0, 0, 0, 0);
        let day = epoch
            .checked_add(jiff::SignedDuration::from_secs(secs))
            .ok()?
            .date();
        Date::new(
            u16::try_from(day.year()).ok()?,
            u8::try_from(day.month()).ok()?,
            u8::try_from(day.day()).ok()?,
        )
        .ok()
    }
}

impl FromStr for Date {
    type Err = TimeError;
    fn from_str(s: &str) -> Result<Self, TimeError> {
        let syntax = || TimeError::DateSyntax(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(syntax());
        }
        let field = |r: std::ops::Range<usize>| -> Result<u16, TimeError> {
            let p = &s[r];
            if !p.bytes().all(|c| c.is_ascii_digit()) {
                return Err(syntax());
            }
            p.parse().map_err(|_| syntax())
        };
        Date::new(field(0..4)?, field(5..7)? as u8, field(8..10)? as u8)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    /// As text for people (TOML, JSON); as numbers for errata's binary cache.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            (self.year, self.month, self.day).serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Date {
    /// Accepts a TOML date (`2023-11-21`) as well as a string, since both are what a
    /// person would write; anything with a time or offset is refused.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            let (year, month, day) = <(u16, u8, u8)>::deserialize(d)?;
            return Date::new(year, month, day).map_err(serde::de::Error::custom);
        }
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Toml(toml::value::Datetime),
            Text(String),
        }
        let text = match Raw::deserialize(d)? {
            Raw::Toml(dt) => {
                if dt.time.is_some() || dt.offset.is_some() || dt.date.is_none() {
                    return Err(serde::de::Error::custom(format!(
                        "`{dt}` is not a plain date: write YYYY-MM-DD"
                    )));
                }
                dt.to_string()
            }
            Raw::Text(s) => s,
        };
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_are_written_as_people_write_them_and_read_back() {
        assert_eq!(format_point(0), "00:00");
        assert_eq!(format_point(428), "07:08");
        assert_eq!(format_point(3599), "59:59");
        assert_eq!(format_point(3600), "1:00:00");
        assert_eq!(format_point(36_000 + 61), "10:01:01");
        assert_eq!(format_point(Seconds::MAX), "1193046:28:15");
        for t in (0..40_000).chain([Seconds::MAX - 1, Seconds::MAX]) {
            let text = format_point(t);
            let expected = if t >= 3600 {
                format!("{}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60)
            } else {
                format!("{:02}:{:02}", t / 60, t % 60)
            };
            assert_eq!(text, expected);
        }
    }

    #[test]
    fn parses_points_and_ranges() {
        assert_eq!("07:08".parse::<Timestamp>().unwrap(), Timestamp::point(428));
        assert_eq!(
            "1:02:03".parse::<Timestamp>().unwrap(),
            Timestamp::point(3723)
        );
        let r: Timestamp = "18:08~19:08".parse().unwrap();
        assert_eq!((r.start(), r.end()), (1088, 1148));
        assert_eq!(r.to_string(), "18:08~19:08");
        assert_eq!("75:00".parse::<Timestamp>().unwrap().to_string(), "1:15:00");
    }

    #[test]
    fn rejects_bad_times() {
        assert_eq!(
            "07:68".parse::<Timestamp>(),
            Err(TimeError::Seconds("07:68".into(), 68))
        );
        for bad in ["", "7", "7:5", "a:bc", "1:60:00", "::", "07:08~", "-1:00"] {
            assert!(bad.parse::<Timestamp>().is_err(), "{bad:?}");
        }
        assert!(matches!(
            "09:08~06:07".parse::<Timestamp>(),
            Err(TimeError::Backwards(_))
        ));
    }

    #[test]
    fn dates_must_exist() {
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!(matches!(
            "2023-02-29".parse::<Date>(),
            Err(TimeError::NoSuchDate(_))
        ));
        assert!("2023-13-01".parse::<Date>().is_err());
        assert!("2023-1-01".parse::<Date>().is_err());
        assert!("２０２３-01-01".parse::<Date>().is_err());
    }

    #[test]
    fn leap_years_follow_the_gregorian_rule() {
        for ok in ["2024-02-29", "2000-02-29", "2400-02-29", "2023-02-28"] {
            assert_eq!(ok.parse::<Date>().unwrap().to_string(), ok);
        }
        for (bad, why) in [
            ("2023-02-29", "2023-02-29 is not a real date"),
            ("1900-02-29", "1900-02-29 is not a real date"),
            ("2100-02-29", "2100-02-29 is not a real date"),
            ("2024-02-30", "2024-02-30 is not a real date"),
            ("2024-04-31", "2024-04-31 is not a real date"),
            ("2024-00-10", "2024-00-10 is not a real date"),
            ("2024-13-01", "2024-13-01 is not a real date"),
            ("2024-01-00", "2024-01-00 is not a real date"),
            ("2024-01-32", "2024-01-32 is not a real date"),
        ] {
            let e = bad.parse::<Date>().unwrap_err();
            assert_eq!(e, TimeError::NoSuchDate(bad.into()));
            assert_eq!(e.to_string(), why);
        }
        assert_eq!(
            "2024-2-29".parse::<Date>().unwrap_err().to_string(),
            "`2024-2-29` is not a date: write YYYY-MM-DD"
        );
    }

    #[test]
    fn the_years_run_from_0000_to_9999() {
        let d = |s: &str| s.parse::<Date>().map(|d| d.to_string());
        assert_eq!(d("0000-01-01").as_deref(), Ok("0000-01-01"));
        // Year 0 is a leap year in the proleptic Gregorian calendar (divisible by 400).
        assert_eq!(d("0000-02-29").as_deref(), Ok("0000-02-29"));
        assert_eq!(d("9999-12-31").as_deref(), Ok("9999-12-31"));
        assert_eq!(
            Date::new(0, 1, 1),
            Ok(Date {
                year: 0,
                month: 1,
                day: 1
            })
        );
        assert!(Date::new(9999, 12, 31).is_ok());
        // Past 9999 a year no longer fits YYYY-MM-DD, so it is not a date errata holds.
        for (y, m, d) in [
            (10_000, 1, 1),
            (u16::MAX, 1, 1),
            (2024, 200, 1),
            (2024, 1, 255),
        ] {
            assert_eq!(
                Date::new(y, m, d),
                Err(TimeError::NoSuchDate(format!("{y:04}-{m:02}-{d:02}")))
            );
        }
    }

    #[test]
    fn dates_keep_both_serde_forms() {
        let date: Date = "2024-02-29".parse().unwrap();
        // Text for people.
        assert_eq!(serde_json::to_string(&date).unwrap(), "\"2024-02-29\"");
        let back: Date = serde_json::from_str("\"2024-02-29\"").unwrap();
        assert_eq!(back, date);
        // Numbers for the binary cache, checked again when read back.
        let bytes = postcard::to_stdvec(&date).unwrap();
        assert_eq!(bytes, postcard::to_stdvec(&(2024u16, 2u8, 29u8)).unwrap());
        assert_eq!(postcard::from_bytes::<Date>(&bytes).unwrap(), date);
        let bad = postcard::to_stdvec(&(2023u16, 2u8, 29u8)).unwrap();
        let e = postcard::from_bytes::<Date>(&bad).unwrap_err();
        assert!(matches!(e, postcard::Error::SerdeDeCustom), "{e:?}");
    }

    #[test]
    fn timestamps_keep_both_serde_forms() {
        let cases: [(&str, Seconds, Seconds); 2] =
            [("55:33~55:54", 3333, 3354), ("1:02:03", 3723, 3723)];
        for (text, start, end) in cases {
            let t: Timestamp = text.parse().unwrap();
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{text}\""));
            assert_eq!(
                serde_json::from_str::<Timestamp>(&format!("\"{text}\"")).unwrap(),
                t
            );
            let bytes = postcard::to_stdvec(&t).unwrap();
            assert_eq!(bytes, postcard::to_stdvec(&(start, end)).unwrap());
            assert_eq!(postcard::from_bytes::<Timestamp>(&bytes).unwrap(), t);
        }
        // A range that ends before it starts is refused from the cache too.
        let bad = postcard::to_stdvec(&(20u32, 10u32)).unwrap();
        let e = postcard::from_bytes::<Timestamp>(&bad).unwrap_err();
        assert!(matches!(e, postcard::Error::SerdeDeCustom), "{e:?}");
    }
}
