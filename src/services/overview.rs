//! The team's overview: open cases by state and track, what is overdue, how long decisions take,
//! and requests per week.

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use diesel::dsl::count_star;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{audit_events, cases};
use crate::db::Db;
use crate::domain::clock;
use crate::domain::vocab::{CaseState, Track};
use crate::error::AppError;

pub const WEEKS: i64 = 12;
/// Room above the chart's bars, in pixels.
pub const TOP: i64 = 20;

#[derive(Debug, Serialize)]
pub struct Count {
    pub state: &'static str,
    pub label: &'static str,
    pub agency: i64,
    pub court: i64,
}

#[derive(Debug, Serialize)]
pub struct Week {
    /// Monday of the week.
    pub starts: String,
    pub requests: i64,
}

#[derive(Debug, Serialize)]
pub struct Overview {
    pub by_state: Vec<Count>,
    pub open: i64,
    pub overdue: i64,
    /// Median hours from filing to the first decision, over decisions of the last 90 days.
    pub median_hours_to_decision: Option<f64>,
    pub decisions: usize,
    pub weeks: Vec<Week>,
}

fn monday(day: NaiveDate) -> NaiveDate {
    day - TimeDelta::days(i64::from(day.weekday().num_days_from_monday()))
}

/// The overview of the cases of `tracks` (support sees the court-order track only).
pub async fn overview(db: &Db, tracks: &[Track]) -> Result<Overview, AppError> {
    let tracks: Vec<&'static str> = tracks.iter().map(|t| t.as_str()).collect();
    db.run(move |conn| {
        let now = clock::now();
        let grouped: Vec<(String, String, i64)> = cases::table
            .filter(cases::track.eq_any(&tracks))
            .group_by((cases::state, cases::track))
            .select((cases::state, cases::track, count_star()))
            .load(conn)?;
        let by_state = CaseState::ALL
            .iter()
            .map(|state| {
                let of = |track: Track| {
                    grouped
                        .iter()
                        .filter(|(s, t, _)| s == state.as_str() && t == track.as_str())
                        .map(|(_, _, n)| n)
                        .sum()
                };
                Count {
                    state: state.as_str(),
                    label: state.label(),
                    agency: of(Track::Agency),
                    court: of(Track::Court),
                }
            })
            .collect::<Vec<_>>();
        let open = by_state
            .iter()
            .filter(|c| CaseState::parse(c.state).is_some_and(|s| CaseState::OPEN.contains(&s)))
            .map(|c| c.agency + c.court)
            .sum();
        let overdue = cases::table
            .filter(cases::track.eq_any(&tracks))
            .filter(cases::state.eq_any(CaseState::open_names()))
            .filter(cases::due_at.lt(now))
            .count()
            .get_result(conn)?;

        // The first decision of each case decided in the last 90 days.
        let since = now - TimeDelta::days(90);
        let transitions: Vec<(Option<String>, NaiveDateTime, String)> = audit_events::table
            .filter(audit_events::action.eq("case.transition"))
            .filter(audit_events::at.ge(since))
            .order(audit_events::seq)
            .select((
                audit_events::case_id,
                audit_events::at,
                audit_events::details,
            ))
            .load(conn)?;
        let mut decided: std::collections::BTreeMap<String, NaiveDateTime> =
            std::collections::BTreeMap::new();
        for (case_id, at, details) in transitions {
            let to = serde_json::from_str::<serde_json::Value>(&details)
                .ok()
                .and_then(|d| d["to"].as_str().map(str::to_owned));
            if let (Some(case_id), Some("approved" | "partially_approved" | "rejected")) =
                (case_id, to.as_deref())
            {
                decided.entry(case_id).or_insert(at);
            }
        }
        let ids: Vec<&String> = decided.keys().collect();
        let filed: Vec<(String, NaiveDateTime)> = cases::table
            .filter(cases::track.eq_any(&tracks))
            .filter(cases::id.eq_any(&ids))
            .select((cases::id, cases::created_at))
            .load(conn)?;
        let mut hours: Vec<f64> = filed
            .iter()
            .filter_map(|(id, created)| {
                decided
                    .get(id)
                    .map(|at| (*at - *created).num_seconds() as f64 / 3600.0)
            })
            .collect();
        hours.sort_by(f64::total_cmp);
        let median_hours_to_decision = match hours.len() {
            0 => None,
            n if n % 2 == 1 => Some(hours[n / 2]),
            n => Some((hours[n / 2 - 1] + hours[n / 2]) / 2.0),
        };

        let first_week = monday(now.date()) - TimeDelta::weeks(WEEKS - 1);
        let created: Vec<NaiveDateTime> = cases::table
            .filter(cases::track.eq_any(&tracks))
            .filter(cases::created_at.ge(first_week.and_hms_opt(0, 0, 0).unwrap_or_default()))
            .select(cases::created_at)
            .load(conn)?;
        let weeks = (0..WEEKS)
            .map(|i| {
                let starts = first_week + TimeDelta::weeks(i);
                let requests = created
                    .iter()
                    .filter(|at| monday(at.date()) == starts)
                    .count() as i64;
                Week {
                    starts: starts.to_string(),
                    requests,
                }
            })
            .collect();
        Ok(Overview {
            by_state,
            open,
            overdue,
            median_hours_to_decision,
            decisions: hours.len(),
            weeks,
        })
    })
    .await
}

/// Bars for the weekly chart, scaled to `height` pixels.
#[derive(Debug, Serialize)]
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub requests: i64,
    pub label: String,
}

pub fn bars(weeks: &[Week], height: i64, width: i64) -> Vec<Bar> {
    let most = weeks.iter().map(|w| w.requests).max().unwrap_or(0).max(1);
    let slot = width / weeks.len().max(1) as i64;
    weeks
        .iter()
        .enumerate()
        .map(|(i, week)| {
            let h = week.requests * height / most;
            Bar {
                x: i as i64 * slot + slot / 6,
                // The top margin leaves room for the tallest bar's count.
                y: TOP + height - h,
                height: h,
                requests: week.requests,
                label: week.starts[5..].to_owned(),
            }
        })
        .collect()
}
