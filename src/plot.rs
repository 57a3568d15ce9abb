//! Charts of a run or a comparison, as SVG and PNG, in pure Rust.
//!
//! `plotters` draws each chart twice, once on its SVG backend and once on
//! its bitmap backend; text is set in DejaVu Sans, embedded in the binary
//! (`assets/fonts/`, Bitstream Vera licence), so nothing depends on the
//! system's fonts or libraries.
//!
//! A run folder gives `daily_entries` (entries by destination, with the
//! scenario's reported figures from `targets.csv` drawn as points at the
//! middle of their windows, as a mean per day), `cumulative_exodus` (by
//! destination) and `queues` (persons waiting at each crossing that ever had
//! a queue). A comparison folder gives `comparison_exodus`: each scenario's
//! daily exodus entries (mean over replicates) with the band of the middle
//! 95% of replicates (`q025`..`q975`: under a posterior, the 95%
//! posterior-predictive band; `exodus run --posterior` writes the same
//! files for one scenario). A
//! validation folder gives `validation_<place>_<metric>` for each place and
//! metric (`entries`, `exits`) with reported figures over short windows (at
//! most [`SHORT_WINDOW_DAYS`] days): the replicates' daily mean with their
//! 90% predictive band, and each figure as a point at the middle of its
//! window (a mean per day), and `validation_figures`: every measured figure
//! over its window, with its band and the report at the window's end
//! ([`paths`]). A sensitivity folder gives `sensitivity`: per
//! output, each parameter's indices as bars with their 95% intervals
//! ([`indices`]).

use std::path::{Path, PathBuf};
use std::sync::Once;

use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use crate::compare::{DAILY_CSV, DailyRecord};
use crate::exit::{self, Exit};
use crate::format::{signed_thousands, snake_case};
use crate::output::{OutputError, write_atomic};
use crate::results::{RunResults, floats};
use crate::sensitivity::{SENSITIVITY_CSV, SensitivityRecord};
use crate::validate::{
    VALIDATION_CSV, VALIDATION_DAILY_CSV, VALIDATION_PATHS_CSV, ValidationDailyRecord,
    ValidationPathRecord, ValidationRecord,
};

mod indices;
mod paths;

pub use indices::{Bar, IndexChart, IndexPanel, IndexSeries, sensitivity_chart};
pub use paths::{PathChart, PathPanel, paths_chart};

const FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
const SIZE: (u32, u32) = (1200, 700);

/// Why charts could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Drawing failed.
    #[error("cannot draw `{path}`: {message}")]
    Draw {
        /// The chart file.
        path: PathBuf,
        /// The backend's message.
        message: String,
    },
    /// Writing failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The folder holds neither a run, nor a comparison, nor a validation.
    #[error(
        "`{0}` holds neither a run (run.toml) nor a comparison (compare_daily.csv) nor a validation (validation_daily.csv) nor a sensitivity analysis (sensitivity.csv)"
    )]
    NothingToPlot(PathBuf),
    /// A file in the folder could not be read.
    #[error("cannot read `{path}`: {message}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

impl Exit for PlotError {
    fn exit_code(&self) -> u8 {
        match self {
            PlotError::Read { .. } | PlotError::NothingToPlot(_) => exit::INPUT,
            PlotError::Draw { .. } => exit::FAILURE,
            PlotError::Output(e) => e.exit_code(),
        }
    }
}

/// One line, optionally with a band.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// One value a day.
    pub values: Vec<f64>,
    /// Lower and upper edges of a band, one value a day.
    pub band: Option<(Vec<f64>, Vec<f64>)>,
}

/// A chart: dated series and labelled points.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem and title.
    pub stem: String,
    /// Title shown on the chart.
    pub title: String,
    /// Y-axis description with its unit.
    pub y_label: String,
    /// Date of day 0.
    pub start: NaiveDate,
    /// Days shown.
    pub days: usize,
    /// The lines.
    pub series: Vec<Series>,
    /// Points: (day, value, label).
    pub points: Vec<(f64, f64, String)>,
}

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is embedded and known to be valid; should registration fail,
        // plotters falls back to drawing no text rather than failing.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Something drawn as a chart: its file stem, its size in pixels, and how
/// it draws itself on any of plotters' backends.
pub trait Figure {
    /// The file stem.
    fn stem(&self) -> &str;
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32) {
        SIZE
    }
    /// Draws it on `root`.
    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String>;
}

impl Figure for Chart {
    fn stem(&self) -> &str {
        &self.stem
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), String> {
        render(root, self)
    }
}

