//! Every figure of a validation over time: one panel per measured figure,
//! its *path* (the figure as it stood on each day of its window, a flow's
//! running total: [`crate::validate::VALIDATION_PATHS_CSV`]) as the
//! replicates' mean with their 90% band, and the reported figure at the
//! window's end: a point for a value, a whisker for an interval, green
//! inside the band and red outside it. Under `--posterior` (and in a
//! calibration's `predictive/`) the band is posterior-predictive.

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Figure;
use crate::format::signed_thousands;
use crate::validate::{ValidationPathRecord, ValidationRecord};

/// Panels in a row.
const COLUMNS: usize = 4;
/// Pixels a panel is wide and high.
const PANEL: (u32, u32) = (340, 250);
/// Pixels above the panels for the title.
const HEADER: u32 = 50;

/// One figure's panel.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPanel {
    /// `id (kind): place, metric`.
    pub title: String,
    /// The window's first day.
    pub from: NaiveDate,
    /// Per day of the window: mean, 5% and 95% quantiles.
    pub days: Vec<(f64, f64, f64)>,
    /// The reported value, or interval, at the window's end.
    pub observed: (f64, f64),
    /// Whether the report lies in (or overlaps) the band.
    pub inside: bool,
}

/// The chart of a validation's figures over time.
#[derive(Debug, Clone, PartialEq)]
pub struct PathChart {
    /// File stem.
    pub stem: String,
    /// Title.
    pub title: String,
    /// One panel per measured figure, in the file's order.
    pub panels: Vec<PathPanel>,
}

/// The chart of a validation's figures (`validation.csv`) and paths
/// (`validation_paths.csv`); `None` when no figure was measured.
pub fn paths_chart(
    figures: &[ValidationRecord],
    paths: &[ValidationPathRecord],
    title: &str,
) -> Option<PathChart> {
    let panels: Vec<PathPanel> = figures
        .iter()
        .filter(|f| f.status == "scored")
        .filter_map(|f| {
            let days: Vec<(f64, f64, f64)> = paths
                .iter()
                .filter(|p| p.id == f.id)
                .map(|p| (p.mean.0, p.p05.0, p.p95.0))
                .collect();
            if days.is_empty() {
                return None;
            }
            let observed = match (f.low, f.high) {
                (Some(low), Some(high)) => (low.0, high.0),
                _ => (f.observed.0, f.observed.0),
            };
            let kind = if f.kind.is_empty() {
                String::new()
            } else {
                format!(" ({})", f.kind)
            };
            Some(PathPanel {
                title: format!("{}{kind}: {}, {}", f.id, f.place, f.metric),
                from: f.date_from,
                days,
                observed,
                inside: f.inside_band == Some(true),
            })
        })
        .collect();
    (!panels.is_empty()).then(|| PathChart {
        stem: "validation_figures".to_owned(),
        title: title.to_owned(),
        panels,
    })
}

impl Figure for PathChart {
    fn stem(&self) -> &str {
        &self.stem
    }

    fn size(&self) -> (u32, u32) {
        let columns = self.panels.len().clamp(1, COLUMNS) as u32;
        let rows = self.panels.len().div_ceil(COLUMNS).max(1) as u32;
        (columns * PANEL.0, rows * PANEL.1 + HEADER)
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
        root.fill(&WHITE).map_err(e)?;
        let root = root.titled(&self.title, ("sans-serif", 20)).map_err(e)?;
        let columns = self.panels.len().clamp(1, COLUMNS);
        let rows = self.panels.len().div_ceil(COLUMNS).max(1);
        let areas = root.split_evenly((rows, columns));
        for (panel, area) in self.panels.iter().zip(&areas) {
            render_panel(panel, area)?;
        }
        Ok(())
    }
}

fn render_panel<DB: DrawingBackend>(
    panel: &PathPanel,
    area: &DrawingArea<DB, Shift>,
) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    let last = panel.days.len().saturating_sub(1) as f64;
    let top = panel
        .days
        .iter()
        .map(|d| d.2.max(d.0))
        .fold(panel.observed.1, f64::max);
    let y_max = if top > 0.0 { top * 1.12 } else { 1.0 };
    // A one-day window is drawn as a short stretch around its day.
    let x_range = if last > 0.0 {
        -0.3..last + 0.6
    } else {
        -0.6..0.6
    };
    let mut ctx = ChartBuilder::on(area)
        .caption(
            &panel.title,
            (
                "sans-serif",
                super::style::title_size(area, &panel.title, 13),
            ),
        )
        .margin(6)
        .x_label_area_size(22)
        .y_label_area_size(58)
        .build_cartesian_2d(x_range, 0.0..y_max)
        .map_err(e)?;
    let from = panel.from;
    ctx.configure_mesh()
        .x_labels(4)
        .y_labels(5)
        .disable_x_mesh()
        .x_label_formatter(&|x| {
            let day = x.round();
            if (x - day).abs() > 0.01 || day < 0.0 {
                return String::new();
            }
            from.checked_add_days(chrono::Days::new(day as u64))
                .map_or_else(String::new, |d| d.format("%d %b").to_string())
        })
        .y_label_formatter(&|y| signed_thousands(*y))
        .label_style(("sans-serif", 11))
        .draw()
        .map_err(e)?;
    let band = BLUE.mix(0.2).filled();
    if panel.days.len() == 1 {
        let (_, low, high) = panel.days[0];
        ctx.draw_series(std::iter::once(Rectangle::new(
            [(-0.25, low), (0.25, high)],
            band,
        )))
        .map_err(e)?;
    } else {
        let upper = panel.days.iter().enumerate().map(|(t, d)| (t as f64, d.2));
        let lower = panel
            .days
            .iter()
            .enumerate()
            .rev()
            .map(|(t, d)| (t as f64, d.1));
        let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
        ctx.draw_series(std::iter::once(Polygon::new(outline, band)))
            .map_err(e)?;
    }
    let mean: Vec<(f64, f64)> = if panel.days.len() == 1 {
        vec![(-0.25, panel.days[0].0), (0.25, panel.days[0].0)]
    } else {
        panel
            .days
            .iter()
            .enumerate()
            .map(|(t, d)| (t as f64, d.0))
            .collect()
    };
    ctx.draw_series(LineSeries::new(mean, BLUE.stroke_width(2)))
        .map_err(e)?;
    let color = if panel.inside {
        RGBColor(0, 140, 60)
    } else {
        RGBColor(200, 30, 30)
    };
    let (low, high) = panel.observed;
    if high > low {
        ctx.draw_series(std::iter::once(PathElement::new(
            vec![(last, low), (last, high)],
            color.stroke_width(3),
        )))
        .map_err(e)?;
        for y in [low, high] {
            ctx.draw_series(std::iter::once(PathElement::new(
                vec![(last - 0.15, y), (last + 0.15, y)],
                color.stroke_width(2),
            )))
            .map_err(e)?;
        }
    } else {
        ctx.draw_series(std::iter::once(Circle::new((last, low), 5, color.filled())))
            .map_err(e)?;
    }
    Ok(())
}
