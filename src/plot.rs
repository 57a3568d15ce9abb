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

mod differences;
mod indices;
mod paths;
mod regions;
mod style;

pub use differences::differences_chart;
pub use indices::{Bar, IndexChart, IndexPanel, IndexSeries, sensitivity_chart};
pub use paths::{PathChart, PathPanel, paths_chart};
pub use regions::{RegionChart, regions_chart};

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
    #[error("{}", nothing_to_plot(.0))]
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

/// Why the folder `dir` holds nothing to plot or report: it is not there,
/// it is a file, or it holds none of the results charts are drawn from.
fn nothing_to_plot(dir: &Path) -> String {
    match crate::input_file::not_a_folder(dir) {
        Some(why) => format!(
            "`{}` {why}: give the folder of a run (run.toml), a comparison \
             (compare_daily.csv), a validation (validation_daily.csv) or a sensitivity \
             analysis (sensitivity.csv)",
            dir.display()
        ),
        None => format!(
            "`{}` holds neither a run (run.toml) nor a comparison (compare_daily.csv) nor a \
             validation (validation_daily.csv) nor a sensitivity analysis (sensitivity.csv)",
            dir.display()
        ),
    }
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
    /// Drawn in black and thicker than the others (the base of a comparison).
    pub emphasis: bool,
}

impl Series {
    /// A plain line.
    pub fn line(name: impl Into<String>, values: Vec<f64>) -> Self {
        Self {
            name: name.into(),
            values,
            band: None,
            emphasis: false,
        }
    }
}

/// A reported figure on a chart: a total over a window, drawn as its mean
/// per day, as a segment across the window (a point for one day) with a
/// marker at its middle.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// First day of the window (days from the chart's start).
    pub from: f64,
    /// Last day.
    pub to: f64,
    /// The total divided by the window's days.
    pub per_day: f64,
    /// Its group (a place, or a figure): one shape and one legend entry per
    /// group.
    pub group: String,
    /// The series whose colour it shares (its place's line), if any; black
    /// otherwise.
    pub series: Option<usize>,
}

/// A chart: dated series and reported figures.
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
    /// The reported figures.
    pub markers: Vec<Marker>,
    /// What made it (scenario, scale, seed, version), under the chart.
    pub caption: String,
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