/// Draws a chart as `<stem>.svg` and `<stem>.png` in `dir`; returns both paths.
pub fn draw(dir: &Path, chart: &impl Figure) -> Result<Vec<PathBuf>, PlotError> {
    register_font();
    let size = chart.size();
    let svg_path = dir.join(format!("{}.svg", chart.stem()));
    let png_path = dir.join(format!("{}.png", chart.stem()));
    let fail = |path: &Path| {
        let path = path.to_owned();
        move |message: String| PlotError::Draw { path, message }
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        chart.render(&root).map_err(fail(&svg_path))?;
        root.present().map_err(|e| fail(&svg_path)(e.to_string()))?;
    }
    write_atomic(&svg_path, svg.as_bytes())?;

    let mut pixels = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        chart.render(&root).map_err(fail(&png_path))?;
        root.present().map_err(|e| fail(&png_path)(e.to_string()))?;
    }
    let png = encode_png(&pixels, size).map_err(fail(&png_path))?;
    write_atomic(&png_path, &png)?;
    Ok(vec![svg_path, png_path])
}

/// Encodes RGB pixels as PNG.
pub(crate) fn encode_png(pixels: &[u8], (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut out);
    image::ImageEncoder::write_image(encoder, pixels, w, h, image::ColorType::Rgb8)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

fn render<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    let e = |err: DrawingAreaErrorKind<DB::ErrorType>| err.to_string();
    root.fill(&WHITE).map_err(e)?;
    let top = chart
        .series
        .iter()
        .flat_map(|s| {
            s.values
                .iter()
                .chain(s.band.iter().flat_map(|(_, hi)| hi.iter()))
        })
        .chain(chart.points.iter().map(|(_, y, _)| y))
        .copied()
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.08 } else { 1.0 };
    let x_max = chart.days.saturating_sub(1).max(1) as f64;
    let start = chart.start;
    let mut ctx = ChartBuilder::on(root)
        .caption(&chart.title, ("sans-serif", 26))
        .margin(16)
        .x_label_area_size(48)
        .y_label_area_size(90)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(e)?;
    ctx.configure_mesh()
        .x_desc("date (2022)")
        .y_desc(&chart.y_label)
        .x_labels(12)
        .y_labels(10)
        .x_label_formatter(&|x| {
            let day = x.round() as i64;
            start
                .checked_add_days(chrono::Days::new(day.max(0) as u64))
                .map_or_else(String::new, |d| d.format("%d %b").to_string())
        })
        .y_label_formatter(&|y| signed_thousands(*y))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(e)?;
    for (i, s) in chart.series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        if let Some((low, high)) = &s.band {
            let upper: Vec<(f64, f64)> = high
                .iter()
                .enumerate()
                .map(|(d, &v)| (d as f64, v))
                .collect();
            let lower: Vec<(f64, f64)> = low
                .iter()
                .enumerate()
                .rev()
                .map(|(d, &v)| (d as f64, v))
                .collect();
            let outline: Vec<(f64, f64)> = upper.into_iter().chain(lower).collect();
            ctx.draw_series(std::iter::once(Polygon::new(
                outline,
                color.mix(0.2).filled(),
            )))
            .map_err(e)?;
        }
        ctx.draw_series(LineSeries::new(
            s.values.iter().enumerate().map(|(d, &v)| (d as f64, v)),
            color.stroke_width(2),
        ))
        .map_err(e)?
        .label(s.name.clone())
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    for (x, y, label) in &chart.points {
        let color = BLACK;
        ctx.draw_series(std::iter::once(Circle::new((*x, *y), 6, color.filled())))
            .map_err(e)?
            .label(label.clone())
            .legend(move |(lx, ly)| Circle::new((lx + 10, ly), 5, color.filled()));
    }
    ctx.configure_series_labels()
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 15))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(e)?;
    Ok(())
}

/// A reported figure drawn on the daily chart: its place, window and value.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportedFigure {
    /// Id.
    pub id: String,
    /// Place (a destination).
    pub place: String,
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
    /// Total over the window.
    pub value: f64,
}

/// The charts of a run.
pub fn run_charts(run: &RunResults, reported: &[ReportedFigure]) -> Vec<Chart> {
    let days = run.national.len();
    let cal = run.calendar;
    let base = |stem: &str, title: &str, y: &str| Chart {
        stem: stem.to_owned(),
        title: title.to_owned(),
        y_label: y.to_owned(),
        start: cal.start,
        days,
        series: Vec::new(),
        points: Vec::new(),
    };
    let mut daily = base(
        "daily_entries",
        "Daily entries of Russian citizens by destination (exodus and ordinary traffic)",
        "entries per day (persons)",
    );
    let mut cumulative = base(
        "cumulative_exodus",
        "Cumulative exodus by destination",
        "men who crossed (persons)",
    );
    for (d, name) in run.destinations.iter().enumerate() {
        let entries = floats(run.destination_series(d, |x| x.entries));
        let mut total = 0.0;
        let cum: Vec<f64> = run
            .destination_series(d, |x| x.crossed)
            .into_iter()
            .map(|x| {
                total += x as f64;
                total
            })
            .collect();
        daily.series.push(Series {
            name: name.clone(),
            values: entries,
            band: None,
        });
        cumulative.series.push(Series {
            name: name.clone(),
            values: cum,
            band: None,
        });
    }
    for f in reported
        .iter()
        .filter(|f| run.destinations.contains(&f.place))
    {
        let (from, to) = (cal.day_of(f.from), cal.day_of(f.to));
        let n = (to - from + 1).max(1) as f64;
        daily.points.push((
            (from + to) as f64 / 2.0,
            f.value / n,
            format!("reported: {} ({}, mean per day)", f.place, f.id),
        ));
    }
    let mut queues = base(
        "queues",
        "Persons waiting at each crossing at the end of the day",
        "queue (persons)",
    );
    for (c, (id, _)) in run.crossings.iter().enumerate() {
        let values = run.queue_series(c);
        if values.iter().any(|&v| v > 0.0) {
            queues.series.push(Series {
                name: id.clone(),
                values,
                band: None,
            });
        }
    }
    vec![daily, cumulative, queues]
}

/// Reads `targets.csv` of a run folder: the reported entries.
pub fn read_reported(path: &Path) -> Result<Vec<ReportedFigure>, PlotError> {
    let text = crate::input_file::read_text(path, crate::input_file::DATA_BYTES).map_err(|e| {
        PlotError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        }
    })?;
    let figures = crate::score::read_observed(&path.display().to_string(), &text).map_err(|e| {
        PlotError::Read {
            path: path.to_owned(),
            message: e.to_string(),
        }
    })?;
    Ok(figures
        .into_iter()
        .filter(|f| f.metric == Some(crate::metrics::Metric::Entries))
        .map(|f| ReportedFigure {
            id: f.id,
            place: f.place,
            from: f.from,
            to: f.to,
            value: f.observed.central(),
        })
        .collect())
}

/// The rows of a CSV file of a folder of results, read by their type.
fn read_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, PlotError> {
    let read_err = |message: String| PlotError::Read {
        path: path.to_owned(),
        message,
    };
    let text = crate::input_file::read_text(path, crate::input_file::DATA_BYTES)
        .map_err(|e| read_err(e.to_string()))?;
    csv::Reader::from_reader(text.as_bytes())
        .deserialize::<T>()
        .map(|row| row.map_err(|e| read_err(e.to_string())))
        .collect()
}

/// The comparison chart from [`DAILY_CSV`]: national daily exodus entries.
pub fn comparison_chart(path: &Path) -> Result<Chart, PlotError> {
    let read_err = |message: String| PlotError::Read {
        path: path.to_owned(),
        message,
    };
    // One series a scenario, in the order the file lists them.
    let mut series: Vec<Series> = Vec::new();
    let mut start: Option<NaiveDate> = None;
    for row in read_rows::<DailyRecord>(path)? {
        if row.place != "national" || row.metric != "exodus_entries" {
            continue;
        }
        start = Some(start.map_or(row.date, |s| s.min(row.date)));
        let i = match series.iter().position(|s| s.name == row.scenario) {
            Some(i) => i,
            None => {
                series.push(Series {
                    name: row.scenario.clone(),
                    values: Vec::new(),
                    band: Some((Vec::new(), Vec::new())),
                });
                series.len() - 1
            }
        };
        let s = &mut series[i];
        s.values.push(row.mean.0);
        if let Some((low, high)) = &mut s.band {
            low.push(row.q025.0.max(0.0));
            high.push(row.q975.0);
        }
    }
    let start = start.ok_or_else(|| read_err("no national exodus_entries rows".to_owned()))?;
    let days = series.iter().map(|s| s.values.len()).max().unwrap_or(0);
    Ok(Chart {
        stem: "comparison_exodus".to_owned(),
        title: "Daily exodus entries, all destinations: mean, and the middle 95% of replicates"
            .to_owned(),
        y_label: "men crossing per day (persons)".to_owned(),
        start,
        days,
        series,
        points: Vec::new(),
    })
}

/// The longest window, in days, of a reported figure drawn on a validation
/// chart: a figure over a longer window says little about any one day.
pub const SHORT_WINDOW_DAYS: i64 = 7;