/// A chart as SVG text; `path` names it in errors.
pub fn svg(chart: &impl Figure, path: &Path) -> Result<String, PlotError> {
    register_font();
    let fail = |message: String| PlotError::Draw {
        path: path.to_owned(),
        message,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        chart.render(&root).map_err(fail)?;
        root.present().map_err(|e| fail(e.to_string()))?;
    }
    Ok(svg)
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
    write_atomic(&svg_path, svg(chart, &svg_path)?.as_bytes())?;

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

/// Draws a chart for print at `width` pixels: the SVG with its size scaled
/// (the drawing is vector: its `viewBox` keeps the layout) and the PNG
/// rasterized from that SVG at that width by resvg, its text in the embedded
/// font; returns both paths.
pub fn draw_wide(dir: &Path, chart: &impl Figure, width: u32) -> Result<Vec<PathBuf>, PlotError> {
    let (w, h) = chart.size();
    let height = (f64::from(h) * f64::from(width) / f64::from(w.max(1))).round() as u32;
    let svg_path = dir.join(format!("{}.svg", chart.stem()));
    let png_path = dir.join(format!("{}.png", chart.stem()));
    let text = svg(chart, &svg_path)?.replacen(
        &format!("width=\"{w}\" height=\"{h}\""),
        &format!("width=\"{width}\" height=\"{height}\""),
        1,
    );
    let png = rasterize(&text, (width, height)).map_err(|message| PlotError::Draw {
        path: png_path.clone(),
        message,
    })?;
    write_atomic(&svg_path, text.as_bytes())?;
    write_atomic(&png_path, &png)?;
    Ok(vec![svg_path, png_path])
}

/// An SVG drawn by exodus as a PNG of `(w, h)` pixels.
fn rasterize(svg: &str, (w, h): (u32, u32)) -> Result<Vec<u8>, String> {
    let mut fonts = resvg::usvg::fontdb::Database::new();
    fonts.load_font_data(FONT.to_vec());
    fonts.set_sans_serif_family("DejaVu Sans");
    let options = resvg::usvg::Options {
        fontdb: std::sync::Arc::new(fonts),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(svg, &options).map_err(|e| e.to_string())?;
    let size = tree.size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .ok_or_else(|| format!("cannot make a {w} × {h} image"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    let transform =
        resvg::tiny_skia::Transform::from_scale(w as f32 / size.width(), h as f32 / size.height());
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| e.to_string())
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
    let (width, height) = root.dim_in_pixel();
    let (body, foot) = root.split_vertically(height.saturating_sub(style::CAPTION_HEIGHT));
    let (plot, side) = body.split_horizontally(width.saturating_sub(style::LEGEND_WIDTH));
    let top = chart
        .series
        .iter()
        .flat_map(|s| {
            s.values
                .iter()
                .chain(s.band.iter().flat_map(|(_, hi)| hi.iter()))
        })
        .chain(chart.markers.iter().map(|m| &m.per_day))
        .copied()
        .fold(0.0, f64::max);
    let y_max = if top > 0.0 { top * 1.08 } else { 1.0 };
    let x_max = chart.days.saturating_sub(1).max(1) as f64;
    let start = chart.start;
    let mut ctx = ChartBuilder::on(&plot)
        .caption(
            &chart.title,
            ("sans-serif", style::title_size(&plot, &chart.title, 22)),
        )
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
    let mut entries: Vec<(style::Key, String)> = Vec::new();
    let colour_of = |i: usize| {
        if chart.series.get(i).is_some_and(|s| s.emphasis) {
            BLACK
        } else {
            style::colour(i)
        }
    };
    // The emphasised series last, on top of the others.
    let mut order: Vec<usize> = (0..chart.series.len()).collect();
    order.sort_by_key(|&i| chart.series[i].emphasis);
    for &i in &order {
        let s = &chart.series[i];
        let colour = colour_of(i);
        if let Some((low, high)) = &s.band {
            let upper = high.iter().enumerate().map(|(d, &v)| (d as f64, v));
            let lower = low.iter().enumerate().rev().map(|(d, &v)| (d as f64, v));
            let alpha = if s.emphasis { 0.15 } else { 0.22 };
            ctx.draw_series(std::iter::once(Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                colour.mix(alpha).filled(),
            )))
            .map_err(e)?;
        }
        let width = if s.emphasis { 4 } else { 2 };
        ctx.draw_series(LineSeries::new(
            s.values.iter().enumerate().map(|(d, &v)| (d as f64, v)),
            colour.stroke_width(width),
        ))
        .map_err(e)?;
    }
    for (i, s) in chart.series.iter().enumerate() {
        let key = style::Key::Line {
            colour: colour_of(i),
            width: if s.emphasis { 4 } else { 2 },
            band: s.band.is_some(),
        };
        entries.push((key, s.name.clone()));
    }
    let mut groups: Vec<(&str, Option<usize>)> = Vec::new();
    for m in &chart.markers {
        if !groups.iter().any(|(g, _)| *g == m.group) {
            groups.push((&m.group, m.series));
        }
    }
    for m in &chart.markers {
        let g = groups.iter().position(|(g, _)| *g == m.group).unwrap_or(0);
        let colour = m.series.map_or(BLACK, colour_of);
        if m.to > m.from {
            ctx.draw_series(LineSeries::new(
                [(m.from, m.per_day), (m.to, m.per_day)],
                colour.stroke_width(3),
            ))
            .map_err(e)?;
        }
        let at = ((m.from + m.to) / 2.0, m.per_day);
        let filled = colour.filled();
        match style::Shape::of(g) {
            style::Shape::Circle => ctx
                .draw_series(std::iter::once(
                    EmptyElement::at(at) + Circle::new((0, 0), 6, filled),
                ))
                .map(|_| ()),
            style::Shape::Triangle => ctx
                .draw_series(std::iter::once(
                    EmptyElement::at(at) + TriangleMarker::new((0, 0), 7, filled),
                ))
                .map(|_| ()),
            style::Shape::Square => ctx
                .draw_series(std::iter::once(
                    EmptyElement::at(at) + Rectangle::new([(-5, -5), (5, 5)], filled),
                ))
                .map(|_| ()),
            style::Shape::Cross => ctx
                .draw_series(std::iter::once(
                    EmptyElement::at(at) + Cross::new((0, 0), 6, colour.stroke_width(3)),
                ))
                .map(|_| ()),
        }
        .map_err(e)?;
    }
    for (g, (group, series)) in groups.iter().enumerate() {
        let key = style::Key::Marker {
            shape: style::Shape::of(g),
            colour: series.map_or(BLACK, colour_of),
        };
        entries.push((key, (*group).to_owned()));
    }
    style::legend(&side, &entries)?;
    style::caption(&foot, &chart.caption)
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

/// Most crossings drawn on the queue chart: the longest queues.
const MOST_QUEUES: usize = 8;

/// The charts of a run: daily entries with the reported figures, the
/// cumulative exodus, the longest queues and the national stocks.
/// `caption` says what made the run.
pub fn run_charts(run: &RunResults, reported: &[ReportedFigure], caption: &str) -> Vec<Chart> {
    let days = run.national.len();
    let cal = run.calendar;
    let base = |stem: &str, title: &str, y: &str| Chart {
        stem: stem.to_owned(),
        title: title.to_owned(),
        y_label: y.to_owned(),
        start: cal.start,
        days,
        series: Vec::new(),
        markers: Vec::new(),
        caption: caption.to_owned(),
    };
    let mut daily = base(
        "daily_entries",
        "Daily entries by destination (exodus and ordinary traffic); reported: mean a day over each window",
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
        daily.series.push(Series::line(name.clone(), entries));
        cumulative.series.push(Series::line(name.clone(), cum));
    }
    for f in reported {
        let Some(d) = run.destinations.iter().position(|n| *n == f.place) else {
            continue;
        };
        let (from, to) = (cal.day_of(f.from), cal.day_of(f.to));
        let n = (to - from + 1).max(1) as f64;
        daily.markers.push(Marker {
            from: from as f64,
            to: to as f64,
            per_day: f.value / n,
            group: format!("reported: {}", f.place),
            series: Some(d),
        });
    }
    let mut queued: Vec<(f64, Series)> = run
        .crossings
        .iter()
        .enumerate()
        .map(|(c, (id, _))| {
            let values = run.queue_series(c);
            let peak = values.iter().copied().fold(0.0, f64::max);
            (peak, Series::line(id.clone(), values))
        })
        .filter(|(peak, _)| *peak > 0.0)
        .collect();
    queued.sort_by(|a, b| b.0.total_cmp(&a.0));
    let title = if queued.len() > MOST_QUEUES {
        format!(
            "Persons waiting at the end of the day: the {MOST_QUEUES} longest queues of {}",
            queued.len()
        )
    } else {
        "Persons waiting at each crossing that queued, at the end of the day".to_owned()
    };
    let mut queues = base("queues", &title, "queue (persons)");
    queues.series = queued
        .into_iter()
        .take(MOST_QUEUES)
        .map(|(_, s)| s)
        .collect();
    let mut stocks = base(
        "national_stocks",
        "Where the men who acted are, day by day",
        "men (persons)",
    );
    let stock = |f: fn(&crate::results::NationalDay) -> u64| -> Vec<f64> {
        run.national.iter().map(|n| f(n) as f64).collect()
    };
    stocks.series = vec![
        Series::line("abroad", stock(|n| n.abroad)),
        Series::line(
            "on the way (traveling or queued)",
            stock(|n| n.traveling + n.queued),
        ),
        Series::line("drafted", stock(|n| n.drafted)),
        Series::line("stuck at home, wanting to leave", stock(|n| n.stuck)),
        Series::line("went home (gave up or came back)", stock(|n| n.returned)),
    ];
    vec![daily, cumulative, queues, stocks]
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
pub(crate) fn read_rows<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>, PlotError> {
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

/// The comparison chart from [`DAILY_CSV`]: national daily exodus entries,
/// the base (the first scenario) in black.
pub fn comparison_chart(path: &Path, caption: &str) -> Result<Chart, PlotError> {
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
        let named =
            |s: &Series| s.name == row.scenario || s.name == format!("{} (base)", row.scenario);
        let i = match series.iter().position(named) {
            Some(i) => i,
            None => {
                series.push(Series {
                    name: if series.is_empty() {
                        format!("{} (base)", row.scenario)
                    } else {
                        row.scenario.clone()
                    },
                    values: Vec::new(),
                    band: Some((Vec::new(), Vec::new())),
                    emphasis: series.is_empty(),
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
        markers: Vec::new(),
        caption: caption.to_owned(),
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
    caption: &str,
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
                    emphasis: false,
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
        let markers: Vec<Marker> = figures
            .iter()
            .filter(|f| f.status == "scored" && f.place == place && f.metric == metric)
            .filter(|f| matches!(f.metric.as_str(), "entries" | "exits"))
            .filter(|f| day(f.date_to) - day(f.date_from) < SHORT_WINDOW_DAYS)
            .map(|f| {
                let (from, to) = (day(f.date_from), day(f.date_to));
                let n = (to - from + 1).max(1) as f64;
                let group = if f.kind.is_empty() {
                    format!("reported: {}", f.id)
                } else {
                    format!("reported: {} ({})", f.id, f.kind)
                };
                Marker {
                    from: from as f64,
                    to: to as f64,
                    per_day: f.observed.0 / n,
                    group,
                    series: None,
                }
            })
            .collect();
        if markers.is_empty() {
            continue;
        }
        charts.push(Chart {
            stem: format!("validation_{}_{metric}", snake_case(place)),
            title: format!(
                "{place}: daily {metric}, simulated (mean, 90% band) and reported (mean a day)"
            ),
            y_label: format!("{metric} per day (persons)"),
            start,
            days,
            series: vec![line],
            markers,
            caption: caption.to_owned(),
        });
    }
    charts
}

/// A manifest of `dir` as a table, if it is there and reads.
pub(crate) fn manifest(dir: &Path, name: &str) -> Option<toml::Table> {
    crate::input_file::read_text(&dir.join(name), crate::input_file::DATA_BYTES)
        .ok()?
        .parse()
        .ok()
}

/// What made the results in `dir`, from its manifest, as a chart's caption:
/// the command, the scenario, the scale, the seed (and the replicates) and
/// the version of exodus.
pub fn caption_of(dir: &Path) -> String {
    let text = |t: &toml::Table, k: &str| {
        t.get(k).map(|v| match v {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };
    let (command, table, settings) = if let Some(run) = manifest(dir, crate::output::MANIFEST) {
        ("run".to_owned(), run.clone(), run)
    } else if let Some(folder) = manifest(dir, crate::output::FOLDER_MANIFEST) {
        let settings = folder
            .get("settings")
            .and_then(toml::Value::as_table)
            .cloned()
            .unwrap_or_default();
        (
            text(&folder, "command").unwrap_or_default(),
            folder,
            settings,
        )
    } else {
        return String::new();
    };
    let mut parts = vec![format!(
        "exodus {} {command}",
        text(&table, "exodus_version").unwrap_or_default()
    )];
    if let Some(scenario) = text(&table, "scenario") {
        parts.push(format!("scenario {scenario}"));
    }
    if let Some(scale) = text(&settings, "scale") {
        parts.push(format!("scale 1:{scale}"));
    }
    if let Some(seed) = text(&settings, "seed") {
        parts.push(format!("seed {seed}"));
    }
    if let Some(replicates) = text(&settings, "replicates") {
        parts.push(format!("{replicates} replicates"));
    }
    if let Some(posterior) = text(&settings, "posterior") {
        parts.push(format!("posterior {posterior}"));
    }
    parts.join(" · ")
}

/// What is done with each chart of a folder: drawn as files, or rendered
/// into a report.
pub trait ChartVisitor {
    /// Takes one chart.
    fn visit<F: Figure>(&mut self, chart: &F) -> Result<(), PlotError>;
}

/// Draws every chart a folder supports (a run, a comparison, a
/// validation, a sensitivity analysis); returns the files, none when a
/// validation has no reported figures to draw.
pub fn plot_dir(dir: &Path) -> Result<Vec<PathBuf>, PlotError> {
    plot_dir_at(dir, None)
}

/// The same, for print at `width` pixels when given ([`draw_wide`]).
pub fn plot_dir_at(dir: &Path, width: Option<u32>) -> Result<Vec<PathBuf>, PlotError> {
    struct Files<'d> {
        dir: &'d Path,
        width: Option<u32>,
        files: Vec<PathBuf>,
    }
    impl ChartVisitor for Files<'_> {
        fn visit<F: Figure>(&mut self, chart: &F) -> Result<(), PlotError> {
            let drawn = match self.width {
                Some(width) => draw_wide(self.dir, chart, width)?,
                None => draw(self.dir, chart)?,
            };
            self.files.extend(drawn);
            Ok(())
        }
    }
    let mut files = Files {
        dir,
        width,
        files: Vec::new(),
    };
    visit_charts(dir, &mut files)?;
    Ok(files.files)
}

/// Gives `visitor` every chart the folder `dir` supports, in the order
/// [`plot_dir`] draws them.
pub fn visit_charts(dir: &Path, visitor: &mut impl ChartVisitor) -> Result<(), PlotError> {
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
        let caption = caption_of(dir);
        for chart in run_charts(&run, &reported, &caption) {
            visitor.visit(&chart)?;
        }
        visitor.visit(&regions_chart(&run.regions, &caption))?;
    }
    // A command's folder is drawn only when its manifest vouches for it.
    let command_files = [DAILY_CSV, VALIDATION_DAILY_CSV, SENSITIVITY_CSV];
    if command_files.iter().any(|name| dir.join(name).is_file()) {
        crate::output::verify_folder(dir).map_err(|e| PlotError::Read {
            path: dir.to_owned(),
            message: e.to_string(),
        })?;
    }
    let caption = caption_of(dir);
    let daily = dir.join(DAILY_CSV);
    if daily.is_file() {
        recognised = true;
        visitor.visit(&comparison_chart(&daily, &caption)?)?;
        let summary = dir.join(crate::compare::SUMMARY_CSV);
        if summary.is_file() {
            let rows = read_rows::<crate::compare::SummaryRecord>(&summary)?;
            let credible = manifest(dir, crate::output::FOLDER_MANIFEST)
                .is_some_and(|m| m.get("settings").and_then(|s| s.get("posterior")).is_some());
            if let Some(chart) = differences_chart(&rows, credible, &caption) {
                visitor.visit(&chart)?;
            }
        }
    }
    let validation_daily = dir.join(VALIDATION_DAILY_CSV);
    if validation_daily.is_file() {
        recognised = true;
        let figures = read_rows::<ValidationRecord>(&dir.join(VALIDATION_CSV))?;
        let daily = read_rows::<ValidationDailyRecord>(&validation_daily)?;
        for chart in validation_charts(&figures, &daily, &caption) {
            visitor.visit(&chart)?;
        }
        let paths = dir.join(VALIDATION_PATHS_CSV);
        if paths.is_file() {
            let paths = read_rows::<ValidationPathRecord>(&paths)?;
            let title = "Each figure over its window: simulated mean and 90% band of the replicates; \
                         reported at the window's end (green inside the band, red outside)";
            if let Some(chart) = paths_chart(&figures, &paths, title) {
                visitor.visit(&chart)?;
            }
        }
    }
    let sensitivity = dir.join(SENSITIVITY_CSV);
    if sensitivity.is_file() {
        recognised = true;
        let rows = read_rows::<SensitivityRecord>(&sensitivity)?;
        visitor.visit(&sensitivity_chart(&rows, &caption))?;
    }
    if !recognised {
        return Err(PlotError::NothingToPlot(dir.to_owned()));
    }
    Ok(())
}