/// The charts of a validation ([`VALIDATION_CSV`] and
/// [`VALIDATION_DAILY_CSV`]): one per place and metric of the daily series
/// with scored `entries` or `exits` figures over at most
/// [`SHORT_WINDOW_DAYS`] days, in the daily series' order.
pub fn validation_charts(
    figures: &[ValidationRecord],
    daily: &[ValidationDailyRecord],
) -> Vec<Chart> {
    let Some(start) = daily.iter().map(|r| r.date).min() else {
        return Vec::new();
    };
    let day = |date: NaiveDate| (date - start).num_days();
    let days = daily
        .iter()
        .map(|r| day(r.date) + 1)
        .max()
        .map_or(0, |d| d as usize);
    // The daily series, in the order the file first lists them.
    let mut series: Vec<((&str, &str), Series)> = Vec::new();
    for row in daily {
        let key = (row.place.as_str(), row.metric.as_str());
        let i = match series.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let zeros = vec![0.0; days];
                let band = Some((zeros.clone(), zeros.clone()));
                let name = "simulated: mean of the replicates, and 90% band of single runs";
                let line = Series {
                    name: name.to_owned(),
                    values: zeros,
                    band,
                };
                series.push((key, line));
                series.len() - 1
            }
        };
        let (_, line) = &mut series[i];
        let Ok(t) = usize::try_from(day(row.date)) else {
            continue;
        };
        if let Some(v) = line.values.get_mut(t) {
            *v = row.mean.0;
        }
        if let Some((low, high)) = &mut line.band {
            if let Some(v) = low.get_mut(t) {
                *v = row.p05.0.max(0.0);
            }
            if let Some(v) = high.get_mut(t) {
                *v = row.p95.0;
            }
        }
    }
    let mut charts = Vec::new();
    for ((place, metric), line) in series {
        let points: Vec<(f64, f64, String)> = figures
            .iter()
            .filter(|f| f.status == "scored" && f.place == place && f.metric == metric)
            .filter(|f| matches!(f.metric.as_str(), "entries" | "exits"))
            .filter(|f| day(f.date_to) - day(f.date_from) < SHORT_WINDOW_DAYS)
            .map(|f| {
                let (from, to) = (day(f.date_from), day(f.date_to));
                let n = (to - from + 1).max(1) as f64;
                let label = if f.kind.is_empty() {
                    format!("reported: {} (mean per day)", f.id)
                } else {
                    format!("reported: {} ({}, mean per day)", f.id, f.kind)
                };
                ((from + to) as f64 / 2.0, f.observed.0 / n, label)
            })
            .collect();
        if points.is_empty() {
            continue;
        }
        charts.push(Chart {
            stem: format!("validation_{}_{metric}", snake_case(place)),
            title: format!(
                "{place}: daily {metric}, simulated (mean and 90% band over the replicates) and reported"
            ),
            y_label: format!("{metric} per day (persons)"),
            start,
            days,
            series: vec![line],
            points,
        });
    }
    charts
}

/// Draws every chart a folder supports (a run, a comparison, a
/// validation); returns the files, none when a validation has no reported
/// figures to draw.
pub fn plot_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    let mut files = Vec::new();
    let mut recognised = false;
    if dir.join(crate::output::MANIFEST).is_file() {
        recognised = true;
        let run = crate::output::read_run(dir).map_err(|e| PlotError::Read {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
        let targets = dir.join(crate::output::TARGETS);
        let reported = if targets.is_file() {
            read_reported(&targets)?
        } else {
            Vec::new()
        };
        for chart in run_charts(&run, &reported) {
            files.extend(draw(dir, &chart)?);
        }
    }
    // A command's folder is drawn only when its manifest vouches for it.
    let command_files = [DAILY_CSV, VALIDATION_DAILY_CSV, SENSITIVITY_CSV];
    if command_files.iter().any(|name| dir.join(name).is_file()) {
        crate::output::verify_folder(dir).map_err(|e| PlotError::Read {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
    }
    let daily = dir.join(DAILY_CSV);
    if daily.is_file() {
        recognised = true;
        files.extend(draw(dir, &comparison_chart(&daily)?)?);
    }
    let validation_daily = dir.join(VALIDATION_DAILY_CSV);
    if validation_daily.is_file() {
        recognised = true;
        let figures = read_rows::<ValidationRecord>(&dir.join(VALIDATION_CSV))?;
        let daily = read_rows::<ValidationDailyRecord>(&validation_daily)?;
        for chart in validation_charts(&figures, &daily) {
            files.extend(draw(dir, &chart)?);
        }
        let paths = dir.join(VALIDATION_PATHS_CSV);
        if paths.is_file() {
            let paths = read_rows::<ValidationPathRecord>(&paths)?;
            let title = "Each figure over its window: simulated mean and 90% band of the replicates; \
                         reported at the window's end (green inside the band, red outside)";
            if let Some(chart) = paths_chart(&figures, &paths, title) {
                files.extend(draw(dir, &chart)?);
            }
        }
    }
    let sensitivity = dir.join(SENSITIVITY_CSV);
    if sensitivity.is_file() {
        recognised = true;
        let rows = read_rows::<SensitivityRecord>(&sensitivity)?;
        files.extend(draw(dir, &sensitivity_chart(&rows))?);
    }
    if !recognised {
        return Err(PlotError::NothingToPlot(dir.to_owned()));
    }
    Ok(files)
}
